"""API: read the decision register and decisions; submit a consent answer or a ballot.

Reads follow the pages' visibility (public circles for everyone, private ones for members);
writes take a Bearer token or the session. An action on a closed round or poll answers 409
with the state it met; an objection without its reason answers 422 with the message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.decisions import selectors
from maillage.decisions.models import CircleMember, Delegation, FacilitationTurn, RoundNote
from maillage.decisions.permissions import person_is_member
from maillage.decisions.services import circles, polls, rotation, rounds
from maillage.decisions.services.common import ProcessConflict
from maillage.organizations.models import Organization
from maillage.people.models import Person
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


class CircleIn(Schema):
    name: str
    kind: str
    territory: str | None = None
    organization: str | None = None
    purpose: str = ""
    is_public: bool = True


class CircleUpdateIn(Schema):
    name: str | None = None
    purpose: str | None = None
    is_public: bool | None = None


class DelegationIn(Schema):
    organization: str
    rule: str
    delegates: list[str] = []
    head: str | None = None


class DelegationOut(Schema):
    id: int
    organization: str
    rule: str
    head: str | None
    delegates: int


class MemberIn(Schema):
    email: str
    delegation: int | None = None


class CircleMemberOut(Schema):
    id: int
    circle: str
    name: str
    delegation: int | None
    since: dt.date
    until: dt.date | None


def _people(emails: list[str]) -> list[Any]:
    """Return the active accounts of ``emails``; 422 naming the unknown addresses."""
    wanted = [e.strip().lower() for e in emails if e.strip()]
    found = {
        p.email.lower(): p
        for p in Person.objects.filter(email__in=wanted, is_active=True, deleted_at__isnull=True)
    }
    unknown = [e for e in wanted if e not in found]
    if unknown:
        raise ValidationError(
            {"delegates": _("No active account uses: %(emails)s.") % {"emails": ", ".join(unknown)}}
        )
    return [found[e] for e in dict.fromkeys(wanted)]


def _managed(request: HttpRequest, slug: str) -> Any:
    circle = selectors.circle_get_visible(slug, request.user)
    if not request.user.has_perm("decisions.manage_circle", circle):
        raise PermissionDenied("decisions.manage_circle")
    return circle


def _member_out(membership: Any) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "circle": membership.circle.slug,
        "name": membership.person.public_name,
        "delegation": membership.delegation_id,
        "since": membership.since,
        "until": membership.until,
    }


@router.post("/circles", response={201: CircleOut}, auth=AUTHENTICATED)
def circle_create(request: AuthenticatedRequest, payload: CircleIn):
    """Create a circle or a steering committee on a territory or for an organization you administer."""
    hit_person("write", request.user)
    territory = organization = None
    if payload.territory:
        territory = Territory.objects.filter(slug=payload.territory).first()
        if territory is None:
            raise ValidationError({"territory": _("No territory has this slug.")})
    if payload.organization:
        organization = Organization.objects.filter(slug=payload.organization).first()
        if organization is None:
            raise ValidationError({"organization": _("No organization has this slug.")})
    circle = circles.circle_create(
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        territory=territory,
        organization=organization,
        purpose=payload.purpose,
        is_public=payload.is_public,
    )
    return 201, circle


@router.patch("/circles/{slug}", response=CircleOut, auth=AUTHENTICATED)
def circle_update(request: AuthenticatedRequest, slug: str, payload: CircleUpdateIn):
    """Rename a circle, change its purpose or its visibility (its stewards)."""
    hit_person("write", request.user)
    circle = _managed(request, slug)
    return circles.circle_update(
        circle=circle,
        actor=request.user,
        name=circle.name if payload.name is None else payload.name,
        purpose=circle.purpose if payload.purpose is None else payload.purpose,
        is_public=circle.is_public if payload.is_public is None else payload.is_public,
    )


@router.post("/circles/{slug}/archive", response=CircleOut, auth=AUTHENTICATED)
def circle_archive(request: AuthenticatedRequest, slug: str):
    """Archive a circle: its decisions stay readable, it takes no new proposal."""
    hit_person("write", request.user)
    return circles.circle_archive(circle=_managed(request, slug), actor=request.user)


@router.post("/circles/{slug}/delegations", response={201: DelegationOut}, auth=AUTHENTICATED)
def delegation_add(request: AuthenticatedRequest, slug: str, payload: DelegationIn):
    """Add an institution to a steering committee with its rule and its delegates (emails)."""
    hit_person("write", request.user)
    circle = _managed(request, slug)
    organization = Organization.objects.filter(slug=payload.organization).first()
    if organization is None:
        raise ValidationError({"organization": _("No organization has this slug.")})
    delegates = _people(payload.delegates)
    head = None
    if payload.head:
        head = next((p for p in delegates if p.email.lower() == payload.head.lower()), None)
        if head is None:
            raise ValidationError(
                {"head": _("The head of the delegation must be one of its delegates.")}
            )
    delegation = circles.delegation_add(
        circle=circle,
        actor=request.user,
        organization=organization,
        rule=payload.rule,
        head=head,
        delegates=delegates,
    )
    return 201, {
        "id": delegation.pk,
        "organization": organization.slug,
        "rule": delegation.rule,
        "head": head.public_name if head else None,
        "delegates": len(delegates),
    }


class DelegationUpdateIn(Schema):
    rule: str
    head: str | None = None


def _delegation_managed(request: HttpRequest, delegation_id: int) -> Any:
    delegation = (
        Delegation.objects.select_related("circle", "organization").filter(pk=delegation_id).first()
    )
    if delegation is None or not request.user.has_perm("decisions.view_circle", delegation.circle):
        raise Http404("no such delegation")
    if not request.user.has_perm("decisions.manage_circle", delegation.circle):
        raise PermissionDenied("decisions.manage_circle")
    return delegation


def _delegation_out(delegation: Any) -> dict[str, Any]:
    return {
        "id": delegation.pk,
        "organization": delegation.organization.slug,
        "rule": delegation.rule,
        "head": delegation.head.public_name if delegation.head_id else None,
        "delegates": delegation.delegates.filter(until__isnull=True).count(),
    }


@router.patch("/delegations/{delegation_id}", response=DelegationOut, auth=AUTHENTICATED)
def delegation_update(
    request: AuthenticatedRequest, delegation_id: int, payload: DelegationUpdateIn
):
    """Change a delegation's rule or its head (an email among its delegates)."""
    hit_person("write", request.user)
    delegation = _delegation_managed(request, delegation_id)
    head = _people([payload.head])[0] if payload.head else None
    delegation = circles.delegation_update(
        delegation=delegation, actor=request.user, rule=payload.rule, head=head
    )
    return _delegation_out(delegation)


