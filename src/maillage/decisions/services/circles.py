"""Circles, the delegations of a steering committee, and members joining and leaving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.decisions.models import Circle, CircleMember, Delegation, Round
from maillage.decisions.services.common import State, notify

if TYPE_CHECKING:
    from maillage.people.models import Person


def _require_steward_of(actor: Person, organization: Any, territory: Any) -> None:
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
    actor: Person | None = None,
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
def circle_update(
    *, circle: Circle, actor: Person, name: str, purpose: str, is_public: bool
) -> Circle:
    """Rename a circle, change its purpose or its visibility (its stewards)."""
    require(actor, "decisions.manage_circle", circle)
    if not name.strip():
        raise ValidationError({"name": _("A circle needs a name.")})
    before = {"name": circle.name, "is_public": circle.is_public}
    circle.name, circle.purpose, circle.is_public = name.strip(), purpose.strip(), is_public
    circle.save(update_fields=["name", "purpose", "is_public"])
    audit_record(actor=actor, action="circle.update", target=circle, data={"before": before})
    return circle


@transaction.atomic
def circle_archive(*, circle: Circle, actor: Person) -> Circle:
    """Archive a circle: its decisions stay readable, it takes no new proposal."""
    require(actor, "decisions.manage_circle", circle)
    if circle.archived_at is not None:
        raise ValidationError(_("This circle is already archived."))
    if circle.decisions.exclude(state__in=[State.ADOPTED, State.WITHDRAWN]).exists():
        raise ValidationError(
            _(
                "Proposals of this circle are still on their way: adopt or withdraw them "
                "before archiving the circle."
            )
        )
    circle.archived_at = timezone.now()
    circle.save(update_fields=["archived_at"])
    audit_record(actor=actor, action="circle.archive", target=circle)
    return circle


@transaction.atomic
def delegation_add(
    *,
    circle: Circle,
    organization: Any,
    rule: str,
    actor: Person | None = None,
    head: Any = None,
    delegates: Iterable[Any] = (),
) -> Delegation:
    """Add a member institution to a steering committee with its internal rule and delegates.

    ``delegates`` become members of the committee in this delegation; a delegation deciding by
    its head's voice names its head among them (or among its existing delegates).
    """
    if actor is not None:
        require(actor, "decisions.manage_circle", circle)
    if not circle.is_committee:
        raise ValidationError(_("Only a steering committee is made of delegations."))
    if rule not in Delegation.Rule.values:
        raise ValidationError({"rule": _("Unknown rule: unanimity, majority or head.")})
    if organization is None:
        raise ValidationError({"organization": _("Choose the institution of the delegation.")})
    delegates = list(delegates)
    if rule == "head" and head is None:
        raise ValidationError(
            {"head": _("A delegation deciding by its head's voice needs a head.")}
        )
    if rule == "head" and delegates and head.pk not in {p.pk for p in delegates}:
        raise ValidationError(
            {"head": _("The head of the delegation must be one of its delegates.")}
        )
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                circle=circle, organization=organization, rule=rule, head=head
            )
    except IntegrityError:
        raise ValidationError(
            {"organization": _("This organization already has a delegation here.")}
        ) from None
    audit_record(actor=actor, action="delegation.add", target=delegation, data={"rule": rule})
    for person in delegates:
        circle_member_add(circle=circle, person=person, actor=actor, delegation=delegation)
    return delegation


@transaction.atomic
def delegation_update(
    *, delegation: Delegation, actor: Person, rule: str, head: Any = None
) -> Delegation:
    """Change a delegation's internal rule or its head (the committee's stewards).

    Not while a consent round concerning it is open: its answer would change meaning mid-way.
    """
    delegation = (
        Delegation.objects.select_for_update()
        .select_related("circle", "organization")
        .get(pk=delegation.pk)
    )
    require(actor, "decisions.manage_circle", delegation.circle)
    if rule not in Delegation.Rule.values:
        raise ValidationError({"rule": _("Unknown rule: unanimity, majority or head.")})
    if rule == "head":
        if head is None:
            raise ValidationError(
                {"head": _("A delegation deciding by its head's voice needs a head.")}
            )
        if not delegation.delegates.filter(active_q(), person=head).exists():
            raise ValidationError(
                {"head": _("The head of the delegation must be one of its delegates.")}
            )
    _refuse_during_its_consent_round(delegation)
    before = {"rule": delegation.rule, "head": delegation.head_id}
    delegation.rule, delegation.head = rule, head if rule == "head" else delegation.head
    delegation.save(update_fields=["rule", "head"])
    audit_record(
        actor=actor, action="delegation.update", target=delegation, data={"before": before}
    )
    return delegation


@transaction.atomic
def delegation_end(*, delegation: Delegation, actor: Person) -> Delegation:
    """End an institution's seat on the committee with its delegates' memberships.

    Refused while a consent round concerning it is open; the past rounds keep its answers.
    """
    delegation = (
        Delegation.objects.select_for_update()
        .select_related("circle", "organization")
        .get(pk=delegation.pk)
    )
    require(actor, "decisions.manage_circle", delegation.circle)
    if delegation.until is not None:
        raise ValidationError(_("This delegation has already left the committee."))
    _refuse_during_its_consent_round(delegation)
    today = timezone.localdate()
    delegation.delegates.filter(until__isnull=True).update(until=today)
    delegation.until = today
    delegation.save(update_fields=["until"])
    audit_record(actor=actor, action="delegation.end", target=delegation)
    return delegation


def _refuse_during_its_consent_round(delegation: Delegation) -> None:
    for round_ in _open_consent_rounds(delegation):
        raise ValidationError(
            _(
                "The consent round on “%(decision)s” is open and concerns %(delegation)s: "
                "change the delegation once the round is closed."
            )
            % {"decision": round_.decision.title, "delegation": delegation.organization.name}
        )


def _open_consent_rounds(delegation: Delegation) -> list[Round]:
    """Return the open consent rounds of the committee that concern ``delegation``."""
    open_rounds = Round.objects.filter(
        decision__circle_id=delegation.circle_id,
        kind=Round.Kind.CONSENT,
        state=Round.State.OPEN,
    ).select_related("decision")
    concerned = []
    for round_ in open_rounds:
        scope = set(round_.decision.scope.values_list("pk", flat=True))
        if not scope or delegation.pk in scope:
            concerned.append(round_)
    return concerned


def circle_member_add(
    *,
    circle: Circle,
    person: Any,
    actor: Person | None = None,
    delegation: Delegation | None = None,
    since: dt.date | None = None,
) -> CircleMember:
    """Make ``person`` a member of ``circle`` (a delegate of ``delegation`` in a committee)."""
    if actor is not None:
        require(actor, "decisions.manage_circle", circle)
    if delegation is not None and delegation.circle_id != circle.pk:
        raise ValidationError({"delegation": _("This delegation belongs to another circle.")})
    if delegation is not None and delegation.until is not None:
        raise ValidationError({"delegation": _("This delegation has already left the committee.")})
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
    *, membership: CircleMember, actor: Person, until: dt.date | None = None
) -> CircleMember:
    """End a membership (the member leaves, or a steward ends it); the history is kept.

    The last delegate of a delegation cannot leave while a consent round it must answer is
    open: the delegation would silently stop counting. Add another delegate first.
    """
    membership = (
        CircleMember.objects.select_for_update(of=("self",))
        .select_related("circle", "delegation__organization")
        .get(pk=membership.pk)
    )
    if actor.pk != membership.person_id:
        require(actor, "decisions.manage_circle", membership.circle)
    if membership.until is not None:
        raise ValidationError(_("This membership has already ended."))
    until = until or timezone.localdate()
    if membership.delegation_id is not None:
        _refuse_ending_last_delegate(membership, until)
    membership.until = until
    membership.save(update_fields=["until"])
    audit_record(actor=actor, action="circle.member_end", target=membership)
    return membership


def _refuse_ending_last_delegate(membership: CircleMember, until: dt.date) -> None:
    delegation = membership.delegation
    assert delegation is not None
    # The delegates who still sit after this one has left.
    staying = Q(until__isnull=True) | Q(until__gt=until)
    others = delegation.delegates.filter(staying).exclude(pk=membership.pk)
    if others.exists():
        return
    for round_ in _open_consent_rounds(delegation):
        raise ValidationError(
            _(
                "%(person)s is the last delegate of %(delegation)s, and the consent round "
                "on “%(decision)s” is open: add another delegate first, or end this "
                "membership once the round is closed."
            )
            % {
                "person": membership.person.public_name,
                "delegation": delegation.organization.name,
                "decision": round_.decision.title,
            }
        )
