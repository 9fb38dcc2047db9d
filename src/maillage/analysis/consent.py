"""Consent decisions: answers, delegations' rules, the outcome, and the round state machine.

The process follows sociocratic consent as described by Endenburg (*Sociocracy: the
organization of decision-making*, 1998) and Buck & Villines (*We the People*, 2007): a proposal
is adopted when no member has a **reasoned objection**; a member may also **stand aside**
(neither consent nor block). An objection must give its reason and what would make the
proposal acceptable, so that it can be integrated by amending the proposal.

For a decision whose scope names several institutions (a steering committee, "comité de
pilotage"), each concerned delegation gives its consent by its own internal rule:

* ``unanimity`` — every delegate has answered, none objects, at least one consents;
* ``majority`` — more than half of the delegates consent (stand-asides and silence do not);
* ``head`` — the head of the delegation's answer is the delegation's answer.

The decision is adopted only when every concerned delegation consents by its rule **and** no
objection stands anywhere in the committee: an objection raised inside a delegation that
consents by majority is still an objection to integrate, and it is shown to the whole
committee. A concerned delegation that only stands aside has not consented: the scope names
it, so its consent is required (the facilitator seeks it, or the scope is changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class AnswerKind(StrEnum):
    """What a member says in a consent round."""

    CONSENT = "consent"
    OBJECTION = "objection"
    STAND_ASIDE = "stand_aside"


class DelegationRule(StrEnum):
    """How a delegation turns its delegates' answers into its own."""

    UNANIMITY = "unanimity"
    MAJORITY = "majority"
    HEAD = "head"


class DelegationStatus(StrEnum):
    """Where a delegation stands in the current consent round."""

    CONSENTS = "consents"
    OBJECTS = "objects"
    STANDS_ASIDE = "stands_aside"
    NOT_REACHED = "not_reached"
    PENDING = "pending"


class OutcomeStatus(StrEnum):
    """Where the decision stands: adopted, blocked by an objection, refused, or waiting."""

    ADOPTED = "adopted"
    OBJECTED = "objected"
    NOT_CONSENTED = "not_consented"
    PENDING = "pending"


class RoundState(StrEnum):
    """The states of a proposal's consent process."""

    DRAFT = "draft"
    CLARIFYING = "clarifying"
    REACTIONS = "reactions"
    CONSENT = "consent"
    AMEND = "amend"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


# draft → clarifying → reactions → consent → (amend → consent)* → adopted; withdrawn from any
# open state. Adopted and withdrawn are final: a changed decision is a new proposal.
ROUND_TRANSITIONS: Mapping[RoundState, frozenset[RoundState]] = {
    RoundState.DRAFT: frozenset({RoundState.CLARIFYING, RoundState.WITHDRAWN}),
    RoundState.CLARIFYING: frozenset({RoundState.REACTIONS, RoundState.WITHDRAWN}),
    RoundState.REACTIONS: frozenset({RoundState.CONSENT, RoundState.WITHDRAWN}),
    RoundState.CONSENT: frozenset({RoundState.AMEND, RoundState.ADOPTED, RoundState.WITHDRAWN}),
    RoundState.AMEND: frozenset({RoundState.CONSENT, RoundState.WITHDRAWN}),
    RoundState.ADOPTED: frozenset(),
    RoundState.WITHDRAWN: frozenset(),
}


class InvalidAnswerError(ValueError):
    """An answer that cannot be recorded, e.g. an objection without its reason."""


class TransitionError(ValueError):
    """A transition that the round's current state does not allow."""

    def __init__(self, current: RoundState, target: RoundState) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(sorted(ROUND_TRANSITIONS[current]))
        allowed = ", ".join(self.allowed) if self.allowed else "none: it is final"
        super().__init__(
            f"the proposal is in state '{current}', which cannot go to '{target}' "
            f"(allowed: {allowed})"
        )


