"""Circles, the delegations of a steering committee, and members joining and leaving."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.decisions.models import Circle, CircleMember, Delegation
from maillage.decisions.services.common import notify


def _require_steward_of(actor: Any, organization: Any, territory: Any) -> None:
    """Allow creating a circle to the admins of its organization or territory."""
    from maillage.organizations.permissions import is_organization_admin
    from maillage.people.permissions import is_territory_admin

    if getattr(actor, "is_superuser", False):
        return
    if organization is not None and is_organization_admin(actor, organization):
        return
    if territory is not None and is_territory_admin(actor, territory):
        return
    raise PermissionDenied("decisions.create_circle")


@transaction.atomic
def circle_create(
    *,
    name: str,
    kind: str,
    actor: Any = None,
    organization: Any = None,
    territory: Any = None,
    is_public: bool = True,
    purpose: str = "",
    slug: str | None = None,
) -> Circle:
    """Create a circle of an organization or on a territory (its admins, or the demo/system)."""
    if actor is not None:
        _require_steward_of(actor, organization, territory)
    if kind not in Circle.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of circle.")})
    if organization is None and territory is None:
        raise ValidationError(_("A circle belongs to an organization or a territory."))
    if not name.strip():
        raise ValidationError({"name": _("A circle needs a name.")})
    circle = Circle.objects.create(
        name=name.strip(),
        slug=slug or unique_slug(name, Circle),
        kind=kind,
        organization=organization,
        territory=territory,
        is_public=is_public,
        purpose=purpose,
    )
    audit_record(actor=actor, action="circle.create", target=circle, data={"kind": kind})
    return circle


@transaction.atomic
def delegation_add(
    *, circle: Circle, organization: Any, rule: str, actor: Any = None, head: Any = None
) -> Delegation:
    """Add a member institution to a steering committee with its internal consent rule."""
    if actor is not None:
        require(actor, "decisions.manage_circle", circle)
    if not circle.is_committee:
        raise ValidationError(_("Only a steering committee is made of delegations."))
    if rule not in Delegation.Rule.values:
        raise ValidationError({"rule": _("Unknown rule: unanimity, majority or head.")})
    if rule == "head" and head is None:
        raise ValidationError(
            {"head": _("A delegation deciding by its head's voice needs a head.")}
        )
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                circle=circle, organization=organization, rule=rule, head=head
            )
    except IntegrityError:
        raise ValidationError(_("This organization already has a delegation here.")) from None
    audit_record(actor=actor, action="delegation.add", target=delegation, data={"rule": rule})
    return delegation


def circle_member_add(
    *,
    circle: Circle,
    person: Any,
    actor: Any = None,
    delegation: Delegation | None = None,
    since: dt.date | None = None,
) -> CircleMember:
    """Make ``person`` a member of ``circle`` (a delegate of ``delegation`` in a committee)."""
    if actor is not None:
        require(actor, "decisions.manage_circle", circle)
    if delegation is not None and delegation.circle_id != circle.pk:
        raise ValidationError({"delegation": _("This delegation belongs to another circle.")})
    try:
        with transaction.atomic():
            membership = CircleMember.objects.create(
                circle=circle,
                person=person,
                delegation=delegation,
                since=since or timezone.localdate(),
                added_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(actor=actor, action="circle.member_add", target=membership)
    except IntegrityError:
        raise ValidationError(_("This person is already a member of the circle.")) from None
    notify(circle, "member_joined", {}, url=circle.get_absolute_url(), only=[person.pk])
    return membership


@transaction.atomic
def circle_member_end(
    *, membership: CircleMember, actor: Any, until: dt.date | None = None
) -> CircleMember:
    """End a membership (the member leaves, or a steward ends it); the history is kept."""
    if actor.pk != membership.person_id:
        require(actor, "decisions.manage_circle", membership.circle)
    membership.until = until or timezone.localdate()
    membership.save(update_fields=["until"])
    audit_record(actor=actor, action="circle.member_end", target=membership)
    return membership
