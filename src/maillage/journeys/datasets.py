"""Open data: journeys (route, length, counts) and their encounters' places and themes.

Encounters carry no notes, no description of who was met and no recorder: only the day, the
place (a territory or a place name, never a point) and the themes that came up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.journeys.models import Encounter, Journey


def _journey_rows() -> Iterator[dict[str, Any]]:
    from django.db.models import Count

    qs = (
        Journey.objects.filter(is_public=True)
        .annotate(encounter_count=Count("encounters", distinct=True))
        .order_by("id")
        .values(
            "id",
            "slug",
            "title",
            "territory__slug",
            "starts_on",
            "ends_on",
            "route_length_km",
            "route_points_kept",
            "encounter_count",
            "route",
        )
    )
    for row in qs.iterator(chunk_size=100):
        row["territory"] = row.pop("territory__slug")
        row["route_length_km"] = round(row["route_length_km"], 2)
        yield row


def _encounter_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Encounter.objects.filter(journey__is_public=True)
        .order_by("id")
        .values("id", "journey__slug", "met_on", "territory__slug", "place_name", "themes")
    )
    for row in qs.iterator(chunk_size=1000):
        yield {
            "id": row["id"],
            "journey": row["journey__slug"],
            "met_on": row["met_on"],
            "territory": row["territory__slug"] or "",
            "place_name": row["place_name"],
            "themes": ";".join(row["themes"] or []),
        }


DATASETS = (
    Dataset(
        name="journeys",
        title=_("Journeys across the territory"),
        description=_(
            "Walks of several days meeting inhabitants: period, simplified route, length and "
            "number of encounters."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("slug", "string", _("Stable short name"), required=True),
            Field("title", "string", _("Title"), required=True),
            Field("territory", "string", _("Slug of the territory"), required=True),
            Field("starts_on", "date", _("First day"), required=True),
            Field("ends_on", "date", _("Last day"), required=True),
            Field("route_length_km", "number", _("Length of the route in km")),
            Field("route_points_kept", "integer", _("Points of the simplified route")),
            Field("encounter_count", "integer", _("Number of encounters")),
            Field("route", "geojson", _("Route (GeoJSON line)")),
        ),
        rows=_journey_rows,
        pseudonymization=_("No personal data: walkers are not listed."),
        geometry=lambda row: row.get("route"),
        keywords=("itinérance", "marche", "territoire"),
    ),
    Dataset(
        name="journey_encounters",
        title=_("Journeys: encounters (places and themes)"),
        description=_(
            "When and where walkers met inhabitants, and the themes that came up. No notes and "
            "no description of the persons met."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("journey", "string", _("Slug of the journey"), required=True),
            Field("met_on", "date", _("Day"), required=True),
            Field("territory", "string", _("Slug of the territory met in")),
            Field("place_name", "string", _("Name of the place")),
            Field("themes", "string", _("Themes, ';'-separated")),
        ),
        rows=_encounter_rows,
        pseudonymization=_(
            "No name, no notes, no description of who was met and no precise position: a "
            "territory or a place name only."
        ),
        keywords=("itinérance", "rencontre", "thèmes"),
    ),
)
