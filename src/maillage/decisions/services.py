"""Writes of the decisions app: every step of the consent process is one service here.

The process is the state machine of :mod:`maillage.analysis.consent` (draft → clarifying →
reactions → consent → (amend → consent)* → adopted, withdrawn from any open state). Each
transition checks its permission, locks the rows it changes, writes an audit entry and
emails the circle's members once the transaction has committed.

Errors: ``PermissionDenied`` (403), ``ValidationError`` (422, a clear message), and
:class:`ProcessConflict` (409) when the action does not fit the current state, e.g. answering
in a closed round; it carries the state so that the page and the API can show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.analysis import consent as consent_rules
from maillage.analysis.rotation import Nomination as PlainNomination
from maillage.analysis.rotation import rotation_queue, sociocratic_election
from maillage.core.mail import personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.decisions import selectors
from maillage.decisions.models import (
    Answer,
    AnswerChange,
    Circle,
    CircleMember,
    Decision,
    DecisionVersion,
    Delegation,
    Election,
    ElectionAnswer,
    FacilitationTurn,
    Grade,
    Nomination,
    Poll,
    PollOption,
    Round,
    RoundNote,
    Unavailability,
)
from maillage.decisions.permissions import can, person_is_member, require_rule

State = Decision.State
REVIEW_AFTER = dt.timedelta(days=365)
REMIND_BEFORE = dt.timedelta(hours=24)


class ProcessConflict(Exception):
    """The action does not fit the current state (HTTP 409); ``details`` says where things are."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


# ---------------------------------------------------------------- notifications


def _notify(
    circle: Circle, *, subject: str, body: str, url: str, only: Iterable[int] | None = None
) -> None:
    """Email the circle's active members (or ``only`` those) after the transaction commits.

    One message per recipient, so that nobody sees the others' addresses (``core.mail``).
    """
    members = circle.memberships.filter(active_q()).filter(person__is_active=True)
    if only is not None:
        members = members.filter(person_id__in=list(only))
    recipients = list(members.values_list("person__email", flat=True))
    if not recipients:
        return
    text = f"{body}\n\n{settings.SITE_URL}{url}\n"
    send_on_commit(personal_messages(f"[{circle.name}] {subject}", text, recipients))


# ---------------------------------------------------------------- circles


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
    _notify(
        circle,
        subject=_("You joined the circle"),
        body=_("You are now a member of %(circle)s.") % {"circle": circle.name},
        url=circle.get_absolute_url(),
        only=[person.pk],
    )
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


# ---------------------------------------------------------------- proposals and versions


@transaction.atomic
def decision_propose(
    *,
    circle: Circle,
    actor: Any,
    title: str,
    text: str,
    scope: Iterable[Delegation] = (),
    review_date: dt.date | None = None,
) -> Decision:
    """Put a proposal before the circle (members only); its text is version 1."""
    require_rule(actor, "decisions.propose", circle)
    errors = {}
    if not title.strip():
        errors["title"] = _("A proposal needs a title.")
    if not text.strip():
        errors["text"] = _("A proposal needs its text.")
    scope = list(scope)
    if scope and not circle.is_committee:
        errors["scope"] = _("Only a steering committee's decisions name delegations.")
    if any(d.circle_id != circle.pk for d in scope):
        errors["scope"] = _("Every delegation concerned must sit on this committee.")
    if review_date is not None and review_date <= timezone.localdate():
        errors["review_date"] = _("The review date must be in the future.")
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        circle=circle, title=title.strip(), author=actor, review_date=review_date
    )
    if scope:
        decision.scope.set(scope)
    DecisionVersion.objects.create(
        decision=decision,
        number=1,
        text=text.strip(),
        author=actor,
        note=_("First version."),
    )
    audit_record(
        actor=actor,
        action="decision.propose",
        target=decision,
        data={"scope": [d.pk for d in scope]},
    )
    _notify(
        circle,
        subject=_("New proposal: %(title)s") % {"title": decision.title},
        body=_("%(author)s put a proposal before the circle.") % {"author": actor.public_name},
        url=decision.get_absolute_url(),
    )
    return decision