@router.post("/delegations/{delegation_id}/end", response=DelegationOut, auth=AUTHENTICATED)
def delegation_end(request: AuthenticatedRequest, delegation_id: int):
    """End an institution's seat on the committee, with its delegates' memberships."""
    hit_person("write", request.user)
    delegation = circles.delegation_end(
        delegation=_delegation_managed(request, delegation_id), actor=request.user
    )
    return _delegation_out(delegation)


@router.post("/circles/{slug}/members", response={201: CircleMemberOut}, auth=AUTHENTICATED)
def member_add(request: AuthenticatedRequest, slug: str, payload: MemberIn):
    """Make the person with this email a member (in a delegation of a committee, optionally)."""
    hit_person("write", request.user)
    circle = _managed(request, slug)
    person = _people([payload.email])[0]
    delegation = None
    if payload.delegation is not None:
        delegation = circle.delegations.filter(pk=payload.delegation).first()
        if delegation is None:
            raise ValidationError({"delegation": _("This delegation belongs to another circle.")})
    membership = circles.circle_member_add(
        circle=circle, actor=request.user, person=person, delegation=delegation
    )
    return 201, _member_out(membership)


@router.post("/members/{membership_id}/end", response=CircleMemberOut, auth=AUTHENTICATED)
def member_end(request: AuthenticatedRequest, membership_id: int):
    """End a membership (a steward, or the member leaving); the history is kept."""
    hit_person("write", request.user)
    membership = (
        CircleMember.objects.select_related("circle", "person").filter(pk=membership_id).first()
    )
    if membership is None or not request.user.has_perm("decisions.view_circle", membership.circle):
        raise Http404("no such membership")
    membership = circles.circle_member_end(membership=membership, actor=request.user)
    return _member_out(membership)


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
def answer_submit(request: AuthenticatedRequest, round_id: int, payload: AnswerIn):
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


