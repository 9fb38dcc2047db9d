"""API of workshops: public reads (with aggregate diversity, never attendees) and registration.

``POST /{slug}/registrations`` registers the caller (token or session) or, without an
account, a name and an email; a full workshop answers 201 with ``status: "waiting"``.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_write
from maillage.workshops import selectors, services
from maillage.workshops.models import Workshop

router = Router(tags=["workshops"])


class WorkshopOut(Schema):
    slug: str
    title: str
    theme: str
    method: str
    territory: str
    place: str
    video_url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    registered: int
    waiting: int
    cancelled: bool

    @staticmethod
    def resolve_territory(obj: Workshop) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_registered(obj: Workshop) -> int:
        return obj.confirmed_count

    @staticmethod
    def resolve_waiting(obj: Workshop) -> int:
        return obj.waiting_count

    @staticmethod
    def resolve_cancelled(obj: Workshop) -> bool:
        return obj.is_cancelled


class DimensionOut(Schema):
    dimension: str
    registrants: int
    unknown: int
    categories: int
    shannon: float | None
    evenness: float | None
    gini_simpson: float | None
    counts: dict[str, int]
    suppressed: bool


class RegistrationIn(Schema):
    name: str = ""
    email: str = ""
    sector: str = ""
    public: str = ""
    age_band: str = ""
    discipline: str = ""


class RegistrationOut(Schema):
    id: int
    status: str


def _workshop(slug: str) -> Workshop:
    workshop = selectors.workshop_list().filter(slug=slug).first()
    if workshop is None:
        raise Http404(f"no workshop {slug!r}")
    return workshop


@router.get("", response=list[WorkshopOut])
@paginate(BoundedLimitOffsetPagination)
def workshop_list(request: HttpRequest, upcoming: bool | None = None):
    return selectors.workshop_list(upcoming=upcoming)


@router.get("/{slug}", response=WorkshopOut)
def workshop_detail(request: HttpRequest, slug: str):
    return _workshop(slug)


@router.get("/{slug}/diversity", response=list[DimensionOut])
def workshop_diversity(request: HttpRequest, slug: str):
    """The mix of confirmed registrants per dimension; counts under 5 are null."""
    return [
        {**m.__dict__, "gini_simpson": m.simpson, "counts": dict(m.counts)}
        for m in selectors.diversity_of(_workshop(slug)).values()
    ]


@router.post("/{slug}/registrations", response={201: RegistrationOut})
def registration_create(request: HttpRequest, slug: str, payload: RegistrationIn):
    workshop = _workshop(slug)
    hit_write(request)
    registration = services.registration_create(
        workshop=workshop, actor=request.user, **payload.dict()
    )
    return Status(201, {"id": registration.pk, "status": registration.status})
