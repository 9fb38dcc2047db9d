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
# The page matrix (core/tests/test_authorization_matrix.py) declares, per page route, who may
# open it (GET answers 200) and whose POST writes to the database (the matrix sends a form with
# only its CSRF token: a button's action, a form's refusal), as the roles held on the objects it
# is tested with: the demo's agglomeration, its association, campaigns, works and circles.
PLATFORM_ADMIN = "platform admin"
TERRITORY_ADMIN = "territory admin"
FACILITATOR = "facilitator"
FIELD_AGENT = "field agent"
ORG_ADMIN = "organization admin"
MEMBER = "member"
INHABITANT = "inhabitant"
VISITOR = "visitor"
ROLES = (
    PLATFORM_ADMIN,
    TERRITORY_ADMIN,
    FACILITATOR,
    FIELD_AGENT,
    ORG_ADMIN,
    MEMBER,
    INHABITANT,
    VISITOR,
)
EVERYONE = frozenset(ROLES)
ACCOUNTS = EVERYONE - {VISITOR}
NOBODY: frozenset[str] = frozenset()
PLATFORM = frozenset({PLATFORM_ADMIN})
STAFF = frozenset({PLATFORM_ADMIN, TERRITORY_ADMIN, FACILITATOR})
TEAM = STAFF | {FIELD_AGENT}

# Pages of the foundation that are no capability's: (who may GET, who may POST).
PAGES = {
    "admin:login": (EVERYONE - {PLATFORM_ADMIN}, NOBODY),  # the admin is sent on to the site
    "core:accessibility": (EVERYONE, NOBODY),
    "core:health": (EVERYONE, NOBODY),
    "core:metrics": (NOBODY, NOBODY),  # 404 but from MAILLAGE_METRICS_ALLOWED or with its token
    "core:ready": (EVERYONE, NOBODY),
    "javascript-catalog": (EVERYONE, NOBODY),
    "set_language": (NOBODY, NOBODY),
    "site:home": (EVERYONE, NOBODY),
    "site:my_participation": (ACCOUNTS, NOBODY),
}
# Whole namespaces under one rule: Django's admin site is the platform admin's alone.
PAGE_NAMESPACES = {"admin": (PLATFORM, PLATFORM)}
