"""Rotating facilitation: who facilitates and takes the minutes, passing one's turn, absences."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis.rotation import rotation_queue
from maillage.core.services import audit_record
from maillage.decisions import selectors
from maillage.decisions.models import Circle, Decision, FacilitationTurn, Unavailability
from maillage.decisions.permissions import require_rule
from maillage.decisions.services.common import (
    ProcessConflict,
    lock_decision,
    notify,
    refuse_if_final,
)

if TYPE_CHECKING:
    from maillage.people.models import Person


def _record_turn(
    *,
    circle: Circle,
    role: str,
    person_id: int,
    held_on: dt.date,
    meeting: str = "",
    decision: Decision | None = None,
    kind: str = FacilitationTurn.Kind.SERVED,
) -> FacilitationTurn:
    return FacilitationTurn.objects.create(
        circle=circle,
        decision=decision,
        meeting=meeting,
        held_on=held_on,
        role=role,
        person_id=person_id,
        kind=kind,
    )


def _pick(queue: tuple[str, ...], role: str) -> int:
    if not queue:
        raise ValidationError(
            _("Nobody is available for the role of %(role)s.")
            % {"role": FacilitationTurn.Role(role).label}
        )
    return int(queue[0])


@transaction.atomic
def decision_assign_roles(
    *, decision: Decision, actor: Person, on: dt.date | None = None
) -> Decision:
    """Give the decision a facilitator and a secretary by rotation; the turns are recorded."""
    decision = lock_decision(decision)
    require_rule(actor, "decisions.assign_roles", decision.circle)
    refuse_if_final(decision)
    open_round = selectors.current_round(decision)
    if open_round is not None:
        raise ProcessConflict(
            _("Roles change between rounds: round %(number)s is open.")
            % {"number": open_round.number},
            state=decision.state,
            round=open_round.number,
            round_state=open_round.state,
        )
    on = on or timezone.localdate()
    proposal = selectors.rotation_proposal(decision.circle, on=on)
    facilitator_id = _pick(proposal.facilitator.queue, "facilitator")
    secretary_id = _pick(proposal.secretary.queue, "secretary")
    for role, person_id in (("facilitator", facilitator_id), ("secretary", secretary_id)):
        _record_turn(
            circle=decision.circle,
            role=role,
            person_id=person_id,
            held_on=on,
            decision=decision,
            meeting=decision.title[:200],
        )
    decision.facilitator_id, decision.secretary_id = facilitator_id, secretary_id
    decision.save(update_fields=["facilitator", "secretary"])
    audit_record(
        actor=actor,
        action="decision.assign_roles",
        target=decision,
        data={"facilitator": facilitator_id, "secretary": secretary_id},
    )
    notify(
        decision.circle,
        "roles_assigned",
        {"decision": decision},
        url=decision.get_absolute_url(),
        only=[facilitator_id, secretary_id],
    )
    return decision


@transaction.atomic
def meeting_roles_assign(
    *, circle: Circle, actor: Person, held_on: dt.date, meeting: str
) -> tuple[FacilitationTurn, FacilitationTurn]:
    """Choose a meeting's facilitator and secretary by rotation and record both turns."""
    require_rule(actor, "decisions.assign_roles", circle)
    if not meeting.strip():
        raise ValidationError({"meeting": _("Name the meeting.")})
    Circle.objects.select_for_update().filter(pk=circle.pk).first()
    proposal = selectors.rotation_proposal(circle, on=held_on)
    turns = (
        _record_turn(
            circle=circle,
            role="facilitator",
            held_on=held_on,
            meeting=meeting.strip(),
            person_id=_pick(proposal.facilitator.queue, "facilitator"),
        ),
        _record_turn(
            circle=circle,
            role="secretary",
            held_on=held_on,
            meeting=meeting.strip(),
            person_id=_pick(proposal.secretary.queue, "secretary"),
        ),
    )
    audit_record(
        actor=actor,
        action="circle.meeting_roles",
        target=circle,
        data={"meeting": meeting, "held_on": held_on.isoformat()},
    )
    return turns


