"""GPX tracks of journeys: streaming parse, Douglas–Peucker simplification, length, export.

Parsing streams the file with ``xml.etree.ElementTree.iterparse`` (the C accelerator) and clears
each track point once read, so memory stays proportional to the columns kept, not to the XML
tree; ``bench/gpx.py`` measures it against gpxpy. GPX 1.0 and 1.1 (Topografix schemas) are
read; only tracks (``trk``/``trkseg``/``trkpt``) count as a journey's route.

Simplification is Ramer–Douglas–Peucker (Ramer 1972; Douglas & Peucker 1973) run with an
explicit stack (no recursion, so a million points cannot overflow it) and numpy distances per
span. Distances to the chord are measured in metres on a local equirectangular projection
centred on the track's mean latitude (x = R·Δλ·cos φ₀, y = R·Δφ), accurate to well under a
percent over a few hundred kilometres, which is all a tolerance needs. Lengths are haversine
sums (mean Earth radius 6371.0088 km).
"""

from __future__ import annotations

import io
import math
import os
import pyexpat
import re

# Expat (≥ 2.4.1, bundled with Python 3.11) refuses billion-laughs entity expansion and never
# fetches external entities, so user files are safe to parse with the standard library.
import xml.etree.ElementTree as ET  # noqa: S405
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
GPX_NAMESPACES = ("http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0")


class GpxError(ValueError):
    """A file that cannot be imported as a journey's track; the message names the problem."""


@dataclass(frozen=True)
class Track:
    """Track points as columns; ``segment_starts`` holds each segment's first index and ``n``."""

    name: str
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    time: np.ndarray
    segment_starts: np.ndarray

    def __len__(self) -> int:
        return len(self.lat)

    @property
    def segments(self) -> int:
        """Return the number of segments."""
        return len(self.segment_starts) - 1


@dataclass(frozen=True)
class SimplifiedTrack:
    """A simplified track with how many points were kept and dropped, and its length."""

    track: Track
    kept: int
    dropped: int
    tolerance_m: float
    length_km: float


def parse_gpx(source: bytes | str | os.PathLike[str] | BinaryIO) -> Track:
    """Return the track points of a GPX file (bytes, a path or a binary file object).

    Raise GpxError naming the problem: not XML, XML that is not GPX, a GPX without any track
    point (saying what it has instead), or a point with missing or impossible coordinates.
    """
    data = _read(source)
    root_tag = _root_tag(data)
    namespace, _, local = root_tag.rpartition("}")
    namespace = namespace.lstrip("{")
    if local != "gpx" or (namespace and namespace not in GPX_NAMESPACES):
        raise GpxError(f"not a GPX file: the root element is <{local}>, not <gpx>")
    fast = _parse_plain(data)
    if fast is not None:
        return fast
    prefix = f"{{{namespace}}}" if namespace else ""
    trkpt, trkseg, trk = prefix + "trkpt", prefix + "trkseg", prefix + "trk"
    ele_tag, time_tag, name_tag = prefix + "ele", prefix + "time", prefix + "name"
    others = {prefix + "wpt": 0, prefix + "rte": 0}
    lat: list[str] = []
    lon: list[str] = []
    ele: list[str | None] = []
    times: list[str | None] = []
    ends: list[int] = []
    name = ""
    # "end" events only: half the Python iterations of start+end; segment boundaries are
    # known when each trkseg closes.
    try:
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):  # noqa: S314
            tag = element.tag
            if tag == trkpt:
                attributes = element.attrib
                if "lat" not in attributes or "lon" not in attributes:
                    missing = "lat" if "lat" not in attributes else "lon"
                    raise GpxError(f"track point {len(lat) + 1} has no {missing} attribute")
                lat.append(attributes["lat"])
                lon.append(attributes["lon"])
                ele.append(element.findtext(ele_tag))
                times.append(element.findtext(time_tag))
                element.clear()
            elif tag == trkseg:
                ends.append(len(lat))
                element.clear()
            elif tag == trk:
                if not name:
                    name = (element.findtext(name_tag) or "").strip()
                element.clear()
            elif tag in others:
                others[tag] += 1
                element.clear()
    except ET.ParseError as error:
        line, column = error.position
        raise GpxError(f"not a GPX file: invalid XML at line {line}, column {column}") from None
    if not lat:
        found = ", ".join(
            f"{count} {tag.rpartition('}')[2]}" for tag, count in others.items() if count
        )
        raise GpxError("the GPX file has no track" + (f" (it only has {found})" if found else ""))
    return _columns(name, lat, lon, ele, times, ends)


