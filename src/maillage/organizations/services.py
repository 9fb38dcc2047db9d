"""Writes on organizations and memberships."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.sanitize import sanitize_html
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.organizations.models import Membership, Organization


@transaction.atomic
def organization_create(
    *,
    name: str,
    kind: str,
    actor: Any = None,
    mission: str = "",
    description: str = "",
    is_mission_company: bool = False,
    website: str = "",
    territories: list | None = None,
    slug: str | None = None,
) -> Organization:
    """Create an organization; its creator (when a person) becomes its first admin."""
    if actor is not None:
        require(actor, "organizations.add_organization")
    if kind not in Organization.Kind.values:
        raise ValidationError(
            {"kind": f"unknown kind {kind!r}; valid: {', '.join(Organization.Kind.values)}"}
        )
    organization = Organization.objects.create(
        name=name.strip(),
        slug=slug or unique_slug(name, Organization),
        kind=kind,
        mission=mission,
        description=sanitize_html(description),
        is_mission_company=is_mission_company,
        website=website,
    )
    if territories:
        organization.territories.set(territories)
    if actor is not None:
        Membership.objects.create(
            person=actor, organization=organization, role=Membership.Role.ADMIN
        )
        audit_record(actor=actor, action="organization.create", target=organization)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor: Any, **changes: Any) -> Organization:
    """Change the public description of ``organization`` (organization admins only)."""
    require(actor, "organizations.change_organization", organization)
    fields = []
    for name in ("name", "mission", "description", "website", "is_mission_company"):
        if name in changes:
            value = changes[name]
            setattr(organization, name, sanitize_html(value) if name == "description" else value)
            fields.append(name)
    if fields:
        organization.save(update_fields=fields)
    if "territories" in changes:
        organization.territories.set(changes["territories"])
        fields.append("territories")
    audit_record(
        actor=actor, action="organization.update", target=organization, data={"fields": fields}
    )
    return organization


def membership_add(
    *, organization: Organization, person: Any, actor: Any, role: str = "member", title: str = ""
) -> Membership:
    """Add ``person`` to ``organization``; one active membership per person and organization."""
    require(actor, "organizations.manage_memberships", organization)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=organization, person=person, role=role, title=title
            )
    except IntegrityError:
        raise ValidationError(
            "this person is already an active member of the organization"
        ) from None
    audit_record(actor=actor, action="membership.add", target=membership, data={"role": role})
    return membership


def memberships_end_for_erasure(person: Any) -> None:
    """End today the memberships of a person erasing their account (history is kept)."""
    person.memberships.filter(active_q()).update(until=timezone.localdate())


@transaction.atomic
def membership_end(*, membership: Membership, actor: Any) -> Membership:
    """End a membership today, keeping it in the history."""
    if actor.pk != membership.person_id:
        require(actor, "organizations.manage_memberships", membership.organization)
    membership.until = timezone.localdate()
    membership.save(update_fields=["until"])
    audit_record(actor=actor, action="membership.end", target=membership)
    return membership
