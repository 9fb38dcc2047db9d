"""Writes on territories: creation and geometry updates keep path, centroid and bbox right."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from maillage.core.geojson import GeoJSONError, bounding_box, centroid, validate_geometry
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.territories.imports import Row
from maillage.territories.models import OFFICIAL_CODE_SHAPES, Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


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
    actor: Person | None = None,
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
    *, territory: Territory, actor: Person, geometry: Any = ..., **changes: Any
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


@dataclass
class ImportReport:
    """What an import made (or, in a dry run, would make)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    dry_run: bool = False


def _import_code(kind: str, row: Row) -> str:
    """Return the row's code checked for ``kind``, or refuse it naming the feature."""
    try:
        return _check_official_code(kind, row.code)
    except ValidationError as error:
        message = _("The code %(code)s of feature %(number)s (%(name)s) does not fit: %(problem)s")
        problem = error.message_dict["official_code"][0]
        raise ValidationError(
            message % {"code": row.code, "number": row.number, "name": row.name, "problem": problem}
        ) from None


def territory_import(
    *,
    actor: Person,
    parent: Territory | None,
    kind: str,
    rows: Sequence[Row],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update the areas or places ``rows`` under ``parent``, all or nothing.

    A row matches an existing territory of the same kind under ``parent`` by its official code
    when it has one, else by its name; a match gets the row's name and geometry. A dry run
    checks everything and reports what would change, writing nothing.
    """
    require(actor, "territories.add_territory", parent)
    _check_kind(kind, parent)
    existing = Territory.objects.filter(kind=kind)
    existing = (
        existing.filter(path__startswith=parent.path) if parent else existing.filter(parent=None)
    )
    codes = [_import_code(kind, row) for row in rows]  # every code checked, even in a dry run
    by_code = {t.official_code: t for t in existing if t.official_code}
    by_name = {t.name.casefold(): t for t in existing}
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        for done, (row, code) in enumerate(zip(rows, codes, strict=True), start=1):
            match = by_code.get(code) if code else by_name.get(row.name.casefold())
            if match is None:
                report.created.append(row.name)
                if not dry_run:
                    created = territory_create(
                        name=row.name,
                        kind=kind,
                        parent=parent,
                        geometry=row.geometry,
                        official_code=code,
                    )
                    by_code[code] = by_name[row.name.casefold()] = created
            else:
                report.updated.append(row.name)
                if not dry_run:
                    match.name = row.name
                    _apply_geometry(match, row.geometry)
                    match.save(
                        update_fields=["name", "geometry", "centroid_lon", "centroid_lat", "bbox"]
                    )
            if progress is not None:
                progress(done)
        if not dry_run:
            audit_record(
                actor=actor,
                action="territory.import",
                target=parent,
                data={"kind": kind, "created": len(report.created), "updated": len(report.updated)},
            )
    return report
