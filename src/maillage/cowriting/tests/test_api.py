"""The co-writing API: who may read which work, the text and the pen, publications, tokens."""

from __future__ import annotations

from typing import Any

import pytest

from maillage.cowriting import services
from maillage.people.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_visitor_does_not_see_a_private_work_in_the_list_nor_by_its_id(
    work: Any, client_as: Any
) -> None:
    visitor = client_as("visitor")
    assert visitor.get("/api/cowriting/works").json()["items"] == []
    response = visitor.get(f"/api/cowriting/works/{work.pk}")
    assert response.status_code == 404
    assert str(work.pk) in response.json()["detail"]


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("participant", True),  # a reader of the work
        ("field_agent", True),  # a commenter
        ("facilitator", True),  # a writer
        ("org_admin", True),  # its creator
        ("territory_admin", False),
        ("platform_admin", True),
    ],
)
def test_who_reads_a_private_work_through_the_api(
    work: Any, client_as: Any, role: str, visible: bool
) -> None:
    response = client_as(role).get(f"/api/cowriting/works/{work.pk}")
    assert response.status_code == (200 if visible else 404)
    listed = [w["id"] for w in client_as(role).get("/api/cowriting/works").json()["items"]]
    assert (work.pk in listed) is visible


def test_the_work_gives_its_text_its_participants_and_who_held_the_pen(
    work: Any, client_as: Any, personas: Any
) -> None:
    body = client_as("facilitator").get(f"/api/cowriting/works/{work.pk}").json()
    assert body["text"] == "Nous avons marché. Et écouté."
    assert body["participant_count"] == 4
    shares = {row["name"]: row["surviving"] for row in body["authorship"]}
    assert shares == {
        personas.org_admin.public_name: len("Nous avons marché. "),
        personas.facilitator.public_name: len("Et écouté."),
    }
    assert "person_id" not in body["authorship"][0]
    assert all("email" not in p for p in body["participants"])


def test_a_token_reads_its_persons_private_work_and_a_bad_token_is_refused(
    work: Any, client: Any, personas: Any
) -> None:
    _, secret = api_token_create(
        person=personas.facilitator, actor=personas.facilitator, name="t", scope="write"
    )
    ok = client.get(f"/api/cowriting/works/{work.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ok.status_code == 200
    bad = client.get(f"/api/cowriting/works/{work.pk}", HTTP_AUTHORIZATION="Bearer mlg_wrong")
    assert bad.status_code == 401


def test_a_publication_is_public_with_its_shares_and_signatories_without_person_ids(
    work: Any, client_as: Any, personas: Any
) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    services.proposal_decide(proposal=proposal, actor=personas.facilitator, decision="consent")
    visitor = client_as("visitor")
    [item] = visitor.get("/api/cowriting/published").json()["items"]
    body = visitor.get(f"/api/cowriting/published/{item['id']}").json()
    assert body["text"] == "Nous avons marché. Et écouté."
    assert {s["name"] for s in body["signatories"]} == {
        personas.org_admin.public_name,
        personas.facilitator.public_name,
    }
    assert "person_id" not in str(body)
    assert visitor.get("/api/cowriting/published/999999").status_code == 404
