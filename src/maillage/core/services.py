"""Writes shared by every app: the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db import models

from maillage.core.models import AuditEntry

if TYPE_CHECKING:
    # The stubs' plugin reads `_User` as AUTH_USER_MODEL (people.Person), which this layer
    # does not import.
    from django.contrib.auth.models import _User as Person


def audit_record(
    *,
    actor: Person | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Record a privileged action; ``data`` holds what a reviewer needs (never secrets)."""
    return AuditEntry.objects.create(
        actor=None if actor is None or isinstance(actor, AnonymousUser) else actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
