"""The one permission mechanism: ``rules`` predicates, checked in services with ``require``.

Every app declares its object permissions in its ``permissions.py`` with ``rules.add_perm``;
services call :func:`require` before writing, selectors use the same predicates to filter.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied


@rules.predicate
def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


@rules.predicate
def is_participant(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# Rules of the authorization matrix, declared per write route in each app's permissions module.
ACCOUNT = "account"  # an account is needed; the service checks the role on the object
ANYONE = "anyone"  # open to visitors too


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission`` (on ``obj`` when given)."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


# The task queue's failures are the platform's: only its admins enqueue them again.
rules.add_perm("core.retry_task", is_platform_admin)
