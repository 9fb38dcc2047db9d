"""Rotating facilitation and sociocratic elections.

**Rotation rule** (one queue per role, e.g. facilitator and secretary). For the next meeting,
the candidates are the members who have not declared themselves unavailable and do not already
hold another role at that meeting. They are ordered by:

1. their **last turn** for this role, oldest first, where a turn is a service *or a pass*;
   members who never had a turn come first. A pass is recorded as a pass (it never counts as
   a service in the history or in service counts) but it moves the member to the back of the
   queue like a service would: otherwise a member who passes would be proposed again at every
   meeting and the rotation would stall on them;
2. their **number of services** in this role, fewest first (members who pass often are not
   punished by later turns, but those who served less go first among equals);
3. their **position in the member list** (join order), which makes the rule deterministic.

The member who served last in this role is never proposed when another candidate exists
("never twice in a row"). The result is the whole ordered queue: when the first one passes,
the service records the pass and the next one is asked.

This is the "leadership that rotates" of the Dissonances orchestra in the seed article, written
as a least-recently-used queue; sociocracy elects roles instead (below), and a circle picks one.

**Sociocratic election** (Buck & Villines, *We the People*, 2007; Endenburg 1998):
each member nominates one person with a reason, members may change their nomination after
hearing the reasons (change round), the facilitator proposes the most nominated person, and
the circle consents to that person (see :mod:`maillage.analysis.consent`). Ties in nominations
are broken by fewer past terms in the role (widen the circle), then member order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from maillage.analysis.consent import Answer, ConsentOutcome, circle_outcome


class TurnKind(StrEnum):
    """What happened when a member's turn came: they served or they passed."""

    SERVED = "served"
    PASSED = "passed"


@dataclass(frozen=True)
class Turn:
    """One past turn for a role, in chronological order (``sequence`` increases with time)."""

    sequence: int
    role: str
    member: str
    kind: TurnKind


@dataclass(frozen=True)
class RotationProposal:
    """The ordered queue for a role (first = proposed) and who was left out and why."""

    role: str
    queue: tuple[str, ...]
    unavailable: tuple[str, ...]
    held_other_role: tuple[str, ...]
    previous: str | None

    @property
    def proposed(self) -> str | None:
        """Return the member proposed first, or None when nobody can take the role."""
        return self.queue[0] if self.queue else None


@dataclass(frozen=True)
class MeetingRoles:
    """The proposals for facilitator and secretary of one meeting."""

    facilitator: RotationProposal
    secretary: RotationProposal


@dataclass(frozen=True)
class Nomination:
    """One member's nomination of a person for a role, with the reason given aloud."""

    voter: str
    nominee: str
    reason: str


@dataclass(frozen=True)
class ElectionOutcome:
    """The nominations tally after the change round, the proposed person and the consent."""

    tally: tuple[tuple[str, int], ...]
    reasons: Mapping[str, tuple[str, ...]]
    changed: tuple[str, ...]
    proposed: str
    consent: ConsentOutcome | None

    @property
    def elected(self) -> str | None:
        """Return the elected person when the circle consented, else None."""
        if self.consent is not None and self.consent.adopted:
            return self.proposed
        return None


def rotation_queue(
    members: Sequence[str],
    history: Iterable[Turn],
    *,
    role: str,
    unavailable: Collection[str] = (),
    holding_other_role: Collection[str] = (),
) -> RotationProposal:
    """Return the rotation queue for ``role`` under the rule in the module docstring."""
    if len(set(members)) != len(members):
        raise ValueError("the member list names someone twice")
    last_turn: dict[str, int] = {}
    services: dict[str, int] = dict.fromkeys(members, 0)
    previous: tuple[int, str] | None = None
    for turn in history:
        if turn.role != role or turn.member not in services:
            continue  # other roles and former members do not move this queue
        last_turn[turn.member] = max(last_turn.get(turn.member, turn.sequence), turn.sequence)
        if turn.kind is TurnKind.SERVED:
            services[turn.member] += 1
            if previous is None or turn.sequence > previous[0]:
                previous = (turn.sequence, turn.member)
    left_unavailable = tuple(m for m in members if m in unavailable)
    left_other = tuple(m for m in members if m in holding_other_role and m not in unavailable)
    candidates = [m for m in members if m not in unavailable and m not in holding_other_role]
    position = {member: index for index, member in enumerate(members)}
    queue = sorted(
        candidates,
        key=lambda m: (
            m in last_turn,
            last_turn.get(m, 0),
            services[m],
            position[m],
        ),
    )
    previous_member = previous[1] if previous else None
    if previous_member in queue and len(queue) > 1:
        queue.remove(previous_member)
        queue.append(previous_member)
    return RotationProposal(
        role=role,
        queue=tuple(queue),
        unavailable=left_unavailable,
        held_other_role=left_other,
        previous=previous_member,
    )


