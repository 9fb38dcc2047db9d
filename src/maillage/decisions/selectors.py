"""Reads on circles and decisions: visibility rules, outcomes, rotation, diffs and poll results.

The algorithms live in :mod:`maillage.analysis` (consent, rotation, majority judgment); the
functions here load the rows, call them with plain data and return what pages and the API show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from maillage.analysis import consent as consent_rules
from maillage.analysis.majority_judgment import (
    ApprovalResult,
    MajorityJudgmentResult,
    approval_poll,
    rank_tallies,
)
from maillage.analysis.rotation import MeetingRoles, Turn, TurnKind, meeting_roles
from maillage.core.periods import active_q
from maillage.decisions.models import (
    Answer,
    AnswerChange,
    Circle,
    CircleMember,
    Decision,
    DecisionVersion,
    Delegation,
    Election,
    FacilitationTurn,
    Grade,
    Nomination,
    Poll,
    Round,
    RoundNote,
    Unavailability,
)
from maillage.organizations.models import Membership, Organization
from maillage.people.models import TerritoryRole
from maillage.people.selectors import territories_where

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class ActiveDelegates(TypedDict):
        active_delegates: list[CircleMember]

    # A delegation sitting today, its active delegates prefetched (``circle_delegations``).
    SittingDelegation = WithAnnotations[Delegation, ActiveDelegates]


# ---------------------------------------------------------------- visibility


def _member_q(user: Any, prefix: str = "") -> Q:
    """Return the filter for circles where ``user`` is an active member."""
    members = CircleMember.objects.filter(circle=OuterRef(f"{prefix}pk"), person=user).filter(
        active_q()
    )
    return Q(Exists(members))


def circles_visible_to(user: Any) -> QuerySet[Circle]:
    """Return the circles ``user`` may read: public ones and those they belong to."""
    qs = Circle.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    if getattr(user, "is_authenticated", False):
        return qs.filter(Q(is_public=True) | _member_q(user))
    return qs.filter(is_public=True)


def circle_list(user: Any) -> QuerySet[Circle]:
    """Return the visible circles with what the list shows (counts, territory, organization)."""
    return (
        circles_visible_to(user)
        .select_related("organization", "territory")
        .annotate(
            member_count=Count("memberships", filter=active_q("memberships__"), distinct=True),
            adopted_count=Count(
                "decisions", filter=Q(decisions__state=Decision.State.ADOPTED), distinct=True
            ),
        )
        .order_by("name")
    )


def circle_get_visible(slug: str, user: Any) -> Circle:
    """Return the circle ``slug``; raise Http404 when it does not exist or is hidden from ``user``.

    A private circle answers 404 to outsiders so that its existence does not leak.
    """
    circle = Circle.objects.select_related("organization", "territory").filter(slug=slug).first()
    if circle is None or not user.has_perm("decisions.view_circle", circle):
        raise Http404("no such circle")
    return circle


def decision_get_visible(pk: int, user: Any) -> Decision:
    """Return the decision ``pk`` with its circle; raise Http404 when hidden from ``user``."""
    decision = (
        Decision.objects.select_related(
            "circle",
            "circle__territory",
            "circle__organization",
            "facilitator",
            "secretary",
            "author",
        )
        .filter(pk=pk)
        .first()
    )
    if decision is None or not user.has_perm("decisions.view_circle", decision.circle):
        raise Http404("no such decision")
    return decision


def round_get_visible(pk: int, user: Any) -> Round:
    """Return the round ``pk`` with its decision and circle; Http404 when hidden."""
    round_ = Round.objects.select_related("decision", "decision__circle").filter(pk=pk).first()
    if round_ is None or not user.has_perm("decisions.view_circle", round_.decision.circle):
        raise Http404("no such round")
    return round_


def poll_get_visible(pk: int, user: Any) -> Poll:
    """Return the poll ``pk`` with its options; Http404 when hidden."""
    poll = Poll.objects.select_related("circle").filter(pk=pk).first()
    if poll is None or not user.has_perm("decisions.view_circle", poll.circle):
        raise Http404("no such poll")
    return poll


def election_get_visible(pk: int, user: Any) -> Election:
    """Return the election ``pk``; Http404 when hidden."""
    election = (
        Election.objects.select_related("circle", "proposed", "facilitator").filter(pk=pk).first()
    )
    if election is None or not user.has_perm("decisions.view_circle", election.circle):
        raise Http404("no such election")
    return election


def visible_name(person: Any, *, viewer_is_member: bool) -> str:
    """Return how ``person`` is named to a viewer: members see their peers' public names.

    Outsiders reading a public circle see a name only for persons with a public profile.
    """
    if person is None:
        return ""
    if viewer_is_member or (person.public_profile and person.deleted_at is None):
        return person.public_name
    return ""


# ---------------------------------------------------------------- members and delegations


def circle_active_members(circle: Circle) -> list[CircleMember]:
    """Return the active memberships, in join order, with person and delegation."""
    return list(
        circle.memberships.filter(active_q())
        .select_related("person", "delegation", "delegation__organization")
        .order_by("since", "id")
    )


def can_act(person: Any) -> bool:
    """Return whether ``person`` can sign in and act: an active account that logs in.

    The rotation only asks such people; a member without an account (an inhabitant recorded
    by a facilitator, an erased account) could never open the round.
    """
    return bool(person.is_active and person.deleted_at is None and person.has_usable_password())


def circle_voices(circle: Circle) -> list[CircleMember]:
    """Return the memberships whose holders answer consent rounds: delegates in a committee."""
    members = circle_active_members(circle)
    if circle.is_committee:
        return [m for m in members if m.delegation_id is not None]
    return members


def has_voice(user: Any, circle: Circle) -> bool:
    """Return whether ``user`` answers the circle's consent rounds."""
    if not getattr(user, "is_authenticated", False):
        return False
    members = circle.memberships.filter(active_q(), person=user)
    if circle.is_committee:
        members = members.filter(delegation__isnull=False)
    return members.exists()