@dataclass(frozen=True)
class Answer:
    """One member's answer; an objection requires ``reason`` and ``acceptable_if``."""

    member: str
    kind: AnswerKind
    reason: str = ""
    acceptable_if: str = ""

    def __post_init__(self) -> None:
        if self.kind is AnswerKind.OBJECTION:
            if not self.reason.strip():
                raise InvalidAnswerError(f"the objection of {self.member!r} needs its reason")
            if not self.acceptable_if.strip():
                raise InvalidAnswerError(
                    f"the objection of {self.member!r} needs what would make it acceptable"
                )


@dataclass(frozen=True)
class Delegation:
    """A member institution of a committee: its delegates and its internal consent rule."""

    name: str
    delegates: tuple[str, ...]
    rule: DelegationRule
    head: str | None = None

    def __post_init__(self) -> None:
        if not self.delegates:
            raise ValueError(f"delegation {self.name!r} has no delegate")
        if len(set(self.delegates)) != len(self.delegates):
            raise ValueError(f"delegation {self.name!r} lists a delegate twice")
        if self.rule is DelegationRule.HEAD and self.head not in self.delegates:
            raise ValueError(
                f"delegation {self.name!r} decides by its head's voice, "
                "so its head must be one of its delegates"
            )


@dataclass(frozen=True)
class DelegationResult:
    """A delegation's status with its counts, its objections and who has not answered."""

    delegation: str
    rule: DelegationRule
    status: DelegationStatus
    consents: int
    stand_asides: int
    objections: tuple[Answer, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ConsentOutcome:
    """The decision's status, every standing objection, and each delegation's result."""

    status: OutcomeStatus
    objections: tuple[Answer, ...]
    missing: tuple[str, ...]
    delegations: tuple[DelegationResult, ...] = field(default_factory=tuple)

    @property
    def adopted(self) -> bool:
        """Return True when the decision is adopted."""
        return self.status is OutcomeStatus.ADOPTED


def circle_outcome(members: Sequence[str], answers: Iterable[Answer]) -> ConsentOutcome:
    """Return the outcome of a consent round in a single circle.

    Adopted when every member has answered, no objection stands and at least one member
    consents (a round where everyone stands aside has adopted nothing); objected as soon as
    one objection stands, even before everyone has answered.
    """
    by_member = _answers_by_member(members, answers)
    objections = tuple(a for a in by_member.values() if a.kind is AnswerKind.OBJECTION)
    missing = tuple(m for m in members if m not in by_member)
    consents = sum(a.kind is AnswerKind.CONSENT for a in by_member.values())
    if objections:
        status = OutcomeStatus.OBJECTED
    elif missing:
        status = OutcomeStatus.PENDING
    elif consents == 0:
        status = OutcomeStatus.NOT_CONSENTED
    else:
        status = OutcomeStatus.ADOPTED
    return ConsentOutcome(status=status, objections=objections, missing=missing)


def committee_outcome(
    delegations: Sequence[Delegation],
    answers: Iterable[Answer],
    *,
    concerned: Iterable[str] | None = None,
) -> ConsentOutcome:
    """Return the outcome of a consent round in a multi-institution committee.

    ``concerned`` names the delegations the decision's scope covers (default: all). Every
    delegation's status is reported; only the concerned ones must consent, but an objection
    from any delegate stands for the whole committee.
    """
    names = [d.name for d in delegations]
    if len(set(names)) != len(names):
        raise ValueError("two delegations share a name")
    concerned_names = set(names if concerned is None else concerned)
    unknown = sorted(concerned_names - set(names))
    if unknown:
        raise ValueError(f"the decision's scope names unknown delegations: {unknown}")
    members = [m for d in delegations for m in d.delegates]
    if len(set(members)) != len(members):
        raise ValueError("a person sits in two delegations of the same committee")
    by_member = _answers_by_member(members, answers)
    results = tuple(_delegation_result(d, by_member) for d in delegations)
    objections = tuple(a for a in by_member.values() if a.kind is AnswerKind.OBJECTION)
    missing = tuple(m for m in members if m not in by_member)
    deciding = [r for r in results if r.delegation in concerned_names]
    if objections:
        status = OutcomeStatus.OBJECTED
    elif all(r.status is DelegationStatus.CONSENTS for r in deciding):
        status = OutcomeStatus.ADOPTED
    elif any(r.status is DelegationStatus.PENDING for r in deciding):
        status = OutcomeStatus.PENDING
    else:
        status = OutcomeStatus.NOT_CONSENTED
    return ConsentOutcome(
        status=status, objections=objections, missing=missing, delegations=results
    )


def check_transition(current: RoundState | str, target: RoundState | str) -> RoundState:
    """Return ``target`` as a state when ``current`` may go there; raise TransitionError else."""
    current_state = _state(current)
    target_state = _state(target)
    if target_state not in ROUND_TRANSITIONS[current_state]:
        raise TransitionError(current_state, target_state)
    return target_state


def state_after_consent_round(outcome: ConsentOutcome) -> RoundState:
    """Return where a closed consent round leads: adopted, amend (objections), or consent.

    A round closed while still pending or refused without objection stays in ``consent``:
    the facilitator reopens it or withdraws the proposal.
    """
    if outcome.status is OutcomeStatus.ADOPTED:
        return RoundState.ADOPTED
    if outcome.status is OutcomeStatus.OBJECTED:
        return RoundState.AMEND
    return RoundState.CONSENT


def _state(value: RoundState | str) -> RoundState:
    """Return ``value`` as a RoundState; raise ValueError naming the valid states."""
    try:
        return RoundState(value)
    except ValueError:
        valid = ", ".join(state.value for state in RoundState)
        raise ValueError(f"unknown state {value!r} (valid: {valid})") from None


def _answers_by_member(members: Sequence[str], answers: Iterable[Answer]) -> dict[str, Answer]:
    """Return each member's answer; refuse non-members and two answers from one member.

    A changed answer replaces the previous one in the service layer, which keeps history;
    this function gets the answers in force.
    """
    allowed = set(members)
    by_member: dict[str, Answer] = {}
    for answer in answers:
        if answer.member not in allowed:
            raise InvalidAnswerError(f"{answer.member!r} is not a member of this circle")
        if answer.member in by_member:
            raise InvalidAnswerError(f"{answer.member!r} answered twice in the same round")
        by_member[answer.member] = answer
    return by_member


def _delegation_result(delegation: Delegation, by_member: Mapping[str, Answer]) -> DelegationResult:
    """Return a delegation's status under its own rule."""
    answered = [by_member[m] for m in delegation.delegates if m in by_member]
    missing = tuple(m for m in delegation.delegates if m not in by_member)
    consents = sum(a.kind is AnswerKind.CONSENT for a in answered)
    stand_asides = sum(a.kind is AnswerKind.STAND_ASIDE for a in answered)
    objections = tuple(a for a in answered if a.kind is AnswerKind.OBJECTION)
    size = len(delegation.delegates)
    if delegation.rule is DelegationRule.UNANIMITY:
        if objections:
            status = DelegationStatus.OBJECTS
        elif missing:
            status = DelegationStatus.PENDING
        elif consents:
            status = DelegationStatus.CONSENTS
        else:
            status = DelegationStatus.STANDS_ASIDE
    elif delegation.rule is DelegationRule.MAJORITY:
        if 2 * consents > size:
            status = DelegationStatus.CONSENTS
        elif 2 * (consents + len(missing)) <= size:
            status = DelegationStatus.OBJECTS if objections else DelegationStatus.NOT_REACHED
        else:
            status = DelegationStatus.PENDING
    else:
        head_answer = by_member.get(delegation.head or "")
        if head_answer is None:
            status = DelegationStatus.PENDING
        else:
            status = {
                AnswerKind.CONSENT: DelegationStatus.CONSENTS,
                AnswerKind.OBJECTION: DelegationStatus.OBJECTS,
                AnswerKind.STAND_ASIDE: DelegationStatus.STANDS_ASIDE,
            }[head_answer.kind]
    return DelegationResult(
        delegation=delegation.name,
        rule=delegation.rule,
        status=status,
        consents=consents,
        stand_asides=stand_asides,
        objections=objections,
        missing=missing,
    )
