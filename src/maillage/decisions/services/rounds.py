"""Rounds of a proposal: open and close them, answer a consent round, ask and react, deadlines.

A consent round's answers are written under the lock of the round's row, which its closing
takes too: an answer is either in the outcome or refused as late, never lost in between.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis import consent as consent_rules
from maillage.core.periods import active_q
from maillage.core.services import audit_record
from maillage.decisions import selectors
from maillage.decisions.models import Answer, AnswerChange, Decision, Round, RoundNote
from maillage.decisions.permissions import can, person_is_member, require_rule
from maillage.decisions.services.common import (
    ProcessConflict,
    State,
    lock_decision,
    notify,
    refuse_if_final,
    transition,
    validate_answer,
)

if TYPE_CHECKING:
    from maillage.people.models import Person


REVIEW_AFTER = dt.timedelta(days=365)
REMIND_BEFORE = dt.timedelta(hours=24)


@transaction.atomic
def round_open(
    *,
    decision: Decision,
    actor: Person,
    kind: str,
    mode: str,
    deadline: dt.datetime | None = None,
) -> Round:
    """Open the next round (only the decision's facilitator): the state machine moves to it.

    A consent round that closed without an outcome (members missing) may be opened again.
    """
    decision = lock_decision(decision)
    require_rule(actor, "decisions.facilitate", decision)
    errors = {}
    if kind not in Round.Kind.values:
        errors["kind"] = _("Unknown kind of round: clarifying, reactions or consent.")
    if mode not in Round.Mode.values:
        errors["mode"] = _("Unknown mode: live or async.")
    if mode == Round.Mode.ASYNC and (deadline is None or deadline <= timezone.now()):
        errors["deadline"] = _("An online round needs a deadline in the future.")
    if errors:
        raise ValidationError(errors)
    refuse_if_final(decision)
    open_round = selectors.current_round(decision)
    if open_round is not None:
        raise ProcessConflict(
            _("Round %(number)s is still open: close it first.") % {"number": open_round.number},
            state=decision.state,
            round=open_round.number,
            round_state=open_round.state,
        )
    version = selectors.latest_version(decision)
    reopening = decision.state == kind == State.CONSENT
    if not reopening:
        transition(decision, kind)
    if kind == Round.Kind.CONSENT and decision.state == State.AMEND:
        last = selectors.latest_consent_round(decision)
        if last is not None and last.version_id == version.pk:
            raise ProcessConflict(
                _(
                    "Integrate the objections first: amend the proposal, then open the consent "
                    "round on the new version."
                ),
                state=decision.state,
            )
    if kind == Round.Kind.CONSENT and decision.circle.is_committee:
        _refuse_committee_not_ready(decision)
    number = (decision.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = Round.objects.create(
        decision=decision,
        number=number,
        kind=kind,
        mode=mode,
        deadline=deadline if mode == Round.Mode.ASYNC else None,
        version=version,
        facilitator=actor,
        secretary=decision.secretary,
    )
    previous = decision.state
    decision.state = kind
    decision.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="decision.round_open",
        target=round_,
        data={"kind": kind, "mode": mode, "from": previous, "version": version.number},
    )
    notify(
        decision.circle,
        "round_opened",
        {"decision": decision, "round": round_},
        url=round_.get_absolute_url(),
    )
    return round_


def _refuse_committee_not_ready(decision: Decision) -> None:
    """Refuse a consent round a steering committee could not answer by its own rules.

    Every concerned delegation needs a delegate, and the head of a delegation deciding by its
    head's voice must sit in it; a committee without a delegation has nobody to consent.
    """
    delegations = selectors.circle_delegations(decision.circle)
    if not delegations:
        raise ValidationError(
            _(
                "This steering committee has no delegation yet: add the member institutions "
                "and their delegates before opening the consent round."
            )
        )
    scope = {d.pk for d in decision.scope.all()}
    problems = []
    for delegation in delegations:
        if scope and delegation.pk not in scope:
            continue
        delegates = {m.person_id for m in delegation.active_delegates}
        if not delegates:
            problems.append(_("%(name)s has no delegate.") % {"name": delegation.organization.name})
        elif delegation.rule == "head" and delegation.head_id not in delegates:
            problems.append(
                _("%(name)s decides by its head's voice, and its head no longer sits in it.")
                % {"name": delegation.organization.name}
            )
    if problems:
        raise ValidationError(
            [
                _(
                    "The consent round cannot open: each delegation concerned must be able to answer."
                ),
                *problems,
            ]
        )


def _lock_round(round_: Round) -> Round:
    return (
        Round.objects.select_for_update()
        .select_related("decision", "decision__circle")
        .get(pk=round_.pk)
    )


def _refuse_if_closed(round_: Round) -> None:
    if not round_.is_open:
        raise ProcessConflict(
            _("Round %(number)s is closed: nothing can be added to it.")
            % {"number": round_.number},
            round=round_.number,
            round_state=round_.state,
            state=round_.decision.state,
        )


@transaction.atomic
def round_close(*, round: Round, actor: Person) -> Round:
    """Close a round (only the facilitator); a consent round's outcome moves the decision.

    Adopted when no objection stands and every concerned delegation consents by its rule;
    objections send it to ``amend``; an incomplete round leaves it in ``consent``.
    """
    round_ = _lock_round(round)
    decision = lock_decision(round_.decision)
    round_.decision = decision
    require_rule(actor, "decisions.facilitate", decision)
    return _round_close_locked(round_, decision, actor)


def _round_close_locked(round_: Round, decision: Decision, actor: Person | None) -> Round:
    _refuse_if_closed(round_)
    round_.state = Round.State.CLOSED
    round_.closed_at = timezone.now()
    fields = ["state", "closed_at"]
    previous = decision.state
    if round_.kind == Round.Kind.CONSENT:
        outcome = selectors.consent_outcome(round_)
        target = consent_rules.state_after_consent_round(outcome.analysis).value
        if target != decision.state:
            decision.state = transition(decision, target)
        round_.outcome = outcome.as_json()
        fields.append("outcome")
        if decision.state == State.ADOPTED:
            decision.adopted_at = round_.closed_at
            decision.review_date = decision.review_date or (timezone.localdate() + REVIEW_AFTER)
        decision.save(update_fields=["state", "adopted_at", "review_date"])
    round_.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="decision.round_close",
        target=round_,
        data={
            "kind": round_.kind,
            "from": previous,
            "to": decision.state,
            "outcome": round_.outcome.get("status"),
        },
    )
    template: dict[str, str] = {
        State.ADOPTED: "decision_adopted",
        State.AMEND: "objections_to_integrate",
    }
    notify(
        decision.circle,
        template.get(decision.state, "round_closed"),
        {"decision": decision, "round": round_, "objections": round_.outcome.get("objections", 0)},
        url=decision.get_absolute_url(),
    )
    return round_


def _speaker(round_: Round, actor: Person, member: Any) -> Any:
    """Return whose voice is recorded; check the actor may record it.

    Live rounds: the facilitator records what each member says in meeting order. Online
    rounds: each member answers for themselves.
    """
    circle = round_.decision.circle
    if round_.mode == Round.Mode.LIVE and member is not None and member.pk != actor.pk:
        require_rule(actor, "decisions.facilitate", round_)
        if not person_is_member(member, circle):
            raise ValidationError({"member": _("This person is not a member of the circle.")})
        return member
    require_rule(actor, "decisions.take_part", round_)
    if round_.mode == Round.Mode.LIVE and not can(actor, "decisions.facilitate", round_):
        raise PermissionDenied("decisions.facilitate")
    return actor


def _require_delegate(round_: Round, speaker: Any) -> None:
    """Refuse an answer in a steering committee from a member who sits in no delegation."""
    circle = round_.decision.circle
    if not circle.is_committee:
        return
    delegates = circle.memberships.filter(active_q(), person=speaker, delegation__isnull=False)
    if not delegates.exists():
        raise PermissionDenied(
            _(
                "In a steering committee only the delegates answer: you sit in no delegation, "
                "so you run the round without a voice in it."
            )
        )


@transaction.atomic
def answer_submit(
    *,
    round: Round,
    actor: Person,
    kind: str,
    reason: str = "",
    acceptable_if: str = "",
    member: Any = None,
) -> Answer:
    """Record a member's consent, reasoned objection or stand-aside in an open consent round.

    One answer in force per member (a database constraint); changing it while the round is open
    keeps the former one in the history. Submitting the same answer again changes nothing.

    Every writer of a round's answers holds the lock on the round's row first, so concurrent
    submissions run one after the other and each reads the answer the previous one committed;
    the constraint guarantees the one answer should a writer ever skip the lock.
    """
    round_ = _lock_round(round)
    speaker = _speaker(round_, actor, member)
    _require_delegate(round_, speaker)
    _refuse_if_closed(round_)
    if round_.kind != Round.Kind.CONSENT:
        raise ValidationError(
            _("This is a %(kind)s round: add a question or a reaction, not an answer.")
            % {"kind": round_.get_kind_display()}
        )
    validate_answer(kind, reason, acceptable_if)
    if kind == Answer.Kind.OBJECTION:
        reason, acceptable_if = reason.strip(), acceptable_if.strip()
    else:
        reason, acceptable_if = "", ""
    answer = Answer.objects.filter(round=round_, member=speaker).first()
    if answer is None:
        answer = Answer(round=round_, member=speaker, position=round_.answers.count() + 1)
    elif (answer.kind, answer.reason, answer.acceptable_if) == (kind, reason, acceptable_if):
        return answer
    answer.kind, answer.reason, answer.acceptable_if = kind, reason, acceptable_if
    answer.recorded_by = actor
    changed = ["kind", "reason", "acceptable_if", "recorded_by", "updated_at"]
    answer.save(update_fields=changed if answer.pk else None)
    AnswerChange.objects.create(
        round=round_,
        member=speaker,
        kind=kind,
        reason=reason,
        acceptable_if=acceptable_if,
        recorded_by=actor,
    )
    if actor.pk != speaker.pk:
        audit_record(
            actor=actor,
            action="decision.answer_recorded",
            target=answer,
            data={"member": speaker.pk, "kind": kind},
        )
    if kind == Answer.Kind.OBJECTION:
        # An objection inside one delegation is shown to the whole committee.
        notify(
            round_.decision.circle,
            "objection_raised",
            {"decision": round_.decision, "reason": reason, "acceptable_if": acceptable_if},
            url=round_.get_absolute_url(),
        )
    return answer


@transaction.atomic
def note_add(*, round: Round, actor: Person, text: str, member: Any = None) -> RoundNote:
    """Add a clarifying question or a reaction (the facilitator records them in live rounds)."""
    round_ = _lock_round(round)
    speaker = _speaker(round_, actor, member)
    _refuse_if_closed(round_)
    if round_.kind == Round.Kind.CONSENT:
        raise ValidationError(
            _("In a consent round, give your answer: consent, objection or stand aside.")
        )
    if not text.strip():
        raise ValidationError({"text": _("Write your question or reaction.")})
    return RoundNote.objects.create(
        round=round_, member=speaker, text=text.strip(), recorded_by=actor
    )


@transaction.atomic
def note_reply(*, note: RoundNote, actor: Person, reply: str) -> RoundNote:
    """Answer a clarifying question (the proposal's author or facilitator)."""
    require_rule(actor, "decisions.amend", note.round.decision)
    refuse_if_final(note.round.decision)
    if not reply.strip():
        raise ValidationError({"reply": _("Write the reply.")})
    note.reply = reply.strip()
    note.save(update_fields=["reply"])
    audit_record(actor=actor, action="decision.note_reply", target=note)
    return note


def rounds_close_due(*, now: dt.datetime | None = None) -> int:
    """Close the online rounds whose deadline has passed, as their facilitator would; return how many.

    The outcome follows the same rules as a facilitator's closing (``round_close``); the audit
    log records it without an actor. Run it from the job scheduler or a timer.
    """
    now = now or timezone.now()
    due = Round.objects.filter(
        state=Round.State.OPEN, mode=Round.Mode.ASYNC, deadline__lte=now
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            round_ = Round.objects.select_for_update().select_related("decision").get(pk=pk)
            if round_.state != Round.State.OPEN:
                continue  # closed meanwhile by its facilitator or another process
            decision = lock_decision(round_.decision)
            round_.decision = decision
            _round_close_locked(round_, decision, None)
            closed += 1
    return closed


def rounds_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind who has not answered an online round closing within a day; return the count.

    Each round is reminded once (``reminded_at``); run it from cron or a timer every hour.
    """
    now = now or timezone.now()
    due = Round.objects.filter(
        state=Round.State.OPEN,
        mode=Round.Mode.ASYNC,
        reminded_at__isnull=True,
        deadline__lte=now + REMIND_BEFORE,
        deadline__gt=now,
    ).select_related("decision", "decision__circle")
    reminded = 0
    for round_ in due:
        with transaction.atomic():
            claimed = Round.objects.filter(pk=round_.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            circle = round_.decision.circle
            members = set(circle.memberships.filter(active_q()).values_list("person_id", flat=True))
            answered = set(round_.answers.values_list("member_id", flat=True))
            answered |= set(round_.notes.values_list("member_id", flat=True))
            waiting = members - answered
            notify(
                circle,
                "round_reminder",
                {"decision": round_.decision, "round": round_},
                url=round_.get_absolute_url(),
                only=waiting,
            )
            reminded += len(waiting)
    return reminded