def circle_delegations(circle: Circle) -> list[SittingDelegation]:
    """Return the delegations sitting today with their active delegates (two queries)."""
    delegates = CircleMember.objects.filter(active_q()).select_related("person").order_by("id")
    return list(
        circle.delegations.filter(active_q())
        .select_related("organization", "head")
        .prefetch_related(Prefetch("delegates", queryset=delegates, to_attr="active_delegates"))
    )


def places_stewarded_by(user: Any) -> tuple[list[Any], list[Any]]:
    """Return the territories and organizations where ``user`` may create a circle.

    Territory admins create on their territories and the places below them; organization
    admins for their organizations; platform admins anywhere.
    """
    if not getattr(user, "is_authenticated", False):
        return [], []
    places = list(territories_where(user, (TerritoryRole.Role.ADMIN,)))
    if user.is_superuser:
        return places, list(Organization.objects.order_by("name"))
    administered = Membership.objects.filter(
        active_q(), organization=OuterRef("pk"), person=user, role=Membership.Role.ADMIN
    )
    organizations = Organization.objects.filter(Exists(administered)).order_by("name")
    return places, list(organizations)


def person_circles(person: Any) -> QuerySet[Circle]:
    """Return the circles ``person`` is an active member of."""
    return Circle.objects.filter(_member_q(person)).order_by("name")


# ---------------------------------------------------------------- consent outcome


# A delegation still waiting on its rule when its consent round closed.
NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class DelegationStatusRow:
    """A delegation's status in a consent round, as pages and the API show it."""

    delegation_id: int
    name: str
    rule: str
    status: str
    concerned: bool
    consents: int
    stand_asides: int
    objections: int
    missing: int


@dataclass(frozen=True)
class RoundOutcome:
    """The analysis outcome and each delegation's status (empty outside committees)."""

    status: str
    objections: int
    missing: int
    delegations: tuple[DelegationStatusRow, ...]
    analysis: consent_rules.ConsentOutcome

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objections": self.objections,
            "missing": self.missing,
            "delegations": [row.__dict__ for row in self.delegations],
        }


def consent_outcome(round_: Round, answers: list[Answer] | None = None) -> RoundOutcome:
    """Return the outcome of a consent round from the answers in force and the circle's rule.

    In a steering committee each delegation answers by its own rule and only the delegations
    in the decision's scope (all when the scope is empty) must consent; an objection from any
    delegate stands for the whole committee (:func:`maillage.analysis.consent.committee_outcome`).
    """
    decision = round_.decision
    circle = decision.circle
    if answers is None:
        answers = list(round_.answers.all())
    members = circle_active_members(circle)
    if circle.is_committee:
        delegations = circle_delegations(circle)
        return _committee_outcome(
            decision, delegations, answers, closed=round_.state == Round.State.CLOSED
        )
    member_ids = [str(m.person_id) for m in members]
    plain = [
        _plain_answer(answer) for answer in answers if str(answer.member_id) in set(member_ids)
    ]
    outcome = consent_rules.circle_outcome(member_ids, plain)
    return RoundOutcome(
        status=outcome.status.value,
        objections=len(outcome.objections),
        missing=len(outcome.missing),
        delegations=(),
        analysis=outcome,
    )


