"""Reads on workshops: lists, places left, and the diversity of those registered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.urls import reverse
from django.utils import timezone

from maillage.analysis.diversity import DimensionDiversity, workshop_diversity
from maillage.core.periods import active_q
from maillage.organizations.models import Organization
from maillage.people.selectors import person_territory_roles
from maillage.territories.models import Territory
from maillage.workshops.models import Registration, Workshop

CONFIRMED = Registration.Status.CONFIRMED
DIMENSIONS = ("sector", "public", "age_band", "discipline", "territory")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    class RegistrationCounts(TypedDict):
        confirmed_count: int
        waiting_count: int

    # A workshop with its registrations counted (``workshop_list``).
    CountedWorkshop = WithAnnotations[Workshop, RegistrationCounts]

_Workshops = TypeVar("_Workshops", bound=Workshop)


def workshop_list(
    *, territory_ids: list[int] | None = None, upcoming: bool | None = None
) -> QuerySet[CountedWorkshop]:
    """Return workshops with their confirmed and waiting counts, soonest first."""
    qs = Workshop.objects.select_related("territory").prefetch_related("organizers", "hosts")
    if territory_ids is not None:
        qs = qs.filter(territory_id__in=territory_ids)
    if upcoming is True:
        qs = qs.filter(ends_at__gte=timezone.now())
    elif upcoming is False:
        qs = qs.filter(ends_at__lt=timezone.now())
    return qs.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=CONFIRMED)),
        waiting_count=Count("registrations", filter=Q(registrations__status="waiting")),
    ).order_by("starts_at", "id")


def with_video_access(qs: QuerySet[_Workshops], person: Any) -> QuerySet[_Workshops]:
    """Annotate ``shows_video``: the person has a confirmed place, or organizes the workshop.

    Territory facilitators and platform admins see every link.
    """
    if not getattr(person, "is_authenticated", False):
        return qs.annotate(shows_video=Value(False))
    if person.is_superuser:
        return qs.annotate(shows_video=Value(True))
    registered = Registration.objects.filter(
        workshop=OuterRef("pk"), person=person, status=CONFIRMED
    )
    organizing = Workshop.organizers.through.objects.filter(
        workshop=OuterRef("pk"),
        organization__in=person.memberships.filter(active_q()).values("organization_id"),
    )
    access = Q(Exists(registered)) | Q(Exists(organizing))
    for path in (
        person_territory_roles(person)
        .filter(role__in=("admin", "facilitator"))
        .values_list("territory__path", flat=True)
    ):
        access |= Q(territory__path__startswith=path)
    return qs.annotate(shows_video=ExpressionWrapper(access, output_field=BooleanField()))


def organizations_of(person: Any) -> QuerySet[Organization]:
    """Return the organizations ``person`` is an active member of (who may organize)."""
    if not getattr(person, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=person.memberships.filter(active_q()).values("organization_id")
    ).order_by("name")


def workshop_get(slug: str) -> Workshop:
    return Workshop.objects.select_related("territory").get(slug=slug)


def _labels() -> dict[str, dict[str, StrOrPromise]]:
    return {
        "sector": dict(Registration.Sector.choices),
        "public": dict(Registration.Public.choices),
        "age_band": dict(Registration.AgeBand.choices),
        "discipline": dict(Registration.Discipline.choices),
    }


def diversity_of(workshop: Workshop) -> dict[str, DimensionDiversity]:
    """Return the diversity of the confirmed registrants, per dimension (small counts hidden).

    Territories are counted at the commune level (or the widest level under it), so that a
    neighbourhood does not single anyone out.
    """
    rows = list(
        workshop.registrations.filter(status=CONFIRMED).values(
            "sector", "public", "age_band", "discipline", "territory__path"
        )
    )
    communes = _commune_names([row["territory__path"] for row in rows])
    registrants = [
        {
            "sector": row["sector"],
            "public": row["public"],
            "age_band": row["age_band"],
            "discipline": row["discipline"],
            "territory": communes.get(row["territory__path"] or "", ""),
        }
        for row in rows
    ]
    return workshop_diversity(registrants, DIMENSIONS)


def _commune_names(paths: list[str | None]) -> dict[str, str]:
    """Return, per territory path, the name of its commune (or itself when wider)."""
    ids: dict[str, int] = {}
    for path in filter(None, paths):
        chain = [int(p) for p in path.strip("/").split("/") if p]
        ids[path] = chain[min(len(chain) - 1, 2)]  # region / intercommunality / commune
    names = dict(Territory.objects.filter(pk__in=set(ids.values())).values_list("pk", "name"))
    return {path: names.get(pk, "") for path, pk in ids.items()}


def diversity_table(diversity: dict[str, DimensionDiversity]) -> list[dict[str, Any]]:
    """Return rows for the page: each dimension's categories with label, count and bar width."""
    labels = _labels()
    result = []
    for dimension, measure in diversity.items():
        known = measure.registrants - measure.unknown
        categories = [
            {
                "label": labels.get(dimension, {}).get(value, value),
                "count": count,
                "width": round(100 * count / known) if count and known else 0,
            }
            for value, count in measure.counts.items()
        ]
        result.append({"dimension": dimension, "measure": measure, "categories": categories})
    return result


def territory_section(territory: Territory, ids: list[int]) -> dict | None:
    workshops = list(workshop_list(territory_ids=ids, upcoming=True)[:10])
    if not workshops:
        return None
    return {
        "title": "workshops",
        "template": "workshops/territory_section.html",
        "context": {
            "workshops": workshops,
            "index_url": reverse("workshops:index"),
            "ics_url": reverse("workshops:territory_ics", args=[territory.slug]),
        },
    }


def registrations_export_for_person(person: Any) -> list[dict[str, Any]]:
    """Return a person's registrations (by account or verified email) for their GDPR export."""
    mine = Q(person=person)
    if person.verified_email:
        mine |= Q(email__iexact=person.verified_email)
    return [
        {
            "workshop": r.workshop.title,
            "status": r.status,
            "name": r.name,
            "email": r.email,
            "sector": r.sector,
            "age_band": r.age_band,
            "public": r.public,
            "discipline": r.discipline,
            "attended": r.attended,
        }
        for r in Registration.objects.filter(mine).select_related("workshop")
    ]


def participation_of(person: Any) -> dict[str, Any] | None:
    """Return the "my participation" section of ``person``: her workshop registrations."""
    registrations = list(
        Registration.objects.filter(person=person)
        .select_related("workshop")
        .order_by("-workshop__starts_at")
    )
    if not registrations:
        return None
    return {
        "title": "workshops",
        "template": "workshops/my_participation.html",
        "context": {"registrations": registrations},
    }
