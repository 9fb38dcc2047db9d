"""API of journeys and self-observation.

Offline sync of encounters: ``POST /api/journeys/sync`` with ``{"records": [...]}`` (at most
500). Each record: ``uuid`` (made on the phone), ``journey`` (slug), ``territory`` (id) and/or
``place_name``, ``met_on`` (date), ``who``, optional ``notes`` (only with ``consent``: true) and
``themes``. One result per record, in order: 201 created, 200 duplicate (same UUID and payload:
the row is kept), 409 conflict (same UUID, other payload), 422 invalid, 403 not a walker. A
position (lat/lon) is refused: inhabitants are never located.

Self-observation: ``POST /rounds/{id}/answers`` with ``{"answers": {key: value}}``; an answer
outside the scale is a 422 naming the allowed range. Facilitators and a collective's admins
open rounds (``POST /self-observation/rounds``) and close them; facilitators reword, add and
remove questions (adding and removing only before the first answer, else 422). A round for a
collective under the anonymity threshold is accepted: ``below_threshold`` says so, and the
collective's aggregate stays withheld.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut, SyncOut, read_records, sync_answer, sync_body_schema
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.core.sync import MAX_BATCH
from maillage.journeys import selectors, services
from maillage.journeys.models import Journey, Question, Round
from maillage.organizations.models import Organization

router = Router(tags=["journeys"])


class EncounterRecordIn(Schema):
    uuid: str
    journey: str
    territory: int | None = None
    place_name: str = ""
    met_on: str
    who: str
    notes: str = ""
    consent: bool = False
    themes: list[str] = []


class JourneyOut(Schema):
    slug: str
    title: str
    territory: str
    starts_on: dt.date
    ends_on: dt.date
    route_length_km: float
    route_points_kept: int
    encounter_count: int = 0

    @staticmethod
    def resolve_territory(obj: Journey) -> str:
        return obj.territory.slug


class JourneyDetailOut(JourneyOut):
    description: str
    route: dict[str, Any] | None
    route_points_read: int
    route_points_dropped: int
    route_tolerance_m: float


class RouteImportOut(Schema):
    read: int
    kept: int
    dropped: int
    tolerance_m: float
    length_km: float


class EncounterOut(Schema):
    id: int
    met_on: dt.date
    territory: str | None
    place_name: str
    themes: list[str]

    @staticmethod
    def resolve_territory(obj) -> str | None:
        return obj.territory.slug if obj.territory_id else None


class AnswersIn(Schema):
    answers: dict[str, Any]


class RoundResponseOut(Schema):
    id: int
    round: int
    submitted_at: dt.datetime


class RoundIn(Schema):
    title: str
    opens_on: dt.date
    closes_on: dt.date | None = None
    organization: str | None = Field(
        None, description="Slug of the collective; none for a round open to everyone."
    )


class SelfObservationRoundOut(Schema):
    id: int
    title: str
    organization: str | None
    opens_on: dt.date
    closes_on: dt.date | None
    closed: bool
    below_threshold: bool = Field(
        description="The collective has fewer members than the anonymity threshold: its "
        "aggregate will stay withheld."
    )

    @staticmethod
    def resolve_organization(obj: Round) -> str | None:
        return obj.organization.slug if obj.organization is not None else None

    @staticmethod
    def resolve_closed(obj: Round) -> bool:
        return obj.closed_at is not None

    @staticmethod
    def resolve_below_threshold(obj: Round) -> bool:
        return selectors.round_below_threshold(obj) is not None


class SelfObservationQuestionOut(Schema):
    key: str
    position: int
    dimension: str
    text_fr: str
    text_en: str


class QuestionIn(Schema):
    key: str
    dimension: str
    text_fr: str
    text_en: str


class QuestionPatch(Schema):
    text_fr: str
    text_en: str


class WaveOut(Schema):
    round: int
    title: str
    scores: dict[str, float | None]


_SYNC_BODY = sync_body_schema(EncounterRecordIn, MAX_BATCH)


@router.post(
    "/sync",
    auth=AUTHENTICATED,
    response={200: SyncOut, 400: ErrorOut, 413: ErrorOut},
    openapi_extra=_SYNC_BODY,
    summary="Sync a batch of encounters captured offline (idempotent by UUID)",
    url_name="journeys_sync",
)
def sync(request: AuthenticatedRequest):
    records = read_records(request, MAX_BATCH)
    if isinstance(records, Status):
        return records
    return sync_answer(services.encounter_sync_batch(actor=request.user, records=records))


def _visible(request: HttpRequest, slug: str) -> Journey:
    journey = Journey.objects.select_related("territory").filter(slug=slug).first()
    if journey is None or not request.user.has_perm("journeys.view_journey", journey):
        raise Http404(f"no journey {slug!r}")
    return journey


@router.get("", response=list[JourneyOut])
@paginate(BoundedLimitOffsetPagination)
def journey_list(request: HttpRequest):
    return selectors.journey_visible_list(request.user)


@router.get("/{slug}", response=JourneyDetailOut)
def journey_detail(request: HttpRequest, slug: str):
    return _visible(request, slug)


@router.get("/{slug}/encounters", response=list[EncounterOut])
@paginate(BoundedLimitOffsetPagination)
def encounter_list(request: HttpRequest, slug: str):
    return selectors.journey_encounters(_visible(request, slug))


@router.get("/{slug}/route.gpx", summary="The simplified route as GPX 1.1")
def route_export(request: HttpRequest, slug: str):
    journey = _visible(request, slug)
    if not journey.route:
        raise Http404("this journey has no route yet")
    return HttpResponse(services.journey_export_gpx(journey), content_type="application/gpx+xml")


@router.post(
    "/{slug}/route",
    auth=AUTHENTICATED,
    response={200: RouteImportOut},
    summary="Import the route from a GPX file (simplified; kept and dropped counts returned)",
)
def route_import(request: AuthenticatedRequest, slug: str, gpx: File[UploadedFile]):
    journey = _visible(request, slug)
    hit_person("write", request.user)
    result = services.journey_import_gpx(journey=journey, actor=request.user, data=gpx)
    return result.__dict__


@router.post(
    "/self-observation/rounds/{round_id}/answers",
    auth=AUTHENTICATED,
    response={201: RoundResponseOut},
    summary="Answer a self-observation round (422 with the allowed range when off the scale)",
)
def round_answer(request: AuthenticatedRequest, round_id: int, payload: AnswersIn):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    hit_person("write", request.user)
    response = services.response_submit(round_=round_, actor=request.user, answers=payload.answers)
    return Status(
        201, {"id": response.pk, "round": round_.pk, "submitted_at": response.submitted_at}
    )


def _questionnaire() -> Any:
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        raise Http404("no questionnaire")
    return questionnaire


@router.get(
    "/self-observation/rounds",
    auth=AUTHENTICATED,
    response=list[SelfObservationRoundOut],
    summary="The rounds I may answer today",
)
def round_list(request: AuthenticatedRequest):
    return selectors.rounds_open_to(request.user)


@router.post(
    "/self-observation/rounds",
    auth=AUTHENTICATED,
    response={201: SelfObservationRoundOut},
    summary="Open a round, for a collective or for everyone",
)
def round_create(request: AuthenticatedRequest, payload: RoundIn):
    hit_person("write", request.user)
    organization = None
    if payload.organization:
        organization = Organization.objects.filter(slug=payload.organization).first()
        if organization is None:
            raise Http404(f"no organization {payload.organization!r}")
    round_ = services.round_create(
        actor=request.user,
        questionnaire=_questionnaire(),
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        organization=organization,
    )
    return Status(201, round_)


@router.post(
    "/self-observation/rounds/{round_id}/close",
    auth=AUTHENTICATED,
    response=SelfObservationRoundOut,
    summary="Close a round now (the answers given are kept)",
)
def round_close(request: AuthenticatedRequest, round_id: int):
    round_ = get_object_or_404(
        Round.objects.select_related("questionnaire", "organization"), pk=round_id
    )
    hit_person("write", request.user)
    return services.round_close(round_=round_, actor=request.user)


@router.get(
    "/self-observation/questions",
    response=list[SelfObservationQuestionOut],
    summary="The questions of the questionnaire, in French and English",
)
def question_list(request: HttpRequest):
    return list(_questionnaire().questions.all())


@router.post(
    "/self-observation/questions",
    auth=AUTHENTICATED,
    response={201: SelfObservationQuestionOut},
    summary="Add a question (facilitators; only before the first answer)",
)
def question_add(request: AuthenticatedRequest, payload: QuestionIn):
    hit_person("write", request.user)
    question = services.question_add(
        questionnaire=_questionnaire(), actor=request.user, **payload.dict()
    )
    return Status(201, question)


def _question(key: str) -> Question:
    return get_object_or_404(Question, questionnaire=_questionnaire(), key=key)


@router.patch(
    "/self-observation/questions/{key}",
    auth=AUTHENTICATED,
    response=SelfObservationQuestionOut,
    summary="Reword a question in French and English (facilitators)",
)
def question_update(request: AuthenticatedRequest, key: str, payload: QuestionPatch):
    hit_person("write", request.user)
    return services.question_update(question=_question(key), actor=request.user, **payload.dict())


@router.delete(
    "/self-observation/questions/{key}",
    auth=AUTHENTICATED,
    response={204: None},
    summary="Remove a question (facilitators; only before the first answer)",
)
def question_remove(request: AuthenticatedRequest, key: str):
    hit_person("write", request.user)
    services.question_remove(question=_question(key), actor=request.user)
    return Status(204, None)


@router.get(
    "/self-observation/me",
    auth=AUTHENTICATED,
    response=list[WaveOut],
    summary="My own scores per dimension, round after round",
)
def my_evolution(request: AuthenticatedRequest):
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        return []
    rounds, waves = selectors.person_evolution(request.user, questionnaire)
    return [
        {"round": r.pk, "title": r.title, "scores": dict(w.scores)}
        for r, w in zip(rounds, waves, strict=True)
    ]
