"""API of workshops: public reads (with aggregate diversity, never attendees), registration,
and what its organizers do: create, edit, cancel.

``POST /{slug}/registrations`` registers the caller (token or session) or, without an
account, a name and an email; a full workshop answers 201 with ``status: "waiting"``.
The video link is given only to confirmed registrants and the organizers (empty otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED, OPTIONAL
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person, hit_write
from maillage.organizations.models import Organization
from maillage.people.models import Person
from maillage.territories.models import Territory
from maillage.workshops import selectors, services
from maillage.workshops.models import Workshop

if TYPE_CHECKING:
    from maillage.workshops.selectors import CountedWorkshop

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
    hosts: list[str] = Field(description="Public names of the people who run it.")

    @staticmethod
    def resolve_hosts(obj: Workshop) -> list[str]:
        # Sorted here: the list's hosts are prefetched, and order_by would query again.
        return sorted(host.public_name for host in obj.hosts.all())

    @staticmethod
    def resolve_territory(obj: Workshop) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_registered(obj: CountedWorkshop) -> int:
        return obj.confirmed_count

    @staticmethod
    def resolve_waiting(obj: CountedWorkshop) -> int:
        return obj.waiting_count

    @staticmethod
    def resolve_cancelled(obj: Workshop) -> bool:
        return obj.is_cancelled

    @staticmethod
    def resolve_video_url(obj: Workshop) -> str:
        return obj.video_url if getattr(obj, "shows_video", False) else ""


def _people(ids: list[int]) -> list[Person]:
    people = list(Person.objects.filter(pk__in=ids, is_active=True))
    missing = set(ids) - {person.pk for person in people}
    if missing:
        raise Http404(f"no person {', '.join(map(str, sorted(missing)))}")
    return people


class WorkshopIn(Schema):
    title: str
    theme: str
    method: str
    territory: str = Field(description="Slug of the territory.")
    organizers: list[str] = Field(description="Slugs of organizations the caller belongs to.")
    hosts: list[int] = Field(
        default=[],
        description="Ids of the people who run it, members of the organizing organizations.",
    )
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    place: str = ""
    video_url: str = ""
    description: str = ""


class WorkshopPatch(Schema):
    title: str | None = None
    theme: str | None = None
    method: str | None = None
    description: str | None = None
    place: str | None = None
    video_url: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = None
    hosts: list[int] | None = Field(
        default=None,
        description="Ids of the people who run it (replaces the list), members of an organizer.",
    )


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


def _workshop(slug: str, request: HttpRequest | None = None) -> Workshop:
    qs = selectors.workshop_list()
    if request is not None:
        qs = selectors.with_video_access(qs, request.user)
    workshop = qs.filter(slug=slug).first()
    if workshop is None:
        raise Http404(f"no workshop {slug!r}")
    return workshop


@router.get("", response=list[WorkshopOut], auth=OPTIONAL)
@paginate(BoundedLimitOffsetPagination)
def workshop_list(request: HttpRequest, upcoming: bool | None = None):
    return selectors.with_video_access(selectors.workshop_list(upcoming=upcoming), request.user)


@router.post("", response={201: WorkshopOut}, auth=AUTHENTICATED)
def workshop_create(request: AuthenticatedRequest, payload: WorkshopIn):
    """Create a workshop for organizations the caller belongs to."""
    hit_person("write", request.user)
    territory = Territory.objects.filter(slug=payload.territory).first()
    if territory is None:
        raise Http404(f"no territory {payload.territory!r}")
    organizers = list(Organization.objects.filter(slug__in=payload.organizers))
    missing = set(payload.organizers) - {org.slug for org in organizers}
    if missing:
        raise Http404(f"no organization {', '.join(sorted(missing))!r}")
    workshop = services.workshop_create(
        actor=request.user,
        **payload.dict(exclude={"territory", "organizers", "hosts"}),
        territory=territory,
        organizers=organizers,
        hosts=_people(payload.hosts),
    )
    return Status(201, _workshop(workshop.slug, request))


@router.get("/{slug}", response=WorkshopOut, auth=OPTIONAL)
def workshop_detail(request: HttpRequest, slug: str):
    return _workshop(slug, request)


@router.patch("/{slug}", response=WorkshopOut, auth=AUTHENTICATED)
def workshop_update(request: AuthenticatedRequest, slug: str, payload: WorkshopPatch):
    """Change what is given; calendars that subscribed see the change."""
    hit_person("write", request.user)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "hosts" in changes:
        changes["hosts"] = _people(changes["hosts"])
    services.workshop_update(workshop=_workshop(slug), actor=request.user, **changes)
    return _workshop(slug, request)


class DuplicateIn(Schema):
    starts_at: dt.datetime


@router.post("/{slug}/duplicate", response={201: WorkshopOut}, auth=AUTHENTICATED)
def workshop_duplicate(request: AuthenticatedRequest, slug: str, payload: DuplicateIn):
    """Copy the workshop to another date (a series), with the same duration and organizers."""
    hit_person("write", request.user)
    copy = services.workshop_duplicate(
        workshop=_workshop(slug), actor=request.user, starts_at=payload.starts_at
    )
    return Status(201, _workshop(copy.slug, request))


@router.post("/{slug}/cancel", response=WorkshopOut, auth=AUTHENTICATED)
def workshop_cancel(request: AuthenticatedRequest, slug: str):
    """Cancel a workshop not yet started (422 once it has); registrants are told by email."""
    hit_person("write", request.user)
    services.workshop_update(workshop=_workshop(slug), actor=request.user, is_cancelled=True)
    return _workshop(slug, request)


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
