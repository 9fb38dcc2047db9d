"""Writes on organizations and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.mail import personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.sanitize import sanitize_html
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.organizations.models import INSTITUTION_KINDS, Membership, Organization

if TYPE_CHECKING:
    # The stubs' plugin reads `_User` as AUTH_USER_MODEL (people.Person), which this layer
    # does not import.
    from django.contrib.auth.models import _User as Person


@transaction.atomic
def organization_create(
    *,
    name: str,
    kind: str,
    actor: Person | None = None,
    mission: str = "",
    description: str = "",
    is_mission_company: bool = False,
    website: str = "",
    territories: list | None = None,
    slug: str | None = None,
) -> Organization:
    """Create an organization; its creator (when a person) becomes its first admin.

    An institutional kind (commune, public body, intercommunality) claimed by a person waits
    for a territory admin's approval; trusted callers (``actor=None``: commands, demo) and the
    platform admin need none.
    """
    if actor is not None:
        require(actor, "organizations.add_organization")
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the organization a name.")
    if kind not in Organization.Kind.values:
        errors["kind"] = _("Choose a kind of organization from the list.")
    if errors:
        raise ValidationError(errors)
    trusted = actor is None or actor.is_superuser
    organization = Organization.objects.create(
        name=name.strip(),
        slug=slug or unique_slug(name, Organization),
        kind=kind,
        mission=mission,
        description=sanitize_html(description),
        is_mission_company=is_mission_company,
        website=website,
        kind_approved_at=timezone.now() if trusted and kind in INSTITUTION_KINDS else None,
        kind_approved_by=actor if trusted and kind in INSTITUTION_KINDS else None,
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
def organization_update(
    *, organization: Organization, actor: Person, **changes: Any
) -> Organization:
    """Change the public description of ``organization`` (organization admins only)."""
    require(actor, "organizations.change_organization", organization)
    fields = []
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationError({"name": _("Give the organization a name.")})
    if "kind" in changes and changes["kind"] != organization.kind:
        if changes["kind"] not in Organization.Kind.values:
            raise ValidationError({"kind": _("Choose a kind of organization from the list.")})
        organization.kind = changes["kind"]
        # A new institutional claim is approved anew (the platform admin's own is trusted).
        approved = organization.speaks_for_institution and actor.is_superuser
        organization.kind_approved_at = timezone.now() if approved else None
        organization.kind_approved_by = actor if approved else None
        fields += ["kind", "kind_approved_at", "kind_approved_by"]
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
    *, organization: Organization, person: Any, actor: Person, role: str = "member", title: str = ""
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
            {"email": _("This person is already an active member of the organization.")}
        ) from None
    audit_record(actor=actor, action="membership.add", target=membership, data={"role": role})
    return membership


def memberships_end_for_erasure(person: Any) -> None:
    """End today the memberships of a person erasing their account (history is kept)."""
    person.memberships.filter(active_q()).update(until=timezone.localdate())


@transaction.atomic
def membership_end(*, membership: Membership, actor: Person) -> Membership:
    """End a membership today, keeping it in the history; an organization keeps one admin."""
    if actor.pk != membership.person_id:
        require(actor, "organizations.manage_memberships", membership.organization)
    if membership.until is not None:
        raise ValidationError(_("This membership has already ended."))
    if membership.role == Membership.Role.ADMIN:
        admins = list(
            Membership.objects.select_for_update()
            .filter(organization=membership.organization, role="admin", until__isnull=True)
            .values_list("pk", flat=True)
        )
        if admins == [membership.pk]:
            raise ValidationError(
                _("This is the organization's last admin: name another admin first.")
            )
    membership.until = timezone.localdate()
    membership.save(update_fields=["until"])
    audit_record(actor=actor, action="membership.end", target=membership)
    return membership


@transaction.atomic
def organization_approve_kind(*, organization: Organization, actor: Person) -> Organization:
    """Approve that ``organization`` speaks for the institution its kind says it is.

    A territory admin of one of its territories (or the platform admin) approves.
    """
    require(actor, "organizations.approve_kind", organization)
    if not organization.speaks_for_institution:
        raise ValidationError(_("Only a commune, public body or intercommunality needs approval."))
    if organization.kind_approved_at is None:
        organization.kind_approved_at = timezone.now()
        organization.kind_approved_by = actor
        organization.save(update_fields=["kind_approved_at", "kind_approved_by"])
        audit_record(
            actor=actor,
            action="organization.approve_kind",
            target=organization,
            data={"kind": organization.kind},
        )
    return organization


@transaction.atomic
def membership_invite(
    *, organization: Organization, actor: Person, email: str, role: str = "member", title: str = ""
) -> Membership | None:
    """Add the owner of the verified address ``email`` and tell them by email.

    Return None when no active account has verified that address: the caller says the same
    thing either way, so the form reveals nobody's account.
    """
    require(actor, "organizations.manage_memberships", organization)
    errors = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid email address.")
    if role not in Membership.Role.values:
        errors["role"] = _("A member is either a member or an organization admin.")
    if errors:
        raise ValidationError(errors)
    person = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, email_verified_at__isnull=False)
        .first()
    )
    if person is None:
        return None
    membership = membership_add(
        organization=organization, person=person, actor=actor, role=role, title=title.strip()
    )
    subject = _("You are now a member of %(name)s on Maillage") % {"name": organization.name}
    body = _("%(who)s added you to %(name)s: %(url)s") % {
        "who": actor.public_name,
        "name": organization.name,
        "url": settings.SITE_URL + organization.get_absolute_url(),
    }
    send_on_commit(personal_messages(subject, body, [person.email]))
    return membership