def _lock_decision(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("circle").get(pk=decision.pk)


def _refuse_if_final(decision: Decision) -> None:
    if decision.state in (State.ADOPTED, State.WITHDRAWN):
        raise ProcessConflict(
            _("This decision is %(state)s: it cannot change any more (a change is a new proposal).")
            % {"state": decision.get_state_display()},
            state=decision.state,
        )


@transaction.atomic
def decision_amend(
    *,
    decision: Decision,
    actor: Any,
    text: str,
    note: str,
    integrations: Mapping[int, str] | None = None,
) -> DecisionVersion:
    """Amend the proposal: a new version, saying how each objection it answers was integrated.

    Allowed to the author and the facilitator before adoption, never while the text is in its
    consent round.
    """
    decision = _lock_decision(decision)
    require_rule(actor, "decisions.amend", decision)
    _refuse_if_final(decision)
    open_round = selectors.current_round(decision)
    if open_round is not None and open_round.kind == Round.Kind.CONSENT:
        raise ProcessConflict(
            _("The text cannot change during its consent round: close the round first."),
            state=decision.state,
            round=open_round.number,
            round_state=open_round.state,
        )
    text = text.strip()
    latest = selectors.latest_version(decision)
    errors = {}
    if not text:
        errors["text"] = _("The amended text cannot be empty.")
    elif text == latest.text:
        errors["text"] = _("The amendment changes nothing in the text.")
    if not note.strip():
        errors["note"] = _("Say what changed and why.")
    objections: list[Answer] = []
    if integrations:
        objections = list(
            Answer.objects.filter(
                pk__in=list(integrations),
                round__decision=decision,
                kind=Answer.Kind.OBJECTION,
                round__state=Round.State.CLOSED,
            )
        )
        if len(objections) != len(integrations):
            errors["integrations"] = _(
                "Only objections raised in a closed consent round of this decision can be "
                "integrated."
            )
        elif any(not how.strip() for how in integrations.values()):
            errors["integrations"] = _("Say how each objection was integrated.")
    if errors:
        raise ValidationError(errors)
    version = DecisionVersion.objects.create(
        decision=decision, number=latest.number + 1, text=text, note=note.strip(), author=actor
    )
    for objection in objections:
        objection.integration = integrations[objection.pk].strip()
        objection.integrated_in = version
        objection.save(update_fields=["integration", "integrated_in", "updated_at"])
    audit_record(
        actor=actor,
        action="decision.amend",
        target=decision,
        data={"version": version.number, "integrates": [o.pk for o in objections]},
    )
    _notify(
        decision.circle,
        subject=_("Proposal amended: %(title)s") % {"title": decision.title},
        body=_("Version %(number)s: %(note)s") % {"number": version.number, "note": version.note},
        url=decision.get_absolute_url(),
    )
    return version


@transaction.atomic
def decision_withdraw(*, decision: Decision, actor: Any) -> Decision:
    """Withdraw a proposal (its author or facilitator); an open round is closed with it."""
    decision = _lock_decision(decision)
    require_rule(actor, "decisions.amend", decision)
    target = _transition(decision, State.WITHDRAWN)
    decision.rounds.filter(state=Round.State.OPEN).update(
        state=Round.State.CLOSED, closed_at=timezone.now()
    )
    decision.state = target
    decision.save(update_fields=["state"])
    audit_record(actor=actor, action="decision.withdraw", target=decision)
    _notify(
        decision.circle,
        subject=_("Proposal withdrawn: %(title)s") % {"title": decision.title},
        body=_("The proposal was withdrawn."),
        url=decision.get_absolute_url(),
    )
    return decision


def _transition(decision: Decision, target: str) -> str:
    """Return ``target`` when the state machine allows it; raise ProcessConflict else."""
    try:
        return consent_rules.check_transition(decision.state, target).value
    except consent_rules.TransitionError as error:
        raise ProcessConflict(
            _("This step is not possible now: the decision is at “%(state)s”.")
            % {"state": decision.get_state_display()},
            state=decision.state,
            allowed=list(error.allowed),
        ) from None


# ---------------------------------------------------------------- rounds


@transaction.atomic
def round_open(
    *,
    decision: Decision,
    actor: Any,
    kind: str,
    mode: str,
    deadline: dt.datetime | None = None,
) -> Round:
    """Open the next round (only the decision's facilitator): the state machine moves to it.

    A consent round that closed without an outcome (members missing) may be opened again.
    """
    decision = _lock_decision(decision)
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
    _refuse_if_final(decision)
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
        _transition(decision, kind)
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
    if mode == Round.Mode.ASYNC:
        body = _("Round %(number)s (%(kind)s) is open online until %(deadline)s.") % {
            "number": number,
            "kind": round_.get_kind_display(),
            "deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M"),
        }
    else:
        body = _("Round %(number)s (%(kind)s) is open in the meeting.") % {
            "number": number,
            "kind": round_.get_kind_display(),
        }
    _notify(
        decision.circle,
        subject=_("%(kind)s round open: %(title)s")
        % {"kind": round_.get_kind_display(), "title": decision.title},
        body=body,
        url=round_.get_absolute_url(),
    )
    return round_


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
def round_close(*, round: Round, actor: Any) -> Round:
    """Close a round (only the facilitator); a consent round's outcome moves the decision.

    Adopted when no objection stands and every concerned delegation consents by its rule;
    objections send it to ``amend``; an incomplete round leaves it in ``consent``.
    """
    round_ = _lock_round(round)
    decision = _lock_decision(round_.decision)
    round_.decision = decision
    require_rule(actor, "decisions.facilitate", decision)
    return _round_close_locked(round_, decision, actor)


