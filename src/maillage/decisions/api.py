"""API: read the decision register and decisions; submit a consent answer or a ballot.

Reads follow the pages' visibility (public circles for everyone, private ones for members);
writes take a Bearer token or the session. An action on a closed round or poll answers 409
with the state it met; an objection without its reason answers 422 with the message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.decisions import selectors
from maillage.decisions.permissions import person_is_member
from maillage.decisions.services import polls, rounds
from maillage.decisions.services.common import ProcessConflict
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_with_descendant_ids

router = Router(tags=["decisions"])


class ConflictOut(Schema):
    detail: str
    state: str | None = None
    round: int | None = None
    round_state: str | None = None
    allowed: list[str] | None = None


class CircleOut(Schema):
    slug: str
    name: str
    kind: str
    is_public: bool
    territory: str | None
    organization: str | None
    url: str

    @staticmethod
    def resolve_territory(obj: Any) -> str | None:
        return obj.territory.slug if obj.territory_id else None

    @staticmethod
    def resolve_organization(obj: Any) -> str | None:
        return obj.organization.slug if obj.organization_id else None

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class RegisterEntryOut(Schema):
    id: int
    title: str
    circle: str
    adopted_at: dt.datetime
    review_date: dt.date
    url: str

    @staticmethod
    def resolve_circle(obj: Any) -> str:
        return obj.circle.slug

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class ObjectionOut(Schema):
    round: int
    delegation: str
    reason: str
    acceptable_if: str
    integration: str
    integrated_in_version: int | None


class DelegationStatusOut(Schema):
    delegation: str
    rule: str
    concerned: bool
    status: str
    consents: int
    stand_asides: int
    objections: int
    missing: int


class RoundOut(Schema):
    id: int
    number: int
    kind: str
    mode: str
    state: str
    version: int
    deadline: dt.datetime | None
    answers: int
    outcome: dict


class VersionOut(Schema):
    number: int
    text: str
    note: str
    diff: str


class DecisionOut(Schema):
    id: int
    title: str
    state: str
    circle: CircleOut
    facilitator: str | None
    review_date: dt.date | None
    adopted_at: dt.datetime | None
    text: str
    versions: list[VersionOut]
    rounds: list[RoundOut]
    objections: list[ObjectionOut]
    delegations_status: list[DelegationStatusOut]


class AnswerIn(Schema):
    kind: str
    reason: str = ""
    acceptable_if: str = ""


class AnswerOut(Schema):
    round: int
    kind: str
    reason: str
    acceptable_if: str
    round_state: str


class BallotIn(Schema):
    grades: dict[int, int]


class OptionResultOut(Schema):
    option_id: int
    option: str
    rank: int
    majority_grade: str | None
    gauge: str | None
    tally: list[int]
    approvals: int | None


class PollResultsOut(Schema):
    id: int
    title: str
    method: str
    state: str
    voters: int
    grades: list[str]
    results: list[OptionResultOut]


@router.get("/circles", response=list[CircleOut])
@paginate(BoundedLimitOffsetPagination)
def circle_list(request: HttpRequest):
    """Return the circles the caller may read."""
    return selectors.circle_list(request.user)


@router.get("/register", response=list[RegisterEntryOut])
@paginate(BoundedLimitOffsetPagination)
def register(request: HttpRequest, territory: str | None = None):
    """Return adopted decisions of public circles, newest first (optionally on a territory)."""
    ids = None
    if territory:
        place = Territory.objects.filter(slug=territory).first()
        ids = territory_with_descendant_ids(place) if place else []
    return selectors.register_decisions(ids)


@router.get("/decisions/{decision_id}", response=DecisionOut)
def decision_detail(request: HttpRequest, decision_id: int):
    """Return a decision: its text, versions with diffs, rounds, objections, delegations."""
    decision = selectors.decision_get_visible(decision_id, request.user)
    is_member = person_is_member(request.user, decision.circle)
    versions = selectors.decision_versions(decision)
    decision_rounds = selectors.decision_rounds(decision)
    delegation_of = selectors.delegation_of_members(decision.circle)
    consent_round = next((r for r in reversed(decision_rounds) if r.kind == "consent"), None)
    outcome = selectors.consent_outcome(consent_round) if consent_round else None
    return {
        "id": decision.pk,
        "title": decision.title,
        "state": decision.state,
        "circle": decision.circle,
        "facilitator": selectors.visible_name(decision.facilitator, viewer_is_member=is_member)
        or None,
        "review_date": decision.review_date,
        "adopted_at": decision.adopted_at,
        "text": versions[-1].text,
        "versions": [
            {
                "number": v.number,
                "text": v.text,
                "note": v.note,
                "diff": selectors.unified_diff(versions[i - 1], v) if i else "",
            }
            for i, v in enumerate(versions)
        ],
        "rounds": [
            {
                "id": r.pk,
                "number": r.number,
                "kind": r.kind,
                "mode": r.mode,
                "state": r.state,
                "version": r.version.number,
                "deadline": r.deadline,
                "answers": len(r.answers.all()),
                "outcome": r.outcome,
            }
            for r in decision_rounds
        ],
        "objections": [
            {
                "round": r.number,
                "delegation": delegation_of.get(a.member_id, ""),
                "reason": a.reason,
                "acceptable_if": a.acceptable_if,
                "integration": a.integration,
                "integrated_in_version": a.integrated_in.number if a.integrated_in else None,
            }
            for r in decision_rounds
            for a in r.answers.all()
            if a.kind == "objection"
        ],
        "delegations_status": [
            {
                "delegation": row.name,
                "rule": row.rule,
                "concerned": row.concerned,
                "status": row.status,
                "consents": row.consents,
                "stand_asides": row.stand_asides,
                "objections": row.objections,
                "missing": row.missing,
            }
            for row in (outcome.delegations if outcome else ())
        ],
    }


def _conflict(error: ProcessConflict) -> tuple[int, dict[str, Any]]:
    return 409, {"detail": error.message, **error.details}


@router.post(
    "/rounds/{round_id}/answers",
    response={200: AnswerOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def answer_submit(request: HttpRequest, round_id: int, payload: AnswerIn):
    """Give (or change) your answer in an open consent round."""
    hit_person("write", request.user)
    round_ = selectors.round_get_visible(round_id, request.user)
    try:
        answer = rounds.answer_submit(
            round=round_,
            actor=request.user,
            kind=payload.kind,
            reason=payload.reason,
            acceptable_if=payload.acceptable_if,
        )
    except ProcessConflict as error:
        return _conflict(error)
    return 200, {
        "round": round_.number,
        "kind": answer.kind,
        "reason": answer.reason,
        "acceptable_if": answer.acceptable_if,
        "round_state": round_.state,
    }


def _poll_results_out(poll: Any) -> dict[str, Any]:
    results = selectors.poll_results(poll)
    rows = []
    # Results are published at closing, so that no ballot is influenced.
    closed = poll.state == poll.State.CLOSED
    if closed and results.majority is not None:
        for option in results.majority.ranking:
            rows.append(
                {
                    "option_id": int(option.option),
                    "option": results.option_labels[option.option],
                    "rank": option.rank,
                    "majority_grade": option.majority_grade_label,
                    "gauge": option.gauge_sign,
                    "tally": list(option.tally),
                    "approvals": None,
                }
            )
    elif closed and results.approval is not None:
        for key in results.approval.ranking:
            count = results.approval.counts[key]
            rows.append(
                {
                    "option_id": int(key),
                    "option": results.option_labels[key],
                    "rank": results.approval.ranks[key],
                    "majority_grade": None,
                    "gauge": None,
                    "tally": [results.voters - count, count],
                    "approvals": count,
                }
            )
    return {
        "id": poll.pk,
        "title": poll.title,
        "method": poll.method,
        "state": poll.state,
        "voters": results.voters,
        "grades": list(results.grades),
        "results": rows,
    }


@router.get("/polls/{poll_id}/results", response=PollResultsOut)
def poll_results(request: HttpRequest, poll_id: int):
    """Return a poll's results: merit profiles and ranking, or approval counts."""
    return _poll_results_out(selectors.poll_get_visible(poll_id, request.user))


@router.post(
    "/polls/{poll_id}/grades",
    response={200: PollResultsOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def poll_submit(request: HttpRequest, poll_id: int, payload: BallotIn):
    """Submit your ballot: option id → grade (0 = À rejeter … 6 = Excellent; approval 0/1)."""
    hit_person("write", request.user)
    poll = selectors.poll_get_visible(poll_id, request.user)
    try:
        polls.poll_submit(poll=poll, actor=request.user, grades=payload.grades)
    except ProcessConflict as error:
        return _conflict(error)
    return 200, _poll_results_out(poll)
