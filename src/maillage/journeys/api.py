"""API of journeys and self-observation.

Offline sync of encounters: ``POST /api/journeys/sync`` with ``{"records": [...]}`` (at most
500). Each record: ``uuid`` (made on the phone), ``journey`` (slug), ``territory`` (id) and/or
``place_name``, ``met_on`` (date), ``who``, optional ``notes`` (only with ``consent``: true) and
``themes``. One result per record, in order: 201 created, 200 duplicate (same UUID and payload:
the row is kept), 409 conflict (same UUID, other payload), 422 invalid, 403 not a walker. A
position (lat/lon) is refused: inhabitants are never located.

Self-observation: ``POST /rounds/{id}/answers`` with ``{"answers": {key: value}}``; an answer
outside the scale is a 422 naming the allowed range.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut, SyncOut, read_records, sync_answer, sync_body_schema
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.core.sync import MAX_BATCH
from maillage.journeys import selectors, services
from maillage.journeys.models import Journey, Round

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
def sync(request: HttpRequest):
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
def route_import(request: HttpRequest, slug: str, gpx: File[UploadedFile]):
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
def round_answer(request: HttpRequest, round_id: int, payload: AnswersIn):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    hit_person("write", request.user)
    response = services.response_submit(round_=round_, actor=request.user, answers=payload.answers)
    return Status(
        201, {"id": response.pk, "round": round_.pk, "submitted_at": response.submitted_at}
    )


@router.get(
    "/self-observation/me",
    auth=AUTHENTICATED,
    response=list[WaveOut],
    summary="My own scores per dimension, round after round",
)
def my_evolution(request: HttpRequest):
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        return []
    rounds, waves = selectors.person_evolution(request.user, questionnaire)
    return [
        {"round": r.pk, "title": r.title, "scores": dict(w.scores)}
        for r, w in zip(rounds, waves, strict=True)
    ]