def simplify(track: Track, tolerance_m: float = 10.0) -> SimplifiedTrack:
    """Return the track simplified by Douglas–Peucker with ``tolerance_m`` metres, per segment.

    Every segment keeps its first and last point; a segment of one point stays as it is.
    """
    if not tolerance_m > 0:
        raise ValueError(f"the tolerance must be a positive number of metres, not {tolerance_m}")
    n = len(track)
    if n == 0:
        return SimplifiedTrack(track, 0, 0, tolerance_m, 0.0)
    phi0 = math.radians(float(np.mean(track.lat)))
    x = np.radians(track.lon) * (EARTH_RADIUS_M * math.cos(phi0))
    y = np.radians(track.lat) * EARTH_RADIUS_M
    keep = np.zeros(n, dtype=bool)
    for first, stop in zip(track.segment_starts[:-1], track.segment_starts[1:], strict=True):
        if stop > first:
            keep[first:stop] = _douglas_peucker(x[first:stop], y[first:stop], tolerance_m)
    index = np.flatnonzero(keep)
    starts = np.searchsorted(index, track.segment_starts)
    kept_track = Track(
        name=track.name,
        lat=track.lat[index],
        lon=track.lon[index],
        ele=track.ele[index],
        time=track.time[index],
        segment_starts=starts,
    )
    return SimplifiedTrack(
        track=kept_track,
        kept=len(index),
        dropped=n - len(index),
        tolerance_m=tolerance_m,
        length_km=track_length_km(kept_track),
    )


def import_gpx(
    source: bytes | str | os.PathLike[str] | BinaryIO, tolerance_m: float = 10.0
) -> SimplifiedTrack:
    """Return a GPX file's track, parsed and simplified (the journey import)."""
    return simplify(parse_gpx(source), tolerance_m)


def track_length_km(track: Track) -> float:
    """Return the track's length in km: haversine sums within segments, not across gaps."""
    if len(track) < 2:
        return 0.0
    phi = np.radians(track.lat)
    lam = np.radians(track.lon)
    a = (
        np.sin(np.diff(phi) / 2) ** 2
        + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2
    )
    steps = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    # A step from a segment's last point to the next segment's first is a gap, not walked.
    gaps = track.segment_starts[1:-1] - 1
    steps[gaps[(gaps >= 0) & (gaps < len(steps))]] = 0.0
    return float(steps.sum() / 1000)


def to_gpx(track: Track, *, creator: str = "Maillage") -> bytes:
    """Return the track as a GPX 1.1 document (UTF-8), one ``trkseg`` per segment."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="{_escape(creator)}" xmlns="{GPX_NAMESPACES[0]}">',
        "<trk>",
    ]
    if track.name:
        lines.append(f"<name>{_escape(track.name)}</name>")
    times = np.datetime_as_string(track.time, unit="s")
    for first, stop in zip(track.segment_starts[:-1], track.segment_starts[1:], strict=True):
        lines.append("<trkseg>")
        for i in range(first, stop):
            inner = ""
            if not math.isnan(track.ele[i]):
                inner += f"<ele>{track.ele[i]:.2f}</ele>"
            if not np.isnat(track.time[i]):
                inner += f"<time>{times[i]}Z</time>"
            lines.append(
                f'<trkpt lat="{track.lat[i]:.7f}" lon="{track.lon[i]:.7f}">{inner}</trkpt>'
            )
        lines.append("</trkseg>")
    lines += ["</trk>", "</gpx>", ""]
    return "\n".join(lines).encode("utf-8")


def _douglas_peucker(x: np.ndarray, y: np.ndarray, tolerance: float) -> np.ndarray:
    """Return a mask of the points Douglas–Peucker keeps, using a stack of spans."""
    n = len(x)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)] if n > 2 else []
    while stack:
        first, last = stack.pop()
        dx, dy = x[last] - x[first], y[last] - y[first]
        px, py = x[first + 1 : last] - x[first], y[first + 1 : last] - y[first]
        chord = math.hypot(dx, dy)
        # A span that loops back to its start measures the distance to that point.
        distance = np.hypot(px, py) if chord == 0.0 else np.abs(px * dy - py * dx) / chord
        farthest = int(np.argmax(distance))
        if distance[farthest] > tolerance:
            split = first + 1 + farthest
            keep[split] = True
            if split - first > 1:
                stack.append((first, split))
            if last - split > 1:
                stack.append((split, last))
    return keep


def _columns(
    name: str,
    lat: list[str],
    lon: list[str],
    ele: list[str | None],
    times: list[str | None],
    ends: list[int],
) -> Track:
    """Return a Track from the tree parser's strings; raise GpxError on bad numbers."""
    try:
        lat_a = np.array(lat, dtype=np.float64)
        lon_a = np.array(lon, dtype=np.float64)
    except ValueError:
        raise GpxError("a track point has a latitude or longitude that is not a number") from None
    try:
        ele_a = np.array([value if value else "nan" for value in ele], dtype=np.float64)
    except ValueError:
        raise GpxError("a track point has an elevation that is not a number") from None
    return _track(name, lat_a, lon_a, ele_a, _times(times), ends)


