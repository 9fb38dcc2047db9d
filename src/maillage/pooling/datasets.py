"""Open data: offers, needs and exchanges between organizations.

Only organizations appear: who published or recorded (a person) and the free-text feedback
(which may name people) are never exported. A listing's point is its territory's centroid.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.pooling.models import Category, Conditions, Exchange, Need, Offer


def _listing_rows(model: type[Offer] | type[Need]) -> Iterator[dict[str, Any]]:
    qs = (
        model.objects.filter(is_active=True)
        .order_by("id")
        .values(
            "id",
            "organization__slug",
            "organization__name",
            "category",
            "title",
            "description",
            "available_from",
            "available_until",
            "conditions",
            "territory__slug",
            "territory__centroid_lon",
            "territory__centroid_lat",
        )
    )
    for row in qs.iterator(chunk_size=1000):
        yield {
            "id": row["id"],
            "organization": row["organization__slug"],
            "organization_name": row["organization__name"],
            "category": row["category"],
            "title": row["title"],
            "description": row["description"],
            "available_from": row["available_from"],
            "available_until": row["available_until"],
            "conditions": row["conditions"],
            "territory": row["territory__slug"],
            "lon": row["territory__centroid_lon"],
            "lat": row["territory__centroid_lat"],
        }


def _point(row: dict[str, Any]) -> dict | None:
    if row.get("lon") is None:
        return None
    return {"type": "Point", "coordinates": [row["lon"], row["lat"]]}


def _exchange_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Exchange.objects.confirmed()
        .order_by("id")
        .values(
            "id",
            "giver__slug",
            "receiver__slug",
            "offer_id",
            "need_id",
            "what",
            "happened_on",
            "duration_hours",
        )
        .iterator(chunk_size=1000)
    )
    for row in qs:
        yield {
            "id": row["id"],
            "giver": row["giver__slug"],
            "receiver": row["receiver__slug"],
            "offer_id": row["offer_id"],
            "need_id": row["need_id"],
            "what": row["what"],
            "happened_on": row["happened_on"],
            "duration_hours": row["duration_hours"],
        }


def _listing_fields() -> tuple[Field, ...]:
    return (
        Field("id", "integer", _("Identifier"), required=True),
        Field("organization", "string", _("Slug of the organization"), required=True),
        Field("organization_name", "string", _("Name of the organization"), required=True),
        Field("category", "string", _("Category"), required=True, enum=tuple(Category.values)),
        Field("title", "string", _("Title"), required=True),
        Field("description", "string", _("Description")),
        Field("available_from", "date", _("Available from"), required=True),
        Field("available_until", "date", _("Available until"), required=True),
        Field(
            "conditions", "string", _("Conditions"), required=True, enum=tuple(Conditions.values)
        ),
        Field("territory", "string", _("Slug of the territory"), required=True),
        Field("lon", "number", _("Longitude of the territory's centroid (WGS 84)")),
        Field("lat", "number", _("Latitude of the territory's centroid (WGS 84)")),
    )


PSEUDONYMIZATION = _(
    "Organizations only: the persons who published or recorded are not exported, nor the "
    "free-text feedback; places are territories' centroids."
)


DATASETS = (
    Dataset(
        name="pooling_offers",
        title=_("Pooling: offers of organizations"),
        description=_(
            "Skills, equipment, spaces and methods that organizations of the territory offer to "
            "share, with their availability, conditions and territory."
        ),
        fields=_listing_fields(),
        rows=lambda: _listing_rows(Offer),
        pseudonymization=PSEUDONYMIZATION,
        geometry=_point,
        keywords=("mutualisation", "offre", "ressources"),
    ),
    Dataset(
        name="pooling_needs",
        title=_("Pooling: needs of organizations"),
        description=_(
            "Skills, equipment, spaces and methods that organizations of the territory need, "
            "with the period, conditions and territory."
        ),
        fields=_listing_fields(),
        rows=lambda: _listing_rows(Need),
        pseudonymization=PSEUDONYMIZATION,
        geometry=_point,
        keywords=("mutualisation", "besoin", "ressources"),
    ),
    Dataset(
        name="pooling_exchanges",
        title=_("Pooling: exchanges between organizations"),
        description=_(
            "Who gave what to whom, when and for how long: the exchanges recorded by one "
            "organization and confirmed by the other."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("giver", "string", _("Slug of the giving organization"), required=True),
            Field("receiver", "string", _("Slug of the receiving organization"), required=True),
            Field("offer_id", "integer", _("Offer it answered, if any")),
            Field("need_id", "integer", _("Need it answered, if any")),
            Field("what", "string", _("What was given"), required=True),
            Field("happened_on", "date", _("Date"), required=True),
            Field("duration_hours", "number", _("Duration in hours")),
        ),
        rows=_exchange_rows,
        pseudonymization=PSEUDONYMIZATION,
        keywords=("mutualisation", "échange", "coopération"),
    ),
)
