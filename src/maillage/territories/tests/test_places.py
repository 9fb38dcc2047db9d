"""Places are drawn on a map (the drawing fills a GeoJSON field), renamed and redrawn later, by
the territory's admins only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from maillage.core.models import AuditEntry
from maillage.territories.models import Territory

PARK = {
    "type": "Polygon",
    "coordinates": [
        [[7.34, 47.74], [7.342, 47.74], [7.342, 47.742], [7.34, 47.742], [7.34, 47.74]]
    ],
}
STREET = {"type": "LineString", "coordinates": [[7.33, 47.73], [7.335, 47.731]]}


def test_admin_draws_a_new_park_inside_a_neighbourhood(client_as: Any, personas: Any) -> None:
    client = client_as("territory_admin")
    url = reverse("territories:place_new", args=[personas.neighbourhood.slug])
    page = client.get(url)
    assert page.status_code == 200 and 'data-draw="id_geometry"' in page.content.decode()
    response = client.post(
        url, {"name": "Parc Salvator", "kind": "site", "geometry": json.dumps(PARK)}
    )
    park = Territory.objects.get(name="Parc Salvator")
    assert response.status_code == 302 and response["Location"] == park.get_absolute_url()
    assert park.parent == personas.neighbourhood and park.kind == "site"
    assert park.centroid_lon == pytest.approx(7.341)
    assert AuditEntry.objects.filter(action="territory.create", target_id=str(park.pk)).exists()


def test_admin_renames_and_redraws_a_place(client_as: Any, personas: Any) -> None:
    client = client_as("territory_admin")
    response = client.post(
        reverse("territories:place_edit", args=[personas.site.slug]),
        {"name": "Rue du Sauvage", "geometry": json.dumps(STREET)},
    )
    assert response.status_code == 302
    personas.site.refresh_from_db()
    assert personas.site.name == "Rue du Sauvage"
    assert personas.site.geometry["type"] == "LineString"


def test_a_bad_shape_is_refused_and_the_place_kept(client_as: Any, personas: Any) -> None:
    client = client_as("territory_admin")
    url = reverse("territories:place_edit", args=[personas.site.slug])
    response = client.post(url, {"name": "Place Test", "geometry": "{not json"})
    assert response.status_code == 400
    assert "La forme n’est pas du GeoJSON valide." in response.content.decode()
    response = client.post(
        url,
        {"name": "Place Test", "geometry": json.dumps({"type": "Point", "coordinates": [500, 1]})},
    )
    assert response.status_code == 400
    personas.site.refresh_from_db()
    assert personas.site.geometry["type"] == "Polygon"


@pytest.mark.parametrize(
    "role", ["visitor", "participant", "field_agent", "facilitator", "org_admin"]
)
def test_only_territory_admins_draw_or_edit_places(
    client_as: Any, personas: Any, role: str
) -> None:
    client = client_as(role)
    new = client.post(
        reverse("territories:place_new", args=[personas.neighbourhood.slug]),
        {"name": "Intrus", "kind": "site", "geometry": json.dumps(PARK)},
    )
    edit = client.post(
        reverse("territories:place_edit", args=[personas.site.slug]), {"name": "Intrus"}
    )
    assert new.status_code in (302, 403) and edit.status_code in (302, 403)
    if role == "visitor":
        assert new["Location"].startswith(reverse("people:login"))
    assert not Territory.objects.filter(name="Intrus").exists()


def test_admin_of_one_commune_cannot_draw_in_another(client_as: Any, personas: Any) -> None:
    response = client_as("territory_admin").post(
        reverse("territories:place_new", args=[personas.other_commune.slug]),
        {"name": "Intrus", "kind": "site"},
    )
    assert response.status_code == 403
