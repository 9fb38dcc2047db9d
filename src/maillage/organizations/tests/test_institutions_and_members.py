"""Organizations run by their admins: creation, members added and removed, institutions approved."""

from __future__ import annotations

from typing import Any

import pytest

from maillage.conftest import ROLES
from maillage.organizations.models import Membership, Organization
from maillage.people.models import Person
from maillage.people.services import api_token_create

pytestmark = pytest.mark.django_db
COMMUNE = {"name": "Commune de Brumes", "kind": "commune", "mission": "Servir."}


def _create(client: Any, personas: Any, **extra: Any) -> Any:
    data = {**COMMUNE, "territories": [personas.commune.pk], **extra}
    return client.post("/organisations/nouvelle/", data)


@pytest.mark.parametrize("role", ROLES)
def test_any_person_creates_an_organization_and_becomes_its_admin(client_as, personas, role):
    response = _create(client_as(role), personas, kind="association", name=f"Asso {role}")
    organization = Organization.objects.filter(name=f"Asso {role}").first()
    if role == "visitor":
        assert response.status_code == 302 and organization is None
        return
    assert response.status_code == 302 and organization is not None
    assert Membership.objects.get(organization=organization).person == personas.by_role(role)


def test_a_claimed_commune_shows_as_such_only_once_a_territory_admin_approves(
    client_as, personas
) -> None:
    _create(client_as("participant"), personas)
    commune = Organization.objects.get(name=COMMUNE["name"])
    assert commune.kind_pending
    page = client_as("visitor").get(commune.get_absolute_url()).content.decode()
    assert "approval" in page or "approbation" in page
    listed = client_as("visitor").get("/organisations/?kind=commune").content.decode()
    assert COMMUNE["name"] not in listed
    assert (
        client_as("visitor").get(f"/api/organizations/{commune.slug}").json()["kind_approved"]
        is False
    )
    for role in ("participant", "facilitator", "field_agent", "org_admin"):
        assert client_as(role).post(f"/organisations/{commune.slug}/approuver/").status_code == 404
    commune.refresh_from_db()
    assert commune.kind_pending
    page = client_as("territory_admin").get(f"/territoires/{personas.commune.slug}/equipe/")
    assert COMMUNE["name"] in page.content.decode()
    assert (
        client_as("territory_admin").post(f"/organisations/{commune.slug}/approuver/").status_code
        == 302
    )
    commune.refresh_from_db()
    assert not commune.kind_pending and commune.kind_approved_by == personas.territory_admin
    assert (
        COMMUNE["name"] in client_as("visitor").get("/organisations/?kind=commune").content.decode()
    )


def test_the_admin_of_another_territory_cannot_approve(client_as, personas) -> None:
    from maillage.people.models import TerritoryRole

    _create(client_as("participant"), personas, territories=[personas.other_commune.pk])
    commune = Organization.objects.get(name=COMMUNE["name"])
    assert (
        client_as("territory_admin").post(f"/organisations/{commune.slug}/approuver/").status_code
        == 404
    )
    TerritoryRole.objects.create(
        person=personas.facilitator, territory=personas.other_commune, role="admin"
    )
    assert (
        client_as("facilitator").post(f"/organisations/{commune.slug}/approuver/").status_code
        == 302
    )


def test_turning_an_association_into_a_commune_needs_approval_again(client_as, personas) -> None:
    client = client_as("org_admin")
    response = client.post(
        f"/organisations/{personas.organization.slug}/modifier/",
        {
            "name": personas.organization.name,
            "kind": "commune",
            "territories": [personas.commune.pk],
        },
    )
    assert response.status_code == 302
    personas.organization.refresh_from_db()
    assert personas.organization.kind == "commune" and personas.organization.kind_pending


def test_bad_organizations_are_refused_with_a_message(client_as, personas) -> None:
    client = client_as("participant")
    assert _create(client, personas, name=" ").status_code == 200
    assert _create(client, personas, kind="kingdom").status_code == 200
    assert not Organization.objects.filter(name__in=[" ", COMMUNE["name"]]).exists()


