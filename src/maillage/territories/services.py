"""Writes on territories: creation and geometry updates keep path, centroid and bbox right."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from maillage.core.geojson import GeoJSONError, bounding_box, centroid, validate_geometry
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.territories.models import OFFICIAL_CODE_SHAPES, Territory


def _apply_geometry(territory: Territory, geometry: dict | None) -> None:
    if geometry is None:
        territory.geometry = None
        territory.centroid_lon = territory.centroid_lat = None
        territory.bbox = None
        return
    try:
        clean = validate_geometry(geometry)
    except GeoJSONError as error:
        raise ValidationError({"geometry": str(error)}) from None
    territory.geometry = clean
    territory.centroid_lon, territory.centroid_lat = centroid(clean)
    territory.bbox = bounding_box(clean)


def _check_kind(kind: str, parent: Territory | None) -> None:
    if kind not in Territory.KIND_ORDER:
        raise ValidationError({"kind": f"unknown kind {kind!r}"})
    if parent is not None and Territory.KIND_ORDER.index(kind) <= Territory.KIND_ORDER.index(
        parent.kind
    ):
        raise ValidationError(
            {"kind": f"a {kind} cannot be inside a {parent.kind}: a child must be narrower"}
        )


CODE_EXAMPLES = {
    "region": _("A region's INSEE code has 2 digits (for example 44)."),
    "intercommunality": _("An intercommunality's code is its SIREN number: 9 digits."),
    "commune": _(
        "A commune's INSEE code has 5 characters: its department (2 digits, 2A or 2B) "
        "then 3 digits (for example 68224 or 2A004)."
    ),
}


def _check_official_code(kind: str, code: str) -> str:
    """Return the code stripped (and upper-cased when its kind has a shape) if the shape fits."""
    code = code.strip()
    shape = OFFICIAL_CODE_SHAPES.get(kind)
    if shape is None or not code:
        return code
    code = code.upper()
    if not shape.fullmatch(code):
        raise ValidationError({"official_code": [CODE_EXAMPLES[kind]]})
    return code


@transaction.atomic
def territory_create(
    *,
    name: str,
    kind: str,
    parent: Territory | None = None,
    geometry: dict | None = None,
    official_code: str = "",
    description: str = "",
    slug: str | None = None,
    actor: Any = None,
) -> Territory:
    """Create a territory under ``parent``, validating its kind and GeoJSON geometry."""
    if actor is not None:
        require(actor, "territories.add_territory", parent)
    _check_kind(kind, parent)
    territory = Territory(
        name=name,
        kind=kind,
        parent=parent,
        official_code=_check_official_code(kind, official_code),
        description=description,
        slug=slug or unique_slug(name, Territory),
    )
    _apply_geometry(territory, geometry)
    territory.save()
    parent_path = parent.path if parent else "/"
    territory.path = f"{parent_path}{territory.pk}/"
    territory.depth = 0 if parent is None else parent.depth + 1
    territory.save(update_fields=["path", "depth"])
    if actor is not None:
        audit_record(actor=actor, action="territory.create", target=territory)
    return territory


@transaction.atomic
def territory_update(
    *, territory: Territory, actor: Any, geometry: Any = ..., **changes: Any
) -> Territory:
    """Update name, description, code or geometry of ``territory`` after a permission check."""
    require(actor, "territories.change_territory", territory)
    if "official_code" in changes:
        changes["official_code"] = _check_official_code(territory.kind, changes["official_code"])
    fields = []
    for name in ("name", "description", "official_code"):
        if name in changes:
            setattr(territory, name, changes[name])
            fields.append(name)
    if geometry is not ...:
        _apply_geometry(territory, geometry)
        fields += ["geometry", "centroid_lon", "centroid_lat", "bbox"]
    if fields:
        territory.save(update_fields=fields)
        audit_record(
            actor=actor, action="territory.update", target=territory, data={"fields": fields}
        )
    return territory
