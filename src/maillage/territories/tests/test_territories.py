"""Territories: nesting, one-query ancestry, GeoJSON validation and permissions in the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.territories import selectors
from maillage.territories.services import territory_create, territory_update

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[7.0, 47.0], [7.1, 47.0], [7.1, 47.1], [7.0, 47.1], [7.0, 47.0]]],
}


def test_ancestors_come_in_one_query_widest_first(personas, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        names = [t.name for t in selectors.territory_ancestors(personas.site)]
    assert names == ["Région Test", "Commune Test", "Quartier Test"]


def test_descendants_come_in_one_query_whatever_the_depth(
    personas, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        names = sorted(t.name for t in selectors.territory_descendants(personas.region))
    assert names == ["Autre Commune", "Commune Test", "Place Test", "Quartier Test"]


def test_creating_a_territory_computes_centroid_and_bbox(personas) -> None:
    territory = territory_create(
        name="Carré", kind="commune", parent=personas.region, geometry=SQUARE
    )
    assert territory.centroid_lon == pytest.approx(7.05)
    assert territory.centroid_lat == pytest.approx(47.05)
    assert territory.bbox == [7.0, 47.0, 7.1, 47.1]
    assert territory.path == f"{personas.region.path}{territory.pk}/"


def test_a_child_must_be_narrower_than_its_parent(personas) -> None:
    with pytest.raises(ValidationError, match="cannot be inside"):
        territory_create(name="Région dans commune", kind="region", parent=personas.commune)


def test_malformed_geojson_is_a_validation_error_naming_the_problem(personas) -> None:
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    with pytest.raises(ValidationError, match="must be closed"):
        territory_create(name="Ouvert", kind="site", parent=personas.neighbourhood, geometry=bad)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("participant", False),
        ("field_agent", False),
        ("facilitator", False),
        ("org_admin", False),
        ("territory_admin", True),
        ("platform_admin", True),
    ],
)
def test_only_territory_and_platform_admins_change_a_territory(personas, role, allowed) -> None:
    actor = personas.by_role(role)
    if allowed:
        territory_update(territory=personas.site, actor=actor, name="Place renommée")
        personas.site.refresh_from_db()
        assert personas.site.name == "Place renommée"
    else:
        with pytest.raises(PermissionDenied):
            territory_update(territory=personas.site, actor=actor, name="Non")


def test_a_territory_admin_cannot_change_another_commune(personas) -> None:
    with pytest.raises(PermissionDenied):
        territory_update(territory=personas.other_commune, actor=personas.territory_admin, name="X")


def test_api_refuses_malformed_geojson_with_422_naming_the_problem(client_as, personas) -> None:
    client = client_as("territory_admin")
    response = client.post(
        "/api/territories",
        {
            "name": "Mauvais",
            "kind": "site",
            "parent": personas.neighbourhood.slug,
            "geometry": {"type": "Point", "coordinates": [500, 1]},
        },
        content_type="application/json",
        HTTP_X_CSRFTOKEN="unused",
    )
    # Session writes need CSRF: the test client skips the check only when enforce_csrf_checks is off.
    assert response.status_code == 422, response.content
    assert "longitude 500 is outside" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 401), ("participant", 403), ("territory_admin", 201)]
)
def test_api_territory_creation_is_checked_per_role(client_as, personas, role, status) -> None:
    client = client_as(role)
    response = client.post(
        "/api/territories",
        {
            "name": "Nouveau square",
            "kind": "site",
            "parent": personas.neighbourhood.slug,
            "geometry": SQUARE,
        },
        content_type="application/json",
    )
    assert response.status_code == status, response.content


def test_api_lists_and_details_territories_with_ancestors(client, personas) -> None:
    listing = client.get("/api/territories?kind=site").json()
    assert [t["slug"] for t in listing["items"]] == [personas.site.slug]
    detail = client.get(f"/api/territories/{personas.site.slug}").json()
    assert [a["name"] for a in detail["ancestors"]] == [
        "Région Test",
        "Commune Test",
        "Quartier Test",
    ]
    assert detail["geometry"]["type"] == "Polygon"


def test_unknown_territory_is_a_404_with_a_message(client, db) -> None:
    response = client.get("/api/territories/nowhere")
    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [("region", "4"), ("commune", "6822"), ("commune", "2C004"), ("intercommunality", "24689")],
)
def test_an_official_code_of_the_wrong_shape_for_its_kind_is_refused(personas, kind, code) -> None:
    parent = {"region": None, "commune": personas.region, "intercommunality": personas.region}
    with pytest.raises(ValidationError) as caught:
        territory_create(name="Mal codé", kind=kind, parent=parent[kind], official_code=code)
    assert list(caught.value.message_dict) == ["official_code"]


def test_an_official_code_is_stored_stripped_and_an_insee_one_upper_case(personas) -> None:
    commune = territory_create(
        name="Ajaccio", kind="commune", parent=personas.region, official_code=" 2a004 "
    )
    assert commune.official_code == "2A004"
    assert commune.insee_iri == "http://id.insee.fr/geo/commune/2A004"
    site = territory_create(
        name="Square", kind="site", parent=personas.neighbourhood, official_code="libre-42"
    )
    assert site.official_code == "libre-42"


def test_api_refuses_a_malformed_commune_code_with_422_in_french(client_as, personas) -> None:
    client = client_as("platform_admin")
    response = client.patch(
        f"/api/territories/{personas.commune.slug}",
        {"official_code": "123"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert (
        "Le code INSEE d'une commune a 5 caractères"
        in response.json()["detail"]["official_code"][0]
    )
    personas.commune.refresh_from_db()
    assert personas.commune.official_code == ""
