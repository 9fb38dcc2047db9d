"""Validate GeoJSON geometries (RFC 7946) and derive their centroid and bounding box.

Pure Python on purpose: territories store geometry as JSON, so neither GDAL nor PostGIS is
required. Coordinates are WGS 84 longitude, latitude.
"""

from __future__ import annotations

from typing import Any

SUPPORTED = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class GeoJSONError(ValueError):
    """A geometry is malformed; the message names the problem and where it is."""


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise GeoJSONError(f"{where}: a position must be [longitude, latitude]")
    lon, lat = value[0], value[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        raise GeoJSONError(f"{where}: coordinates must be numbers")
    if not -180 <= lon <= 180:
        raise GeoJSONError(f"{where}: longitude {lon} is outside [-180, 180]")
    if not -90 <= lat <= 90:
        raise GeoJSONError(f"{where}: latitude {lat} is outside [-90, 90]")
    return float(lon), float(lat)


def _line(value: Any, where: str, minimum: int) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise GeoJSONError(f"{where}: expected a list of positions")
    points = [_position(p, f"{where}[{i}]") for i, p in enumerate(value)]
    if len(points) < minimum:
        raise GeoJSONError(f"{where}: needs at least {minimum} positions, got {len(points)}")
    return points


def _ring(value: Any, where: str) -> list[tuple[float, float]]:
    ring = _line(value, where, 4)
    if ring[0] != ring[-1]:
        raise GeoJSONError(f"{where}: a linear ring must be closed (first position = last)")
    return ring


def _polygon(value: Any, where: str) -> list[list[tuple[float, float]]]:
    if not isinstance(value, list) or not value:
        raise GeoJSONError(f"{where}: a polygon needs at least one ring")
    return [_ring(r, f"{where}[{i}]") for i, r in enumerate(value)]


def validate_geometry(geometry: Any) -> dict:
    """Return ``geometry`` (a Geometry or a Feature's geometry) or raise GeoJSONError."""
    if not isinstance(geometry, dict):
        raise GeoJSONError("geometry must be a JSON object")
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
        if not isinstance(geometry, dict):
            raise GeoJSONError("the Feature has no geometry object")
    kind = geometry.get("type")
    if kind not in SUPPORTED:
        raise GeoJSONError(
            f"unsupported geometry type {kind!r}; expected one of {', '.join(SUPPORTED)}"
        )
    coordinates = geometry.get("coordinates")
    if coordinates is None:
        raise GeoJSONError(f"the {kind} has no 'coordinates'")
    if kind == "Point":
        _position(coordinates, "coordinates")
    elif kind == "MultiPoint":
        _line(coordinates, "coordinates", 1)
    elif kind == "LineString":
        _line(coordinates, "coordinates", 2)
    elif kind == "MultiLineString":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeoJSONError("coordinates: a MultiLineString needs at least one line")
        for i, line in enumerate(coordinates):
            _line(line, f"coordinates[{i}]", 2)
    elif kind == "Polygon":
        _polygon(coordinates, "coordinates")
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise GeoJSONError("coordinates: a MultiPolygon needs at least one polygon")
        for i, polygon in enumerate(coordinates):
            _polygon(polygon, f"coordinates[{i}]")
    return {"type": kind, "coordinates": coordinates}


def _all_positions(geometry: dict) -> list[tuple[float, float]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [(coords[0], coords[1])]
    if kind in ("MultiPoint", "LineString"):
        return [(p[0], p[1]) for p in coords]
    if kind in ("MultiLineString", "Polygon"):
        return [(p[0], p[1]) for part in coords for p in part]
    return [(p[0], p[1]) for polygon in coords for ring in polygon for p in ring]


def bounding_box(geometry: dict) -> list[float]:
    """Return ``[min_lon, min_lat, max_lon, max_lat]``."""
    points = _all_positions(geometry)
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]


def _ring_area_centroid(ring: list) -> tuple[float, float, float]:
    """Return the signed area and centroid of a ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def centroid(geometry: dict) -> tuple[float, float]:
    """Return the (longitude, latitude) centroid: area-weighted for polygons, holes subtracted."""
    kind, coords = geometry["type"], geometry["coordinates"]
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if polygons is not None:
        total = sx = sy = 0.0
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                area, x, y = _ring_area_centroid(ring)
                weight = abs(area) * (1 if index == 0 else -1)
                total += weight
                sx += x * weight
                sy += y * weight
        if total > 0:
            return sx / total, sy / total
    points = _all_positions(geometry)
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def contains_point(geometry: dict, lon: float, lat: float) -> bool:
    """Return whether a (Multi)Polygon contains the point (even-odd rule, holes respected)."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind not in ("Polygon", "MultiPolygon"):
        return False
    polygons = [coords] if kind == "Polygon" else coords
    for polygon in polygons:
        inside = False
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > lat) != (y1 > lat):
                    x_cross = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
                    if lon < x_cross:
                        inside = not inside
        if inside:
            return True
    return False
