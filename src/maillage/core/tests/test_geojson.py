"""GeoJSON validation names the problem; centroid and bounding box are right."""

from __future__ import annotations

import pytest

from maillage.core.geojson import (
    GeoJSONError,
    bounding_box,
    centroid,
    contains_point,
    validate_geometry,
)

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}


def test_a_square_has_its_centre_as_centroid_and_its_corners_as_bbox() -> None:
    geometry = validate_geometry(SQUARE)
    assert centroid(geometry) == pytest.approx((1.0, 1.0))
    assert bounding_box(geometry) == [0, 0, 2, 2]


def test_a_hole_moves_the_centroid_away_from_it() -> None:
    holed = {
        "type": "Polygon",
        "coordinates": [SQUARE["coordinates"][0], [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    }
    x, y = centroid(validate_geometry(holed))
    assert x > 1 and y > 1


@pytest.mark.parametrize(
    ("geometry", "fragment"),
    [
        ("not an object", "JSON object"),
        ({"type": "Circle", "coordinates": []}, "unsupported geometry type 'Circle'"),
        ({"type": "Polygon"}, "no 'coordinates'"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]},
            "must be closed",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "at least 4 positions"),
        ({"type": "Point", "coordinates": [200, 10]}, "longitude 200 is outside"),
        ({"type": "Point", "coordinates": [10, -95]}, "latitude -95 is outside"),
        ({"type": "Point", "coordinates": ["a", 1]}, "must be numbers"),
        ({"type": "Feature", "properties": {}}, "no geometry"),
    ],
)
def test_malformed_geojson_is_refused_with_a_message_naming_the_problem(geometry, fragment) -> None:
    with pytest.raises(GeoJSONError, match=fragment):
        validate_geometry(geometry)


def test_a_feature_is_accepted_for_its_geometry() -> None:
    assert (
        validate_geometry({"type": "Feature", "geometry": SQUARE, "properties": {}})["type"]
        == "Polygon"
    )


def test_point_in_polygon_respects_the_outline() -> None:
    assert contains_point(SQUARE, 1, 1)
    assert not contains_point(SQUARE, 3, 1)