def _round_close_locked(round_: Round, decision: Decision, actor: Any) -> Round:
    _refuse_if_closed(round_)
    round_.state = Round.State.CLOSED
    round_.closed_at = timezone.now()
    fields = ["state", "closed_at"]
    previous = decision.state
    if round_.kind == Round.Kind.CONSENT:
        outcome = selectors.consent_outcome(round_)
        target = consent_rules.state_after_consent_round(outcome.analysis).value
        if target != decision.state:
            decision.state = _transition(decision, target)
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
    if decision.state == State.ADOPTED:
        subject = _("Adopted: %(title)s") % {"title": decision.title}
        body = _("No objection stands: the decision is adopted. Review date: %(date)s.") % {
            "date": decision.review_date.strftime("%d/%m/%Y")
        }
    elif decision.state == State.AMEND:
        subject = _("Objections to integrate: %(title)s") % {"title": decision.title}
        count = round_.outcome.get("objections", 0)
        body = ngettext(
            "%(count)s objection stands: the proposal will be amended to integrate it.",
            "%(count)s objections stand: the proposal will be amended to integrate them.",
            count,
        ) % {"count": count}
    else:
        subject = _("Round closed: %(title)s") % {"title": decision.title}
        body = _("Round %(number)s (%(kind)s) is closed.") % {
            "number": round_.number,
            "kind": round_.get_kind_display(),
        }
    _notify(decision.circle, subject=subject, body=body, url=decision.get_absolute_url())
    return round_


def _validate_answer(kind: str, reason: str, acceptable_if: str) -> None:
    if kind not in Answer.Kind.values:
        raise ValidationError({"kind": _("Unknown answer: consent, objection or stand_aside.")})
    if kind == Answer.Kind.OBJECTION:
        errors = {}
        if not reason.strip():
            errors["reason"] = _(
                "An objection needs its reason: say why the proposal would harm the circle's aim."
            )
        if not acceptable_if.strip():
            errors["acceptable_if"] = _(
                "An objection needs what would make the proposal acceptable to you."
            )
        if errors:
            raise ValidationError(errors)


def _speaker(round_: Round, actor: Any, member: Any) -> Any:
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


def answer_submit(
    *,
    round: Round,
    actor: Any,
    kind: str,
    reason: str = "",
    acceptable_if: str = "",
    member: Any = None,
) -> Answer:
    """Record a member's consent, reasoned objection or stand-aside in an open consent round.

    One answer in force per member (a database constraint); changing it while the round is open
    keeps the former one in the history. Submitting the same answer again changes nothing.
    """
    with transaction.atomic():
        round_ = _lock_round(round)
        speaker = _speaker(round_, actor, member)
        circle = round_.decision.circle
        if (
            circle.is_committee
            and not circle.memberships.filter(person=speaker, delegation__isnull=False)
            .filter(active_q())
            .exists()
        ):
            raise PermissionDenied("decisions.answer_as_delegate")
        _refuse_if_closed(round_)
        if round_.kind != Round.Kind.CONSENT:
            raise ValidationError(
                _("This is a %(kind)s round: add a question or a reaction, not an answer.")
                % {"kind": round_.get_kind_display()}
            )
        _validate_answer(kind, reason, acceptable_if)
        reason, acceptable_if = (
            (reason.strip(), acceptable_if.strip()) if kind == Answer.Kind.OBJECTION else ("", "")
        )
        answer = Answer.objects.filter(round=round_, member=speaker).first()
        if answer is not None and (answer.kind, answer.reason, answer.acceptable_if) == (
            kind,
            reason,
            acceptable_if,
        ):
            return answer
        if answer is None:
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        round=round_,
                        member=speaker,
                        kind=kind,
                        reason=reason,
                        acceptable_if=acceptable_if,
                        position=round_.answers.count() + 1,
                        recorded_by=actor,
                    )
            except IntegrityError:
                # The constraint is the guarantee: a concurrent first answer won the race.
                answer = Answer.objects.get(round=round_, member=speaker)
                if (answer.kind, answer.reason, answer.acceptable_if) == (
                    kind,
                    reason,
                    acceptable_if,
                ):
                    return answer
        else:
            answer.kind, answer.reason, answer.acceptable_if = kind, reason, acceptable_if
            answer.recorded_by = actor
            answer.save(
                update_fields=["kind", "reason", "acceptable_if", "recorded_by", "updated_at"]
            )
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
            _notify(
                circle,
                subject=_("Objection: %(title)s") % {"title": round_.decision.title},
                body=_("Reason: %(reason)s\nAcceptable if: %(acceptable_if)s")
                % {"reason": reason, "acceptable_if": acceptable_if},
                url=round_.get_absolute_url(),
            )
    return answer