def _plain_answer(answer: Answer) -> consent_rules.Answer:
    return consent_rules.Answer(
        member=str(answer.member_id),
        kind=consent_rules.AnswerKind(answer.kind),
        reason=answer.reason,
        acceptable_if=answer.acceptable_if,
    )


def _shown_status(status: str, objections: int, *, closed: bool) -> str:
    """Return the status a delegation's row shows.

    A delegation one of whose delegates objects is shown objecting while its rule is still
    waiting (the objection stands for the whole committee); once the round is closed nobody
    is waiting any more: the rows still pending did not answer in time.
    """
    if status != consent_rules.DelegationStatus.PENDING.value:
        return status
    if objections:
        return consent_rules.DelegationStatus.OBJECTS.value
    return NO_ANSWER if closed else status


def _committee_outcome(
    decision: Decision,
    delegations: list[SittingDelegation],
    answers: list[Answer],
    *,
    closed: bool,
) -> RoundOutcome:
    sitting = {d.pk for d in delegations}
    # A delegation named in the scope that has left the committee no longer answers.
    scope_ids = {d.pk for d in decision.scope.all()} & sitting
    concerned_ids = scope_ids or sitting
    plain_delegations: list[consent_rules.Delegation] = []
    headless: list[SittingDelegation] = []
    for delegation in delegations:
        delegate_ids = tuple(str(m.person_id) for m in delegation.active_delegates)
        head = str(delegation.head_id) if delegation.head_id else None
        if not delegate_ids or (delegation.rule == "head" and head not in delegate_ids):
            # A delegation without delegates (or whose head left) cannot answer yet.
            headless.append(delegation)
            continue
        plain_delegations.append(
            consent_rules.Delegation(
                name=str(delegation.pk),
                delegates=delegate_ids,
                rule=consent_rules.DelegationRule(delegation.rule),
                head=head,
            )
        )
    allowed = {m for d in plain_delegations for m in d.delegates}
    plain_answers = [_plain_answer(a) for a in answers if str(a.member_id) in allowed]
    outcome = consent_rules.committee_outcome(
        plain_delegations,
        plain_answers,
        concerned=[str(pk) for pk in concerned_ids if pk not in {d.pk for d in headless}],
    )
    by_id = {d.pk: d for d in delegations}
    rows = [
        DelegationStatusRow(
            delegation_id=int(result.delegation),
            name=by_id[int(result.delegation)].organization.name,
            rule=result.rule.value,
            status=_shown_status(result.status.value, len(result.objections), closed=closed),
            concerned=int(result.delegation) in concerned_ids,
            consents=result.consents,
            stand_asides=result.stand_asides,
            objections=len(result.objections),
            missing=len(result.missing),
        )
        for result in outcome.delegations
    ]
    rows += [
        DelegationStatusRow(
            delegation_id=d.pk,
            name=d.organization.name,
            rule=d.rule,
            status=_shown_status(consent_rules.DelegationStatus.PENDING.value, 0, closed=closed),
            concerned=d.pk in concerned_ids,
            consents=0,
            stand_asides=0,
            objections=0,
            missing=len(d.active_delegates),
        )
        for d in headless
    ]
    if outcome.adopted and any(d.pk in concerned_ids for d in headless):
        outcome = dataclasses.replace(outcome, status=consent_rules.OutcomeStatus.PENDING)
    rows.sort(key=lambda row: row.name)
    return RoundOutcome(
        status=outcome.status.value,
        objections=len(outcome.objections),
        missing=len(outcome.missing),
        delegations=tuple(rows),
        analysis=outcome,
    )


# ---------------------------------------------------------------- decision page


