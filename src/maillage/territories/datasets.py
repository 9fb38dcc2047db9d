"""Open data: the territories, with their geometry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.territories.models import Territory


def _rows() -> Iterator[dict[str, Any]]:
    qs = Territory.objects.order_by("id").values(
        "id",
        "slug",
        "name",
        "kind",
        "parent_id",
        "official_code",
        "centroid_lon",
        "centroid_lat",
        "bbox",
        "geometry",
    )
    for row in qs.iterator(chunk_size=2000):
        row["parent_id"] = row["parent_id"]
        yield dict(row)


DATASETS = (
    Dataset(
        name="territories",
        title=_("Territories"),
        description=_(
            "Nested territories (region, intercommunality, commune, neighbourhood, public space) "
            "with their official code, centroid, bounding box and GeoJSON geometry (WGS 84)."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("slug", "string", _("Stable short name used in addresses"), required=True),
            Field("name", "string", _("Name"), required=True),
            Field("kind", "string", _("Kind"), required=True, enum=tuple(Territory.Kind.values)),
            Field("parent_id", "integer", _("Identifier of the enclosing territory")),
            Field("official_code", "string", _("Official code (INSEE) when there is one")),
            Field("centroid_lon", "number", _("Centroid longitude (WGS 84)")),
            Field("centroid_lat", "number", _("Centroid latitude (WGS 84)")),
            Field("bbox", "array", _("Bounding box [min lon, min lat, max lon, max lat]")),
            Field("geometry", "geojson", _("Geometry (GeoJSON)")),
        ),
        rows=_rows,
        pseudonymization=_("No personal data: places only."),
        geometry=lambda row: row.get("geometry"),
        keywords=("territoire", "géographie", "espace public"),
    ),
)