@transaction.atomic
def note_add(*, round: Round, actor: Any, text: str, member: Any = None) -> RoundNote:
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
def note_reply(*, note: RoundNote, actor: Any, reply: str) -> RoundNote:
    """Answer a clarifying question (the proposal's author or facilitator)."""
    require_rule(actor, "decisions.amend", note.round.decision)
    if not reply.strip():
        raise ValidationError({"reply": _("Write the reply.")})
    note.reply = reply.strip()
    note.save(update_fields=["reply"])
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
            decision = _lock_decision(round_.decision)
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
            _notify(
                circle,
                subject=_("Reminder: %(title)s") % {"title": round_.decision.title},
                body=_("Round %(number)s closes on %(deadline)s and we have not heard from you.")
                % {
                    "number": round_.number,
                    "deadline": timezone.localtime(round_.deadline).strftime("%d/%m/%Y %H:%M"),
                },
                url=round_.get_absolute_url(),
                only=waiting,
            )
            reminded += len(waiting)
    return reminded


# ---------------------------------------------------------------- rotation


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
def decision_assign_roles(*, decision: Decision, actor: Any, on: dt.date | None = None) -> Decision:
    """Give the decision a facilitator and a secretary by rotation; the turns are recorded."""
    decision = _lock_decision(decision)
    require_rule(actor, "decisions.assign_roles", decision.circle)
    _refuse_if_final(decision)
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
    _notify(
        decision.circle,
        subject=_("Your turn: %(title)s") % {"title": decision.title},
        body=_(
            "The rotation asks you to facilitate or take the minutes for this decision. "
            "You may pass your turn on its page."
        ),
        url=decision.get_absolute_url(),
        only=[facilitator_id, secretary_id],
    )
    return decision


