"""Writes on journeys: create, walkers, stages, and the route imported from a GPX file
(simplified by ``maillage.analysis.gpx``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.analysis.gpx import GpxError, Track, import_gpx, to_gpx
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.core.uploads import Upload, upload_read, upload_size
from maillage.journeys.models import Journey, Stage
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


MAX_GPX_BYTES = 20 * 1024 * 1024
GPX_TOLERANCE_M = 10.0


@transaction.atomic
def journey_create(
    *,
    actor: Person,
    title: str,
    territory: Territory,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    walkers: Iterable[Any] = (),
    is_public: bool = True,
    slug: str | None = None,
) -> Journey:
    """Create a journey on ``territory``; a facilitator of the territory organizes it."""
    require(actor, "journeys.add_journey", territory)
    if not title.strip():
        raise ValidationError({"title": _("A title is required.")})
    if ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": _("The journey ends on %(end)s, before it starts on %(start)s.")
                % {"end": ends_on.isoformat(), "start": starts_on.isoformat()}
            }
        )
    journey = Journey.objects.create(
        title=title.strip()[:200],
        slug=slug or unique_slug(title, Journey),
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
        is_public=is_public,
        created_by=actor,
    )
    journey.walkers.set(list(walkers))
    audit_record(actor=actor, action="journeys.journey.create", target=journey)
    return journey


@transaction.atomic
def journey_set_walkers(*, journey: Journey, actor: Person, walkers: Iterable[Any]) -> Journey:
    """Replace the walkers of ``journey``."""
    require(actor, "journeys.change_journey", journey)
    journey.walkers.set(list(walkers))
    journey.__dict__.pop("_walker_cache", None)
    audit_record(actor=actor, action="journeys.journey.walkers", target=journey)
    return journey


@transaction.atomic
def stage_add(
    *,
    journey: Journey,
    actor: Person,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    distance_km: float | None = None,
) -> Stage:
    """Add a stage at the end of the journey; its days must lie within the journey's."""
    require(actor, "journeys.change_journey", journey)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The stage ends before it starts.")})
    if starts_on < journey.starts_on or ends_on > journey.ends_on:
        raise ValidationError(
            {"starts_on": _("The stage's days must lie within the journey's days.")}
        )
    last = journey.stages.order_by("-position").values_list("position", flat=True).first() or 0
    return Stage.objects.create(
        journey=journey,
        position=last + 1,
        title=title.strip()[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        distance_km=distance_km,
    )


@dataclass(frozen=True)
class RouteImport:
    """What a GPX import did: points read, kept and dropped, tolerance and length."""

    read: int
    kept: int
    dropped: int
    tolerance_m: float
    length_km: float


def _route_geometry(track: Track) -> dict[str, Any]:
    lines = []
    for first, stop in zip(track.segment_starts[:-1], track.segment_starts[1:], strict=True):
        if stop - first >= 2:
            lines.append(
                np.round(
                    np.column_stack([track.lon[first:stop], track.lat[first:stop]]), 6
                ).tolist()
            )
    if not lines:
        raise GpxError("the track has fewer than two points: there is no route to draw")
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def journey_import_gpx(
    *, journey: Journey, actor: Person, data: Upload, tolerance_m: float = GPX_TOLERANCE_M
) -> RouteImport:
    """Replace the route of ``journey`` by a GPX file's track, simplified (Douglas–Peucker).

    Permission and the declared size are checked before the file is read. Raise
    ValidationError naming the problem: not GPX, no track, bad points, too large.
    """
    require(actor, "journeys.change_journey", journey)
    size = upload_size(data)
    if size > MAX_GPX_BYTES:
        raise ValidationError(
            {
                "gpx": _("The file is %(size)d MB; the limit is %(limit)d MB.")
                % {"size": size // 2**20, "limit": MAX_GPX_BYTES // 2**20}
            }
        )
    try:
        simplified = import_gpx(upload_read(data), tolerance_m=tolerance_m)
        geometry = _route_geometry(simplified.track)
    except GpxError as error:
        raise ValidationError({"gpx": str(error)}) from None
    result = RouteImport(
        read=simplified.kept + simplified.dropped,
        kept=simplified.kept,
        dropped=simplified.dropped,
        tolerance_m=simplified.tolerance_m,
        length_km=simplified.length_km,
    )
    with transaction.atomic():
        journey.route = geometry
        journey.route_points_read = result.read
        journey.route_points_kept = result.kept
        journey.route_points_dropped = result.dropped
        journey.route_tolerance_m = result.tolerance_m
        journey.route_length_km = result.length_km
        journey.save(
            update_fields=[
                "route",
                "route_points_read",
                "route_points_kept",
                "route_points_dropped",
                "route_tolerance_m",
                "route_length_km",
            ]
        )
        audit_record(
            actor=actor,
            action="journeys.journey.import_gpx",
            target=journey,
            data={"read": result.read, "kept": result.kept},
        )
    return result


def journey_export_gpx(journey: Journey) -> bytes:
    """Return the journey's (simplified) route as a GPX 1.1 file."""
    if not journey.route:
        raise ValidationError(_("This journey has no route yet."))
    lines = (
        [journey.route["coordinates"]]
        if journey.route["type"] == "LineString"
        else journey.route["coordinates"]
    )
    points = [p for line in lines for p in line]
    starts = np.cumsum([0, *[len(line) for line in lines]])
    n = len(points)
    track = Track(
        name=journey.title,
        lat=np.array([p[1] for p in points], dtype=np.float64),
        lon=np.array([p[0] for p in points], dtype=np.float64),
        ele=np.full(n, np.nan),
        time=np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"),
        segment_starts=starts.astype(np.int64),
    )
    return to_gpx(track)