def meeting_roles(
    members: Sequence[str],
    history: Sequence[Turn],
    *,
    unavailable: Collection[str] = (),
    facilitator_role: str = "facilitator",
    secretary_role: str = "secretary",
) -> MeetingRoles:
    """Return facilitator and secretary proposals; the secretary is another person when possible.

    The secretary queue excludes the proposed facilitator unless nobody else is available
    (a circle of one still gets minutes).
    """
    facilitator = rotation_queue(members, history, role=facilitator_role, unavailable=unavailable)
    chosen = {facilitator.proposed} if facilitator.proposed else set()
    secretary = rotation_queue(
        members,
        history,
        role=secretary_role,
        unavailable=unavailable,
        holding_other_role=chosen,
    )
    if not secretary.queue and facilitator.proposed:
        secretary = rotation_queue(members, history, role=secretary_role, unavailable=unavailable)
    return MeetingRoles(facilitator=facilitator, secretary=secretary)


def sociocratic_election(
    members: Sequence[str],
    nominations: Iterable[Nomination],
    *,
    changes: Iterable[Nomination] = (),
    past_terms: Mapping[str, int] | None = None,
    consent_answers: Iterable[Answer] | None = None,
) -> ElectionOutcome:
    """Return the election's tally, proposed person and (when given) the consent outcome.

    ``nominations`` is the first round (one per member at most); ``changes`` the change round,
    each replacing that voter's nomination. Only members vote and only members can be
    nominated. ``consent_answers`` are the circle's answers to the proposed person; the
    service calls this again with them once the consent round has run.
    """
    member_set = set(members)
    current: dict[str, Nomination] = {}
    for nomination in nominations:
        _check_nomination(nomination, member_set)
        if nomination.voter in current:
            raise ValueError(f"{nomination.voter!r} nominated twice in the first round")
        current[nomination.voter] = nomination
    if not current:
        raise ValueError("an election needs at least one nomination")
    changed: list[str] = []
    for change in changes:
        _check_nomination(change, member_set)
        if change.voter not in current:
            raise ValueError(f"{change.voter!r} changes a nomination they never made")
        if change.nominee != current[change.voter].nominee:
            changed.append(change.voter)
        current[change.voter] = change
    counts: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    for nomination in current.values():
        counts[nomination.nominee] = counts.get(nomination.nominee, 0) + 1
        reasons.setdefault(nomination.nominee, []).append(nomination.reason)
    terms = past_terms or {}
    position = {member: index for index, member in enumerate(members)}
    ordered = sorted(counts, key=lambda m: (-counts[m], terms.get(m, 0), position[m]))
    consent = circle_outcome(members, consent_answers) if consent_answers is not None else None
    return ElectionOutcome(
        tally=tuple((m, counts[m]) for m in ordered),
        reasons={m: tuple(reasons[m]) for m in ordered},
        changed=tuple(changed),
        proposed=ordered[0],
        consent=consent,
    )


def _check_nomination(nomination: Nomination, members: Collection[str]) -> None:
    """Raise ValueError when a nomination involves a non-member or has no reason."""
    if nomination.voter not in members:
        raise ValueError(f"{nomination.voter!r} is not a member and cannot nominate")
    if nomination.nominee not in members:
        raise ValueError(f"{nomination.nominee!r} is not a member and cannot be nominated")
    if not nomination.reason.strip():
        raise ValueError(f"the nomination by {nomination.voter!r} needs its reason")
