"""Read a GeoJSON file of areas or places (an IGN Admin Express or OpenStreetMap export) into
rows to import; every refusal names the feature that fails.

A file is one FeatureCollection whose features share one family of geometry: areas (Polygon,
MultiPolygon), lines (streets) or points. The name and code are read from the properties the
person names (``nom`` and ``code`` in Admin Express, ``name`` and ``ref:INSEE`` in OSM).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from maillage.core.geojson import GeoJSONError, validate_geometry

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 5000

FAMILIES = {
    "Polygon": "area",
    "MultiPolygon": "area",
    "LineString": "line",
    "MultiLineString": "line",
    "Point": "point",
    "MultiPoint": "point",
}


@dataclass
class Row:
    """One feature to import: where it was in the file, its name, code and geometry."""

    number: int
    name: str
    code: str
    geometry: dict[str, Any]


def _feature_label(number: int, properties: dict[str, Any], name_property: str) -> str:
    name = properties.get(name_property)
    if isinstance(name, str) and name.strip():
        return _("feature %(number)s (%(name)s)") % {"number": number, "name": name.strip()}
    return _("feature %(number)s") % {"number": number}


def read_features(
    data: bytes, *, name_property: str, code_property: str = "", max_features: int = MAX_FEATURES
) -> list[Row]:
    """Return the rows of a GeoJSON FeatureCollection, or raise ValidationError naming the
    feature that fails (features are numbered from 1, in the file's order)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(_("This file is not GeoJSON: it cannot be read as JSON.")) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError(
            _(
                "This file is not a GeoJSON FeatureCollection (its “type” must be FeatureCollection)."
            )
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The file has no features: nothing to import."))
    if len(features) > max_features:
        raise ValidationError(
            _("The file has %(count)s features; the limit is %(limit)s per import.")
            % {"count": len(features), "limit": max_features}
        )
    rows: list[Row] = []
    family = first = None
    seen_codes: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError(
                _("Feature %(number)s is not a GeoJSON Feature.") % {"number": number}
            )
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        label = _feature_label(number, properties, name_property)
        try:
            geometry = validate_geometry(feature.get("geometry"))
        except GeoJSONError as error:
            raise ValidationError(
                _("The geometry of %(feature)s is invalid: %(error)s")
                % {"feature": label, "error": error}
            ) from None
        this_family = FAMILIES[geometry["type"]]
        if family is None:
            family, first = this_family, label
        elif this_family != family:
            raise ValidationError(
                _(
                    "The file mixes geometry types: %(feature)s is a %(type)s, while "
                    "%(first)s is not. Import areas, lines and points in separate files."
                )
                % {"feature": label, "type": geometry["type"], "first": first}
            )
        name = properties.get(name_property)
        if not isinstance(name, str | int) or not str(name).strip():
            raise ValidationError(
                capfirst(
                    _(
                        "%(feature)s has no property “%(property)s” to name it; its properties "
                        "are: %(available)s."
                    )
                    % {
                        "feature": label,
                        "property": name_property,
                        "available": ", ".join(sorted(properties)) or "—",
                    }
                )
            )
        code = ""
        if code_property:
            value = properties.get(code_property)
            code = str(value).strip() if isinstance(value, str | int) else ""
            if not code:
                raise ValidationError(
                    capfirst(
                        _(
                            "%(feature)s has no property “%(property)s” for its code; its "
                            "properties are: %(available)s."
                        )
                        % {
                            "feature": label,
                            "property": code_property,
                            "available": ", ".join(sorted(properties)) or "—",
                        }
                    )
                )
            if len(code) > 12:
                raise ValidationError(
                    _("The code of %(feature)s is longer than 12 characters.") % {"feature": label}
                )
            if code in seen_codes:
                raise ValidationError(
                    capfirst(
                        _("%(feature)s has the same code %(code)s as feature %(other)s.")
                        % {"feature": label, "code": code, "other": seen_codes[code]}
                    )
                )
            seen_codes[code] = number
        rows.append(Row(number, str(name).strip()[:200], code, geometry))
    return rows
