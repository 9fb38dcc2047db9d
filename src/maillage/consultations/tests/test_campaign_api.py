"""The API runs campaigns as the pages do: create, edit, open, close, archive, and the team;
every write checked per role, every bad input a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from maillage.consultations.models import Campaign
from maillage.core.models import AuditEntry
from maillage.territories.services import territory_create


def _payload(personas: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "territory": personas.commune.slug,
        "title": "Berges de l'Ill",
        "open_question": "Comment voulez-vous vous sentir au bord de l'eau ?",
        "starts_on": "2026-09-01",
        "ends_on": "2026-10-31",
        "closed_questions": [
            {"id": "calm", "kind": "scale", "label": "Calme ?", "min": 1, "max": 5},
            {"id": "when", "kind": "single", "label": "Quand ?", "options": ["Matin", "Soir"]},
        ],
        "sites": [personas.site.pk],
        "team": [personas.field_agent.pk],
        "facilitator": personas.facilitator.pk,
    }
    data.update(changes)
    return data


def _post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("visitor", 401),
        ("participant", 403),
        ("field_agent", 403),
        ("org_admin", 403),
        ("facilitator", 201),
        ("territory_admin", 201),
        ("platform_admin", 201),
    ],
)
def test_campaign_creation_is_checked_per_role(client_as: Any, personas: Any, role, status) -> None:
    response = _post(client_as(role), "/api/consultations/campaigns", _payload(personas))
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert body["status"] == "draft" and body["sites"] == [personas.site.pk]
        assert [m["email"] for m in body["team"]] == ["agent@example.org"]
    else:
        assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_on": "2026-11-01"}, "ends_on"),
        (
            {"closed_questions": [{"id": "when", "kind": "single", "label": "Quand ?"}]},
            "closed_questions",
        ),
    ],
)
def test_bad_campaigns_are_refused_with_the_field_named(
    client_as: Any, personas: Any, changes: dict, field: str
) -> None:
    client = client_as("facilitator")
    response = _post(client, "/api/consultations/campaigns", _payload(personas, **changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_site_outside_the_territory_and_agent_not_member_are_refused(
    client_as: Any, personas: Any
) -> None:
    client = client_as("facilitator")
    elsewhere = territory_create(name="Square Ailleurs", kind="site", parent=personas.other_commune)
    response = _post(
        client, "/api/consultations/campaigns", _payload(personas, sites=[elsewhere.pk])
    )
    assert response.status_code == 422
    assert "Square Ailleurs" in response.json()["detail"]["sites"][0]
    response = _post(
        client, "/api/consultations/campaigns", _payload(personas, team=[personas.participant.pk])
    )
    assert response.status_code == 422
    assert "participant" in response.json()["detail"]["team"][0]
    assert not Campaign.objects.exists()


def test_campaign_is_edited_opened_closed_and_archived(client_as: Any, personas: Any) -> None:
    client = client_as("facilitator")
    slug = _post(client, "/api/consultations/campaigns", _payload(personas, sites=[])).json()[
        "slug"
    ]
    edited = client.patch(
        f"/api/consultations/campaigns/{slug}",
        {"title": "Berges, automne", "ends_on": "2026-11-30"},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["title"] == "Berges, automne"
    refused = _post(client, f"/api/consultations/campaigns/{slug}/open")
    assert refused.status_code == 422 and "sites" in refused.json()["detail"]
    client.patch(
        f"/api/consultations/campaigns/{slug}",
        {"sites": [personas.site.pk]},
        content_type="application/json",
    )
    for move, status in (("open", "open"), ("close", "closed"), ("archive", "archived")):
        response = _post(client, f"/api/consultations/campaigns/{slug}/{move}")
        assert response.status_code == 200 and response.json()["status"] == status
    assert AuditEntry.objects.filter(action="consultations.campaign.archived").exists()
    again = _post(client, f"/api/consultations/campaigns/{slug}/open")
    assert again.status_code == 422


@pytest.mark.parametrize("role", ["participant", "field_agent", "org_admin"])
def test_others_cannot_edit_or_open(client_as: Any, personas: Any, role: str) -> None:
    slug = _post(
        client_as("facilitator"), "/api/consultations/campaigns", _payload(personas)
    ).json()["slug"]
    client = client_as(role)
    edit = client.patch(
        f"/api/consultations/campaigns/{slug}", {"title": "Piraté"}, content_type="application/json"
    )
    # A draft is invisible to them: 404, as for the public.
    assert edit.status_code == 404
    assert _post(client, f"/api/consultations/campaigns/{slug}/open").status_code == 404
    assert Campaign.objects.get().status == "draft"


def test_team_is_searched_added_and_removed(client_as: Any, personas: Any) -> None:
    client = client_as("facilitator")
    slug = _post(client, "/api/consultations/campaigns", _payload(personas, team=[])).json()["slug"]
    found = client.get(f"/api/consultations/campaigns/{slug}/team/candidates", {"q": "agent"})
    assert [m["id"] for m in found.json()] == [personas.field_agent.pk]
    added = _post(
        client, f"/api/consultations/campaigns/{slug}/team", {"person": personas.field_agent.pk}
    )
    assert added.status_code == 201 and [m["id"] for m in added.json()] == [personas.field_agent.pk]
    outsider = _post(
        client, f"/api/consultations/campaigns/{slug}/team", {"person": personas.participant.pk}
    )
    assert outsider.status_code == 422
    removed = client.delete(f"/api/consultations/campaigns/{slug}/team/{personas.field_agent.pk}")
    assert removed.status_code == 200 and removed.json() == []


def test_the_operations_are_in_the_openapi_schema(client: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/consultations/campaigns"]
    assert "patch" in paths["/api/consultations/campaigns/{slug}"]
    for move in ("open", "close", "archive"):
        assert "post" in paths[f"/api/consultations/campaigns/{{slug}}/{move}"]
    assert "delete" in paths["/api/consultations/campaigns/{slug}/team/{person_id}"]