def test_an_organization_admin_adds_a_verified_member_and_removes_them(
    client_as, personas, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    client = client_as("org_admin")
    url = f"/organisations/{personas.organization.slug}/membres/"
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            url, {"email": "participant@example.org", "role": "member"}, follow=True
        )
    unknown = client.post(url, {"email": "nobody@example.org", "role": "member"}, follow=True)
    assert [str(m) for m in added.context["messages"]] == [
        str(m) for m in unknown.context["messages"]
    ]
    membership = Membership.objects.get(
        organization=personas.organization, person=personas.participant
    )
    assert [m.to for m in mailoutbox] == [["participant@example.org"]]
    assert client.post(f"{url}{membership.pk}/fin/").status_code == 302
    membership.refresh_from_db()
    assert membership.until is not None


def test_an_unverified_address_is_not_added(client_as, personas) -> None:
    squatter = Person.objects.create_user("s@example.org", "x-long-pass-42", email_verified=False)
    client_as("org_admin").post(
        f"/organisations/{personas.organization.slug}/membres/", {"email": "s@example.org"}
    )
    assert not Membership.objects.filter(person=squatter).exists()


def test_the_last_organization_admin_cannot_be_removed(client_as, personas) -> None:
    membership = Membership.objects.get(person=personas.org_admin)
    response = client_as("org_admin").post(
        f"/organisations/{personas.organization.slug}/membres/{membership.pk}/fin/", follow=True
    )
    assert "last admin" in response.content.decode() or "dernier" in response.content.decode()
    membership.refresh_from_db()
    assert membership.until is None


@pytest.mark.parametrize("role", ["visitor", "participant", "facilitator", "territory_admin"])
def test_others_cannot_manage_the_members(client_as, personas, role) -> None:
    client = client_as(role)
    url = f"/organisations/{personas.organization.slug}/membres/"
    membership = Membership.objects.get(person=personas.org_admin)
    expected = 302 if role == "visitor" else 404
    assert client.get(url).status_code == expected
    assert (
        client.post(url, {"email": "participant@example.org", "role": "admin"}).status_code
        == expected
    )
    assert client.post(f"{url}{membership.pk}/fin/").status_code == expected
    assert (
        Membership.objects.filter(organization=personas.organization, until__isnull=True).count()
        == 1
    )


def test_the_api_creates_approves_and_manages_members(client, personas) -> None:
    def bearer(person: Any) -> dict[str, str]:
        _, key = api_token_create(person=person, actor=person, name="s", scope="write")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    creator = bearer(personas.participant)
    created = client.post(
        "/api/organizations", {**COMMUNE}, content_type="application/json", **creator
    )
    assert created.status_code == 201 and created.json()["kind_approved"] is False
    slug = created.json()["slug"]
    bad = client.post(
        "/api/organizations", {"name": "", "kind": "x"}, content_type="application/json", **creator
    )
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {"name", "kind"}
    patched = client.patch(
        f"/api/organizations/{slug}",
        {"mission": "Mieux"},
        content_type="application/json",
        **creator,
    )
    assert patched.status_code == 200 and patched.json()["mission"] == "Mieux"
    # Its territories are set, then its territory's admin approves.
    Organization.objects.get(slug=slug).territories.set([personas.commune])
    assert client.post(f"/api/organizations/{slug}/approve", **creator).status_code == 403
    approved = client.post(f"/api/organizations/{slug}/approve", **bearer(personas.territory_admin))
    assert approved.status_code == 200 and approved.json()["kind_approved"] is True
    invite = client.post(
        f"/api/organizations/{slug}/memberships",
        {"email": "agent@example.org"},
        content_type="application/json",
        **creator,
    )
    assert invite.status_code == 202
    membership = Membership.objects.get(organization__slug=slug, person=personas.field_agent)
    ended = client.post(f"/api/organizations/{slug}/memberships/{membership.pk}/end", **creator)
    assert ended.status_code == 200 and ended.json()["until"]
    outsider = client.post(
        f"/api/organizations/{slug}/memberships",
        {"email": "agent@example.org"},
        content_type="application/json",
        **bearer(personas.facilitator),
    )
    assert outsider.status_code == 403
    assert (
        client.post("/api/organizations", {**COMMUNE}, content_type="application/json").status_code
        == 401
    )