@transaction.atomic
def meeting_roles_assign(
    *, circle: Circle, actor: Any, held_on: dt.date, meeting: str
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
def facilitation_pass(*, turn: FacilitationTurn, actor: Any) -> FacilitationTurn:
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
        decision = _lock_decision(decision)
        _refuse_if_final(decision)
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
    _notify(
        turn.circle,
        subject=_("Your turn: %(role)s") % {"role": FacilitationTurn.Role(turn.role).label},
        body=_("%(name)s passed their turn; the rotation asks you.") % {"name": actor.public_name},
        url=decision.get_absolute_url() if decision else turn.circle.get_absolute_url(),
        only=[successor.person_id],
    )
    return successor


@transaction.atomic
def unavailability_declare(
    *, circle: Circle, actor: Any, start: dt.date, end: dt.date
) -> Unavailability:
    """Declare oneself unavailable: the rotation skips the member on these dates."""
    require_rule(actor, "decisions.take_part", circle)
    if end < start:
        raise ValidationError({"end": _("The end comes after the start.")})
    return Unavailability.objects.create(circle=circle, person=actor, start=start, end=end)


# ---------------------------------------------------------------- elections


@transaction.atomic
def election_open(*, circle: Circle, actor: Any, role: str) -> Election:
    """Open a sociocratic election for a role; the member who opens it facilitates it."""
    require_rule(actor, "decisions.open_election", circle)
    if not person_is_member(actor, circle):
        raise PermissionDenied("decisions.take_part")
    if not role.strip():
        raise ValidationError({"role": _("Name the role to fill.")})
    election = Election.objects.create(circle=circle, role=role.strip(), facilitator=actor)
    audit_record(actor=actor, action="election.open", target=election)
    _notify(
        circle,
        subject=_("Election: %(role)s") % {"role": election.role},
        body=_("Nominate someone, with your reason."),
        url=election.get_absolute_url(),
    )
    return election


def _lock_election(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("circle").get(pk=election.pk)


@transaction.atomic
def nomination_submit(*, election: Election, actor: Any, nominee: Any, reason: str) -> Nomination:
    """Nominate a member with a reason (first round) or change one's nomination (change round)."""
    election = _lock_election(election)
    require_rule(actor, "decisions.take_part", election)
    if election.state not in (Election.State.NOMINATIONS, Election.State.CHANGES):
        raise ProcessConflict(_("Nominations are closed."), state=election.state)
    if not person_is_member(nominee, election.circle):
        raise ValidationError({"nominee": _("Only a member of the circle can be nominated.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for your nomination.")})
    is_change = election.state == Election.State.CHANGES
    if is_change and not election.nominations.filter(voter=actor, is_change=False).exists():
        raise ValidationError(_("Only who nominated in the first round can change it."))
    nomination, _created = Nomination.objects.update_or_create(
        election=election,
        voter=actor,
        is_change=is_change,
        defaults={"nominee": nominee, "reason": reason.strip()},
    )
    return nomination


def _election_outcome(election: Election, with_consent: bool) -> Any:
    members = [str(m.person_id) for m in selectors.circle_active_members(election.circle)]
    allowed = set(members)
    first: list[PlainNomination] = []
    changes: list[PlainNomination] = []
    for row in election.nominations.all():
        if str(row.voter_id) in allowed and str(row.nominee_id) in allowed:
            plain = PlainNomination(str(row.voter_id), str(row.nominee_id), row.reason)
            (changes if row.is_change else first).append(plain)
    answers = None
    if with_consent:
        answers = [
            consent_rules.Answer(
                str(a.member_id), consent_rules.AnswerKind(a.kind), a.reason, a.acceptable_if
            )
            for a in election.answers.all()
            if str(a.member_id) in allowed
        ]
    past_terms: dict[str, int] = {}
    for elected_id in Election.objects.filter(
        circle=election.circle, role=election.role, state=Election.State.ELECTED
    ).values_list("proposed_id", flat=True):
        past_terms[str(elected_id)] = past_terms.get(str(elected_id), 0) + 1
    return sociocratic_election(
        members, first, changes=changes, past_terms=past_terms, consent_answers=answers
    )


@transaction.atomic
def election_advance(*, election: Election, actor: Any) -> Election:
    """Move the election on (its facilitator): nominations → change round → consent → result."""
    election = _lock_election(election)
    require_rule(actor, "decisions.run_election", election)
    if election.state == Election.State.NOMINATIONS:
        if not election.nominations.exists():
            raise ValidationError(_("Nobody has been nominated yet."))
        election.state = Election.State.CHANGES
        election.save(update_fields=["state"])
    elif election.state == Election.State.CHANGES:
        try:
            outcome = _election_outcome(election, with_consent=False)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        election.proposed_id = int(outcome.proposed)
        election.state = Election.State.CONSENT
        election.save(update_fields=["state", "proposed"])
    elif election.state == Election.State.CONSENT:
        outcome = _election_outcome(election, with_consent=True)
        if outcome.consent.status is consent_rules.OutcomeStatus.PENDING:
            raise ValidationError(_("Every member has not answered yet."))
        election.state = Election.State.ELECTED if outcome.elected else Election.State.OBJECTED
        election.closed_at = timezone.now()
        election.save(update_fields=["state", "closed_at"])
    else:
        raise ProcessConflict(_("This election is over."), state=election.state)
    audit_record(
        actor=actor, action="election.advance", target=election, data={"state": election.state}
    )
    _notify(
        election.circle,
        subject=_("Election %(role)s: %(state)s")
        % {"role": election.role, "state": election.get_state_display()},
        body=_("The election moves on."),
        url=election.get_absolute_url(),
    )
    return election


@transaction.atomic
def election_answer(
    *, election: Election, actor: Any, kind: str, reason: str = "", acceptable_if: str = ""
) -> ElectionAnswer:
    """Consent, object (with reason and remedy) or stand aside on the proposed person."""
    election = _lock_election(election)
    require_rule(actor, "decisions.take_part", election)
    if election.state != Election.State.CONSENT:
        raise ProcessConflict(
            _("The consent round of this election is not open."), state=election.state
        )
    _validate_answer(kind, reason, acceptable_if)
    answer, _created = ElectionAnswer.objects.update_or_create(
        election=election,
        member=actor,
        defaults={"kind": kind, "reason": reason.strip(), "acceptable_if": acceptable_if.strip()},
    )
    return answer


# ---------------------------------------------------------------- polls


@transaction.atomic
def poll_open(
    *,
    circle: Circle,
    actor: Any,
    title: str,
    question: str,
    method: str,
    options: Iterable[str | tuple[str, str]],
    decision: Decision | None = None,
) -> Poll:
    """Open a majority-judgment or approval poll among at least two options."""
    require_rule(actor, "decisions.open_poll", circle)
    pairs = [(o, "") if isinstance(o, str) else o for o in options]
    pairs = [(label.strip(), description) for label, description in pairs if label.strip()]
    errors = {}
    if method not in Poll.Method.values:
        errors["method"] = _("Unknown method: majority_judgment or approval.")
    if not title.strip():
        errors["title"] = _("A poll needs a title.")
    if len(pairs) < 2:
        errors["options"] = _("A poll needs at least two options.")
    elif len({label for label, _d in pairs}) != len(pairs):
        errors["options"] = _("Two options have the same label.")
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(
        circle=circle,
        decision=decision,
        title=title.strip(),
        question=question.strip(),
        method=method,
        opened_by=actor,
    )
    PollOption.objects.bulk_create(
        [
            PollOption(poll=poll, label=label, description=description, position=index)
            for index, (label, description) in enumerate(pairs)
        ]
    )
    audit_record(actor=actor, action="poll.open", target=poll, data={"method": method})
    _notify(
        circle,
        subject=_("Vote: %(title)s") % {"title": poll.title},
        body=poll.question,
        url=poll.get_absolute_url(),
    )
    return poll


def poll_submit(*, poll: Poll, actor: Any, grades: Mapping[int, int]) -> list[Grade]:
    """Record a voter's ballot: a grade for every option (approval: 1 or 0 for each).

    One grade per voter and option (a database constraint); voting again while the poll is
    open replaces the ballot.
    """
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("circle").get(pk=poll.pk)
        require_rule(actor, "decisions.take_part", poll)
        if poll.state != Poll.State.OPEN:
            raise ProcessConflict(_("This poll is closed."), state=poll.state)
        options = {o.pk: o for o in poll.options.all()}
        top = len(poll.grade_labels) - 1
        clean = {int(k): v for k, v in grades.items()}
        missing = [pk for pk in options if pk not in clean]
        unknown = [pk for pk in clean if pk not in options]
        errors = []
        if unknown:
            errors.append(
                _("These options are not in the poll: %(ids)s")
                % {"ids": ", ".join(map(str, unknown))}
            )
        if missing and poll.method == Poll.Method.MAJORITY_JUDGMENT:
            errors.append(
                _("Grade every option; missing: %(labels)s")
                % {"labels": ", ".join(options[pk].label for pk in missing)}
            )
        if any(
            not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= top
            for v in clean.values()
        ):
            errors.append(_("A grade is a whole number from 0 to %(top)s.") % {"top": top})
        if errors:
            raise ValidationError(errors)
        for pk in missing:  # approval: an option left unticked is not approved
            clean[pk] = 0
        rows = []
        for option_id, value in clean.items():
            row, _created = Grade.objects.update_or_create(
                poll=poll, voter=actor, option_id=option_id, defaults={"grade": value}
            )
            rows.append(row)
    return rows


@transaction.atomic
def poll_close(*, poll: Poll, actor: Any) -> Poll:
    """Close the poll (who opened it, or the circle's stewards); results are final."""
    poll = Poll.objects.select_for_update().select_related("circle").get(pk=poll.pk)
    require(actor, "decisions.close_poll", poll)
    if poll.state != Poll.State.OPEN:
        raise ProcessConflict(_("This poll is already closed."), state=poll.state)
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["state", "closed_at"])
    audit_record(actor=actor, action="poll.close", target=poll)
    _notify(
        poll.circle,
        subject=_("Results: %(title)s") % {"title": poll.title},
        body=_("The poll is closed; the results are on its page."),
        url=poll.get_absolute_url(),
    )
    return poll
