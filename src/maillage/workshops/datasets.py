"""Open data: workshops and the aggregate diversity of those registered; never attendees.

Diversity rows give, per workshop and dimension, each category's count, suppressed (empty)
below 5 people so that nobody can be singled out, with the evenness and Gini–Simpson index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.workshops.models import Workshop
from maillage.workshops.selectors import DIMENSIONS, diversity_of, workshop_list


def _workshop_rows() -> Iterator[dict[str, Any]]:
    for workshop in workshop_list().iterator(chunk_size=200):
        yield {
            "id": workshop.pk,
            "slug": workshop.slug,
            "title": workshop.title,
            "theme": workshop.theme,
            "method": workshop.method,
            "territory": workshop.territory.slug,
            "place": workshop.place,
            "online": bool(workshop.video_url),
            "starts_at": workshop.starts_at,
            "ends_at": workshop.ends_at,
            "capacity": workshop.capacity,
            "registered": workshop.confirmed_count,
            "waiting": workshop.waiting_count,
            "cancelled": workshop.is_cancelled,
        }


def _diversity_rows() -> Iterator[dict[str, Any]]:
    for workshop in Workshop.objects.order_by("id").iterator(chunk_size=200):
        for dimension, measure in diversity_of(workshop).items():
            for category, count in measure.counts.items():
                yield {
                    "id": f"{workshop.slug}/{dimension}/{category}",
                    "workshop": workshop.slug,
                    "dimension": dimension,
                    "category": category,
                    "count": count,
                    "evenness": round(measure.evenness, 4)
                    if measure.evenness is not None
                    else None,
                    "gini_simpson": round(measure.simpson, 4)
                    if measure.simpson is not None
                    else None,
                }


DATASETS = (
    Dataset(
        name="workshops",
        title=_("Living-lab workshops"),
        description=_(
            "Workshops with their theme, method, place or online, time, capacity and the "
            "number of people registered and waiting. No attendee is listed."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("slug", "string", _("Stable short name"), required=True),
            Field("title", "string", _("Title"), required=True),
            Field("theme", "string", _("Theme"), required=True),
            Field("method", "string", _("Method"), required=True),
            Field("territory", "string", _("Slug of the territory"), required=True),
            Field("place", "string", _("Place")),
            Field("online", "boolean", _("Has a video link")),
            Field("starts_at", "datetime", _("Start"), required=True),
            Field("ends_at", "datetime", _("End"), required=True),
            Field("capacity", "integer", _("Capacity"), required=True),
            Field("registered", "integer", _("Confirmed registrations")),
            Field("waiting", "integer", _("On the waiting list")),
            Field("cancelled", "boolean", _("Cancelled")),
        ),
        rows=_workshop_rows,
        pseudonymization=_("No personal data: counts only, never the attendee list."),
        keywords=("living lab", "atelier", "participation"),
    ),
    Dataset(
        name="workshop_diversity",
        title=_("Living-lab workshops: diversity of those registered"),
        description=_(
            "Per workshop and dimension (sector, public, age band, discipline, commune): how "
            "many registered people in each category, with Pielou's evenness and the "
            "Gini–Simpson index."
        ),
        fields=(
            Field("id", "string", _("Workshop / dimension / category"), required=True),
            Field("workshop", "string", _("Slug of the workshop"), required=True),
            Field("dimension", "string", _("Dimension"), required=True, enum=DIMENSIONS),
            Field("category", "string", _("Category"), required=True),
            Field("count", "integer", _("People in the category; empty when fewer than 5")),
            Field("evenness", "number", _("Pielou's evenness of the dimension (0 to 1)")),
            Field("gini_simpson", "number", _("Gini–Simpson index of the dimension (0 to 1)")),
        ),
        rows=_diversity_rows,
        pseudonymization=_(
            "Aggregates only; a category of fewer than 5 people has its count suppressed."
        ),
        keywords=("living lab", "diversité", "hybridation"),
    ),
)