def decision_versions(decision: Decision) -> list[DecisionVersion]:
    """Return the versions, oldest first, each with ``diff`` against the previous one."""
    versions = list(
        decision.versions.select_related("author").prefetch_related(
            Prefetch(
                "integrated_objections",
                queryset=Answer.objects.select_related("member", "round"),
            )
        )
    )
    previous = None
    for version in versions:
        version.diff = word_diff(previous.text, version.text) if previous else []
        previous = version
    return versions


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return the changes from ``old`` to ``new`` as (``equal``/``delete``/``insert``, text).

    Word-level (difflib.SequenceMatcher on words and spaces), which reads better than a line
    diff for proposals written as paragraphs.
    """
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(old_tokens[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(old_tokens[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(new_tokens[j1:j2])))
    return segments


def unified_diff(old: DecisionVersion, new: DecisionVersion) -> str:
    """Return a line-level unified diff between two versions (for downloads and the API)."""
    return "\n".join(
        difflib.unified_diff(
            old.text.splitlines(),
            new.text.splitlines(),
            fromfile=f"v{old.number}",
            tofile=f"v{new.number}",
            lineterm="",
        )
    )


def decision_rounds(decision: Decision) -> list[Round]:
    """Return the rounds with their answers, notes and answer history (four queries)."""
    return list(
        decision.rounds.select_related("facilitator", "secretary", "version").prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("member", "integrated_in").order_by(
                    "position", "id"
                ),
            ),
            Prefetch("notes", queryset=RoundNote.objects.select_related("member")),
            Prefetch("answer_changes", queryset=AnswerChange.objects.select_related("member")),
        )
    )


def current_round(decision: Decision) -> Round | None:
    """Return the decision's open round, if any."""
    return decision.rounds.filter(state=Round.State.OPEN).first()


def latest_consent_round(decision: Decision) -> Round | None:
    """Return the most recent consent round, open or closed."""
    return decision.rounds.filter(kind=Round.Kind.CONSENT).order_by("-number").first()


def latest_version(decision: Decision) -> DecisionVersion:
    """Return the proposal's current text (a decision is created with its first version)."""
    return decision.versions.latest("number")


def delegation_of_members(circle: Circle) -> dict[int, str]:
    """Return person id → delegation name for a committee's active delegates."""
    return {
        m.person_id: m.delegation.organization.name
        for m in circle_active_members(circle)
        if m.delegation is not None
    }


# ---------------------------------------------------------------- rotation


def rotation_inputs(
    circle: Circle, on: dt.date, exclude: set[int] | frozenset[int] = frozenset()
) -> tuple[list[str], list[Turn], set[str]]:
    """Return the rotation's plain inputs: members in join order, past turns, who is out.

    ``exclude`` adds persons to leave out, e.g. those who passed their turn for this meeting.
    """
    members = [str(m.person_id) for m in circle_active_members(circle) if can_act(m.person)]
    turns = FacilitationTurn.objects.filter(circle=circle, held_on__lte=on).order_by(
        "held_on", "id"
    )
    history = [
        Turn(sequence=index, role=turn.role, member=str(turn.person_id), kind=TurnKind(turn.kind))
        for index, turn in enumerate(turns.only("role", "person_id", "kind"))
    ]
    unavailable = {
        str(pk)
        for pk in Unavailability.objects.filter(
            circle=circle, start__lte=on, end__gte=on
        ).values_list("person_id", flat=True)
    }
    unavailable |= {str(pk) for pk in exclude}
    return members, history, unavailable


def rotation_proposal(
    circle: Circle, *, on: dt.date | None = None, exclude: set[int] | frozenset[int] = frozenset()
) -> MeetingRoles:
    """Return the facilitator and secretary queues for a meeting or decision on date ``on``."""
    members, history, unavailable = rotation_inputs(circle, on or timezone.localdate(), exclude)
    return meeting_roles(members, history, unavailable=unavailable)


def rotation_history(circle: Circle) -> QuerySet[FacilitationTurn]:
    """Return every turn, most recent first, with the person and decision."""
    return circle.turns.select_related("person", "decision").order_by("-held_on", "-id")


def rotation_counts(circle: Circle) -> list[dict[str, Any]]:
    """Return per active member: services as facilitator and secretary, passes, last service."""
    rows = circle.turns.values("person_id", "role", "kind").annotate(count=Count("id")).order_by()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = "passes" if row["kind"] == "passed" else row["role"]
        counts[row["person_id"]][key] += row["count"]
    last = dict(
        circle.turns.filter(kind="served")
        .values("person_id")
        .annotate(last=Max("held_on"))
        .values_list("person_id", "last")
    )
    return [
        {
            "member": m,
            "facilitator": counts[m.person_id]["facilitator"],
            "secretary": counts[m.person_id]["secretary"],
            "passes": counts[m.person_id]["passes"],
            "last": last.get(m.person_id),
        }
        for m in circle_active_members(circle)
    ]