class RoundOpenIn(Schema):
    kind: str
    mode: str = "live"
    deadline: dt.datetime | None = None


class RoundStateOut(Schema):
    id: int
    number: int
    kind: str
    state: str
    decision_state: str


class NoteReplyIn(Schema):
    reply: str


class NoteOut(Schema):
    id: int
    text: str
    reply: str


class TurnOut(Schema):
    id: int
    role: str
    person: str
    held_on: dt.date


def _round_state(round_: Any) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "number": round_.number,
        "kind": round_.kind,
        "state": round_.state,
        "decision_state": round_.decision.state,
    }


@router.post(
    "/decisions/{decision_id}/rounds",
    response={201: RoundStateOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def round_open(request: AuthenticatedRequest, decision_id: int, payload: RoundOpenIn):
    """Open the next round (the facilitator): clarifying, reactions or consent, as the process
    allows; a step the process does not allow answers 409 with the steps possible now."""
    hit_person("write", request.user)
    decision = selectors.decision_get_visible(decision_id, request.user)
    try:
        round_ = rounds.round_open(
            decision=decision,
            actor=request.user,
            kind=payload.kind,
            mode=payload.mode,
            deadline=payload.deadline,
        )
    except ProcessConflict as error:
        return _conflict(error)
    return 201, _round_state(round_)


@router.post(
    "/rounds/{round_id}/close",
    response={200: RoundStateOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def round_close(request: AuthenticatedRequest, round_id: int):
    """Close a round (the facilitator); a consent round's outcome moves the decision."""
    hit_person("write", request.user)
    round_ = selectors.round_get_visible(round_id, request.user)
    try:
        round_ = rounds.round_close(round=round_, actor=request.user)
    except ProcessConflict as error:
        return _conflict(error)
    return 200, _round_state(round_)


@router.post(
    "/notes/{note_id}/reply",
    response={200: NoteOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def note_reply(request: AuthenticatedRequest, note_id: int, payload: NoteReplyIn):
    """Reply to a clarifying question or a reaction (the proposal's author or facilitator)."""
    hit_person("write", request.user)
    note = RoundNote.objects.select_related("round__decision__circle").filter(pk=note_id).first()
    if note is None:
        raise Http404("no such note")
    selectors.round_get_visible(note.round_id, request.user)
    try:
        note = rounds.note_reply(note=note, actor=request.user, reply=payload.reply)
    except ProcessConflict as error:
        return _conflict(error)
    return 200, {"id": note.pk, "text": note.text, "reply": note.reply}


@router.post(
    "/turns/{turn_id}/take-over",
    response={200: TurnOut, 409: ConflictOut},
    auth=AUTHENTICATED,
)
def turn_take_over(request: AuthenticatedRequest, turn_id: int):
    """Take the turn (facilitator or secretary) of a member who is absent; you serve instead."""
    hit_person("write", request.user)
    turn = FacilitationTurn.objects.select_related("circle").filter(pk=turn_id).first()
    if turn is None or not request.user.has_perm("decisions.view_circle", turn.circle):
        raise Http404("no such turn")
    try:
        successor = rotation.facilitation_take_over(turn=turn, actor=request.user)
    except ProcessConflict as error:
        return _conflict(error)
    return 200, {
        "id": successor.pk,
        "role": successor.role,
        "person": successor.person.public_name,
        "held_on": successor.held_on,
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
def poll_submit(request: AuthenticatedRequest, poll_id: int, payload: BallotIn):
    """Submit your ballot: option id → grade (0 = À rejeter … 6 = Excellent; approval 0/1)."""
    hit_person("write", request.user)
    poll = selectors.poll_get_visible(poll_id, request.user)
    try:
        polls.poll_submit(poll=poll, actor=request.user, grades=payload.grades)
    except ProcessConflict as error:
        return _conflict(error)
    return 200, _poll_results_out(poll)
