"""Stream a registered dataset as CSV, JSON or GeoJSON in constant memory."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from maillage.analysis.spreadsheet import safe_writer
from maillage.core.opendata import Dataset


def _cell(value: Any) -> Any:
    """Return a value as the Table Schema expects it in text form."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def stream_csv(dataset: Dataset, batch: int = 500) -> Iterator[str]:
    """Yield the dataset as RFC 4180 CSV, header first, in chunks of ``batch`` rows."""
    names = [f.name for f in dataset.fields]
    buffer = io.StringIO()
    writer = safe_writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for count, row in enumerate(dataset.iter_rows(), start=1):
        writer.writerow([_cell(row.get(name)) for name in names])
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_json(dataset: Dataset, batch: int = 500) -> Iterator[str]:
    """Yield the dataset as one JSON array of objects."""
    names = [f.name for f in dataset.fields]
    parts: list[str] = ["["]
    first = True
    for row in dataset.iter_rows():
        record = {name: row.get(name) for name in names}
        parts.append(
            ("" if first else ",") + json.dumps(record, ensure_ascii=False, default=_json_default)
        )
        first = False
        if len(parts) >= batch:
            yield "".join(parts)
            parts = []
    parts.append("]")
    yield "".join(parts)


def stream_geojson(dataset: Dataset, batch: int = 500) -> Iterator[str]:
    """Yield the dataset as a GeoJSON FeatureCollection; the geometry leaves the properties."""
    assert dataset.geometry is not None
    names = [f.name for f in dataset.fields if f.type != "geojson"]
    parts: list[str] = ['{"type":"FeatureCollection","features":[']
    first = True
    for row in dataset.iter_rows():
        feature = {
            "type": "Feature",
            "id": row.get(dataset.primary_key) if dataset.primary_key else None,
            "geometry": dataset.geometry(row),
            "properties": {name: row.get(name) for name in names},
        }
        parts.append(
            ("" if first else ",") + json.dumps(feature, ensure_ascii=False, default=_json_default)
        )
        first = False
        if len(parts) >= batch:
            yield "".join(parts)
            parts = []
    parts.append("]}")
    yield "".join(parts)


STREAMERS = {"csv": stream_csv, "json": stream_json, "geojson": stream_geojson}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
}


def stream(dataset: Dataset, fmt: str) -> Iterator[str]:
    """Yield ``dataset`` in format ``fmt`` (one of the dataset's formats)."""
    return STREAMERS[fmt](dataset)