# ---------------------------------------------------------------- polls


@dataclass(frozen=True)
class PollResults:
    """A poll's results: majority judgment or approval, the number of voters, and the labels."""

    voters: int
    grades: tuple[str, ...]
    majority: MajorityJudgmentResult | None
    approval: ApprovalResult | None
    option_labels: dict[str, str]


def poll_results(poll: Poll) -> PollResults:
    """Return the results computed from the grades (one aggregate query, one for options)."""
    options = list(poll.options.all())
    keys = {str(o.pk): o.label for o in options}
    voters = Grade.objects.filter(poll=poll).values("voter_id").distinct().count()
    rows = (
        Grade.objects.filter(poll=poll)
        .values("option_id", "grade")
        .annotate(count=Count("id"))
        .order_by()
    )
    grades = poll.grade_labels
    if poll.method == Poll.Method.APPROVAL:
        approvals = {str(o.pk): 0 for o in options}
        for row in rows:
            if row["grade"] == 1:
                approvals[str(row["option_id"])] += row["count"]
        # approval_poll counts ballots; rebuild anonymous ballots from the counts per option.
        ballots = [[key for key, n in approvals.items() if n > i] for i in range(voters)]
        result = approval_poll(ballots, list(keys)) if options else None
        return PollResults(voters, grades, None, result, keys)
    tallies = {str(o.pk): [0] * len(grades) for o in options}
    for row in rows:
        tallies[str(row["option_id"])][row["grade"]] += row["count"]
    majority = None
    if options and voters:
        majority = rank_tallies(tallies, grades=grades, missing="lowest", voters=voters)
    return PollResults(voters, grades, majority, None, keys)


def voter_grades(poll: Poll, user: Any) -> dict[int, int]:
    """Return option id → grade given by ``user``."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(poll.grades.filter(voter=user).values_list("option_id", "grade"))


# ---------------------------------------------------------------- elections


def election_nominations(election: Election) -> list[Nomination]:
    return list(election.nominations.select_related("voter", "nominee"))


# ---------------------------------------------------------------- register


def register_decisions(territory_ids: list[int] | None = None) -> QuerySet[Decision]:
    """Return adopted decisions of public circles, newest first, optionally on territories."""
    qs = Decision.objects.filter(state=Decision.State.ADOPTED, circle__is_public=True)
    if territory_ids is not None:
        qs = qs.filter(
            Q(circle__territory_id__in=territory_ids)
            | Q(circle__organization__territories__in=territory_ids)
        ).distinct()
    return qs.select_related("circle", "facilitator").order_by("-adopted_at", "-id")


def territory_decisions_section(territory: Any, ids: list[int]) -> dict | None:
    """Return the territory page's section: decisions of public circles on it."""
    decisions = list(
        Decision.objects.filter(circle__is_public=True, circle__territory_id__in=ids)
        .exclude(state__in=[Decision.State.DRAFT, Decision.State.WITHDRAWN])
        .select_related("circle")
        .order_by("-created_at")[:10]
    )
    if not decisions:
        return None
    return {
        "title": "decisions",
        "template": "decisions/territory_section.html",
        "context": {"decisions": decisions, "territory": territory},
    }


# ---------------------------------------------------------------- personal data


def person_decisions_data(person: Any) -> dict[str, Any]:
    """Return what this app holds about ``person`` for their GDPR export."""
    return {
        "circles": [
            {
                "circle": m.circle.name,
                "since": m.since.isoformat(),
                "until": m.until.isoformat() if m.until else None,
            }
            for m in person.circle_memberships.select_related("circle")
        ],
        "answers": [
            {
                "decision": change.round.decision.title,
                "round": change.round.number,
                "answer": change.kind,
                "reason": change.reason,
                "acceptable_if": change.acceptable_if,
                "at": change.created_at.isoformat(),
            }
            for change in AnswerChange.objects.filter(member=person).select_related(
                "round", "round__decision"
            )
        ],
        "notes": list(RoundNote.objects.filter(member=person).values_list("text", flat=True)),
        "grades": [
            {"poll": g.poll.title, "option": g.option.label, "grade": g.grade}
            for g in person.poll_grades.select_related("poll", "option")
        ],
        "facilitation_turns": [
            {"circle": t.circle.name, "date": t.held_on.isoformat(), "role": t.role, "kind": t.kind}
            for t in person.facilitation_turns.select_related("circle")
        ],
    }
