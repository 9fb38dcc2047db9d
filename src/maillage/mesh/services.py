"""Writes of the mesh: a person's consent to appear in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.mesh.models import MeshConsent

if TYPE_CHECKING:
    from maillage.people.models import Person


@transaction.atomic
def consent_set(*, actor: Person, person: Any, visible: bool) -> MeshConsent:
    """Record whether ``person`` appears by name in the mesh; only they may decide."""
    require(actor, "mesh.change_consent", person)
    consent, _ = MeshConsent.objects.update_or_create(person=person, defaults={"visible": visible})
    audit_record(actor=actor, action="mesh.consent", target=consent, data={"visible": visible})
    return consent


def person_erase(person: Any) -> None:
    """Delete their choice to appear in the cooperation mesh."""
    MeshConsent.objects.filter(person=person).delete()
