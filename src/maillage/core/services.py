"""Writes shared by every app: the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from maillage.core.models import AuditEntry


def audit_record(
    *, actor: Any, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditEntry:
    """Record a privileged action; ``data`` holds what a reviewer needs (never secrets)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