def _track(
    name: str,
    lat: np.ndarray,
    lon: np.ndarray,
    ele: np.ndarray,
    time: np.ndarray,
    ends: list[int],
) -> Track:
    """Return a Track after checking coordinates; raise GpxError naming the first bad point."""
    bad = np.flatnonzero(~((np.abs(lat) <= 90) & (np.abs(lon) <= 180)))
    if len(bad):
        raise GpxError(
            f"track point {bad[0] + 1} has impossible coordinates "
            f"(lat {lat[bad[0]]}, lon {lon[bad[0]]})"
        )
    # Empty segments add nothing; points outside any trkseg still form one.
    segment_starts = np.unique(np.array([0, *ends, len(lat)], dtype=np.int64))
    return Track(name=name, lat=lat, lon=lon, ele=ele, time=time, segment_starts=segment_starts)


# The shape GPS devices and apps write: lat then lon, then optional ele and time.
_PLAIN_TRKPT = re.compile(
    rb'<trkpt\s+lat="([^"]*)"\s+lon="([^"]*)"\s*>\s*'
    rb"(?:<ele>\s*([^<]*?)\s*</ele>\s*)?(?:<time>\s*([^<]*?)\s*</time>\s*)?</trkpt>"
)
_TRK_NAME = re.compile(rb"<trk>\s*<name>([^<&]*)</name>")
# Constructs the regular expression does not read; a file with any of them takes the tree parser.
_UNUSUAL = (b"<!--", b"<![CDATA[", b":trkpt", b"<!DOCTYPE")


def _parse_plain(data: bytes) -> Track | None:
    """Return the track of a plainly written GPX, or None when the tree parser must read it.

    The fast path for the files GPS devices and apps write: well-formedness is checked by
    expat without Python callbacks, then every track point is read by one regular expression
    and converted by numpy, several times faster than building elements. A point written
    another way (attributes swapped, extensions, entities), comments, CDATA, prefixed tags or a
    DOCTYPE send the file to the tree parser instead, which reads everything.
    """
    if any(marker in data for marker in _UNUSUAL):
        return None
    checker = pyexpat.ParserCreate()
    try:
        checker.Parse(data, True)
    except pyexpat.ExpatError as error:
        raise GpxError(
            f"not a GPX file: invalid XML at line {error.lineno}, column {error.offset}"
        ) from None
    points = _PLAIN_TRKPT.findall(data)
    if not points or len(points) != data.count(b"<trkpt"):
        return None
    lat, lon, ele, times = (np.array(column) for column in zip(*points, strict=True))
    if any(b"&" in column.tobytes() for column in (lat, lon, ele, times)):
        return None
    try:
        lat_f = lat.astype(np.float64)
        lon_f = lon.astype(np.float64)
    except ValueError:
        raise GpxError("a track point has a latitude or longitude that is not a number") from None
    try:
        ele_f = np.where(ele == b"", b"nan", ele).astype(np.float64)
    except ValueError:
        raise GpxError("a track point has an elevation that is not a number") from None
    ends = [data.count(b"<trkpt", 0, match.start()) for match in re.finditer(rb"</trkseg>", data)]
    name_match = _TRK_NAME.search(data)
    name = name_match.group(1).decode("utf-8").strip() if name_match else ""
    time: np.ndarray | None = None
    if np.char.endswith(times, b"Z").all():
        try:
            time = np.char.rstrip(times, b"Z").astype("U").astype("datetime64[s]")
        except ValueError:
            time = None
    if time is None:
        time = _times([t.decode("ascii", "replace") or None for t in times.tolist()])
    return _track(name, lat_f, lon_f, ele_f, time, ends)


def _read(source: bytes | str | os.PathLike[str] | BinaryIO) -> bytes:
    """Return the file's bytes from bytes, a path or a binary file object."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    return source.read()


def _root_tag(data: bytes) -> str:
    """Return the root element's tag; raise GpxError when the start is not XML."""
    parser = ET.XMLPullParser(events=("start",))
    try:
        for offset in range(0, len(data), 65536):
            parser.feed(data[offset : offset + 65536])
            for event in parser.read_events():
                # Only "start" events were asked for: each carries its element last.
                element = event[-1]
                if isinstance(element, ET.Element):
                    return str(element.tag)
    except ET.ParseError as error:
        line, column = error.position
        raise GpxError(f"not a GPX file: invalid XML at line {line}, column {column}") from None
    raise GpxError("not a GPX file: it has no XML element")


def _times(values: list[str | None]) -> np.ndarray:
    """Return UTC datetime64[s] from ISO 8601 strings; missing or unreadable times become NaT."""
    if all(value is not None and value.endswith("Z") for value in values):
        try:
            return np.array([value[:-1] for value in values], dtype="datetime64[s]")  # type: ignore[index]
        except ValueError:
            pass
    from datetime import UTC, datetime

    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    for i, value in enumerate(values):
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        out[i] = np.datetime64(moment, "s")
    return out


def _escape(text: str) -> str:
    """Return ``text`` escaped for XML character data and attributes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