@transaction.atomic
def facilitation_pass(*, turn: FacilitationTurn, actor: Person) -> FacilitationTurn:
    """Let the person whose turn it is pass it: the pass is recorded and the next one asked.

    Returns the new turn. Whoever passed for this meeting or decision is not asked again for it.
    """
    turn = (
        FacilitationTurn.objects.select_for_update(of=("self",))
        .select_related("circle", "decision")
        .get(pk=turn.pk)
    )
    if actor.pk != turn.person_id:
        raise PermissionDenied("decisions.pass_turn")
    if turn.kind != FacilitationTurn.Kind.SERVED:
        raise ProcessConflict(_("This turn was already passed."), state=turn.kind)
    decision = turn.decision
    if decision is not None:
        decision = lock_decision(decision)
        refuse_if_final(decision)
        if selectors.current_round(decision) is not None:
            raise ProcessConflict(
                _("Pass your turn between rounds, not during one."), state=decision.state
            )
    same = FacilitationTurn.objects.filter(
        circle=turn.circle, decision=decision, meeting=turn.meeting, held_on=turn.held_on
    )
    turn.kind = FacilitationTurn.Kind.PASSED
    turn.save(update_fields=["kind"])
    passed = set(same.filter(kind="passed").values_list("person_id", flat=True))
    other_role = set(
        same.filter(kind="served").exclude(role=turn.role).values_list("person_id", flat=True)
    )
    members, history, unavailable = selectors.rotation_inputs(turn.circle, turn.held_on, passed)
    queue = rotation_queue(
        members,
        history,
        role=turn.role,
        unavailable=unavailable,
        holding_other_role={str(pk) for pk in other_role},
    ).queue
    successor = _record_turn(
        circle=turn.circle,
        role=turn.role,
        person_id=_pick(queue, turn.role),
        held_on=turn.held_on,
        meeting=turn.meeting,
        decision=decision,
    )
    if decision is not None:
        setattr(decision, f"{turn.role}_id", successor.person_id)
        decision.save(update_fields=[turn.role])
    audit_record(
        actor=actor,
        action="circle.turn_pass",
        target=turn,
        data={"role": turn.role, "next": successor.person_id},
    )
    notify(
        turn.circle,
        "turn_passed",
        {"role": FacilitationTurn.Role(turn.role).label, "name": actor.public_name},
        url=decision.get_absolute_url() if decision else turn.circle.get_absolute_url(),
        only=[successor.person_id],
    )
    return successor


@transaction.atomic
def facilitation_take_over(*, turn: FacilitationTurn, actor: Person) -> FacilitationTurn:
    """Let a member present take the turn of the person chosen, who is absent.

    The absent person's turn is recorded as passed and the actor serves in their place, so
    that someone present can always open the round. Returns the actor's turn.
    """
    turn = (
        FacilitationTurn.objects.select_for_update(of=("self",))
        .select_related("circle", "decision", "person")
        .get(pk=turn.pk)
    )
    require_rule(actor, "decisions.take_part", turn.circle)
    if actor.pk == turn.person_id:
        raise ValidationError(_("This is already your turn."))
    if not selectors.can_act(actor):
        raise PermissionDenied("decisions.take_over")
    if turn.kind != FacilitationTurn.Kind.SERVED:
        raise ProcessConflict(_("This turn was already passed."), state=turn.kind)
    decision = turn.decision
    if decision is not None:
        decision = lock_decision(decision)
        refuse_if_final(decision)
        if getattr(decision, f"{turn.role}_id") != turn.person_id:
            raise ProcessConflict(_("This turn is no longer the current one."), state=turn.kind)
        if selectors.current_round(decision) is not None:
            raise ProcessConflict(
                _("Take over between rounds, not during one."), state=decision.state
            )
    turn.kind = FacilitationTurn.Kind.PASSED
    turn.save(update_fields=["kind"])
    successor = _record_turn(
        circle=turn.circle,
        role=turn.role,
        person_id=actor.pk,
        held_on=turn.held_on,
        meeting=turn.meeting,
        decision=decision,
    )
    if decision is not None:
        setattr(decision, f"{turn.role}_id", actor.pk)
        decision.save(update_fields=[turn.role])
    audit_record(
        actor=actor,
        action="circle.turn_take_over",
        target=turn,
        data={"role": turn.role, "absent": turn.person_id},
    )
    return successor


@transaction.atomic
def unavailability_declare(
    *, circle: Circle, actor: Person, start: dt.date, end: dt.date
) -> Unavailability:
    """Declare oneself unavailable: the rotation skips the member on these dates."""
    require_rule(actor, "decisions.take_part", circle)
    if end < start:
        raise ValidationError({"end": _("The end comes after the start.")})
    return Unavailability.objects.create(circle=circle, person=actor, start=start, end=end)
