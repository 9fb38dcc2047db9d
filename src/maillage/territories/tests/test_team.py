"""The team of a territory: staff invited by email, links used once, roles ended, per role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from maillage.conftest import ROLES
from maillage.people.models import Person, StaffInvitation, TerritoryRole
from maillage.people.services import api_token_create

pytestmark = pytest.mark.django_db
PASSWORD = "un-mot-de-passe-long-42"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def _team_url(personas: Any) -> str:
    return f"/territoires/{personas.commune.slug}/equipe/"


def _invite(client: Any, personas: Any, committed: Any, email: str, role: str) -> Any:
    return committed(client.post, _team_url(personas), {"email": email, "role": role})


def _link(email: str) -> str:
    message = [m for m in mail.outbox if m.to == [email]][-1]
    return re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body).group(1)


def test_an_invited_facilitator_sets_a_password_and_holds_the_role(
    client_as, client, personas, committed
) -> None:
    response = _invite(
        client_as("territory_admin"), personas, committed, "Anne@Example.org", "facilitator"
    )
    assert response.status_code == 302
    link = _link("anne@example.org")
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "anne@example.org" in page.content.decode()
    accepted = client.post(link, {"display_name": "Anne", "password": PASSWORD})
    assert accepted.status_code == 302
    anne = Person.objects.get(email="anne@example.org")
    assert anne.email_verified_at is not None
    assert TerritoryRole.objects.filter(
        person=anne, territory=personas.commune, role="facilitator", until__isnull=True
    ).exists()
    assert (
        client.post(
            "/connexion/", {"username": "anne@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_a_used_expired_or_forged_invitation_link_is_refused_clearly(
    client_as, client, personas, committed
) -> None:
    _invite(client_as("territory_admin"), personas, committed, "b@example.org", "field_agent")
    link = _link("b@example.org")
    client.logout()
    client.post(link, {"display_name": "B", "password": PASSWORD})
    reused = client.post(link, {"display_name": "Mallory", "password": "autre-mot-long-43"})
    assert reused.status_code == 400
    assert "already used" in reused.content.decode() or "déjà" in reused.content.decode()
    assert Person.objects.get(email="b@example.org").check_password(PASSWORD)

    _invite(client_as("territory_admin"), personas, committed, "c@example.org", "field_agent")
    StaffInvitation.objects.filter(email="c@example.org").update(expires_at=timezone.now())
    client.logout()
    expired = client.get(_link("c@example.org"))
    assert expired.status_code == 400
    assert "expired" in expired.content.decode() or "expiré" in expired.content.decode()
    assert client.get("/invitation/not-a-key/").status_code == 400
    assert not Person.objects.filter(email="c@example.org").exists()


def test_accepting_needs_a_name_and_a_strong_password(
    client_as, client, personas, committed
) -> None:
    _invite(client_as("territory_admin"), personas, committed, "d@example.org", "facilitator")
    link = _link("d@example.org")
    client.logout()
    assert client.post(link, {"display_name": "D", "password": "12345678"}).status_code == 400
    assert client.post(link, {"display_name": "", "password": PASSWORD}).status_code == 400
    assert not Person.objects.filter(email="d@example.org").exists()
    assert client.post(link, {"display_name": "D", "password": PASSWORD}).status_code == 302


def test_inviting_an_address_that_already_holds_the_role_is_refused_clearly(
    client_as, personas, committed
) -> None:
    response = _invite(
        client_as("territory_admin"), personas, committed, "agent@example.org", "field_agent"
    )
    assert response.status_code == 400
    assert "already holds" in response.content.decode() or "déjà" in response.content.decode()
    assert not StaffInvitation.objects.exists()
    # Another role for the same person is fine.
    response = _invite(
        client_as("territory_admin"), personas, committed, "agent@example.org", "facilitator"
    )
    assert response.status_code == 302


def test_bad_invitations_are_refused_with_a_message(client_as, personas, committed) -> None:
    client = client_as("territory_admin")
    assert _invite(client, personas, committed, "not-an-email", "facilitator").status_code == 400
    assert _invite(client, personas, committed, "e@example.org", "king").status_code == 400
    assert not StaffInvitation.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_territory_admins_see_and_change_the_team(
    client_as, personas, committed, role
) -> None:
    client = client_as(role)
    page = client.get(_team_url(personas))
    invite = _invite(client, personas, committed, "f@example.org", "field_agent")
    grant = TerritoryRole.objects.get(person=personas.field_agent)
    end = client.post(f"/territoires/equipe/roles/{grant.pk}/fin/")
    grant.refresh_from_db()
    if role in ("territory_admin", "platform_admin"):
        assert page.status_code == 200 and "agent@example.org" in page.content.decode()
        assert invite.status_code == 302 and StaffInvitation.objects.count() == 1
        assert end.status_code == 302 and grant.until is not None
    else:
        expected = 302 if role == "visitor" else 404
        assert page.status_code == invite.status_code == end.status_code == expected
        assert not StaffInvitation.objects.exists()
        assert grant.until is None


def test_the_last_territory_admin_cannot_be_ended(client_as, personas) -> None:
    grant = TerritoryRole.objects.get(person=personas.territory_admin)
    client = client_as("territory_admin")
    response = client.post(f"/territoires/equipe/roles/{grant.pk}/fin/", follow=True)
    assert "last admin" in response.content.decode() or "dernier" in response.content.decode()
    grant.refresh_from_db()
    assert grant.until is None
    second = TerritoryRole.objects.create(
        person=personas.facilitator, territory=personas.commune, role="admin"
    )
    client.post(f"/territoires/equipe/roles/{grant.pk}/fin/")
    grant.refresh_from_db()
    assert grant.until is not None
    client_as("platform_admin").post(f"/territoires/equipe/roles/{second.pk}/fin/")
    second.refresh_from_db()
    assert second.until is None


def test_the_api_invites_lists_and_ends_roles(client, personas, committed) -> None:
    _, key = api_token_create(
        person=personas.territory_admin, actor=personas.territory_admin, name="s", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    base = f"/api/territories/{personas.commune.slug}"
    team = client.get(f"{base}/team", **auth).json()
    assert {(r["email"], r["role"]) for r in team} >= {("agent@example.org", "field_agent")}
    created = committed(
        client.post,
        f"{base}/invitations",
        {"email": "g@example.org", "role": "facilitator"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201 and created.json()["role"] == "facilitator"
    assert _link("g@example.org")
    again = client.post(
        f"{base}/invitations",
        {"email": "agent@example.org", "role": "field_agent"},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 422 and "email" in again.json()["detail"]
    bad = client.post(
        f"{base}/invitations",
        {"email": "x", "role": "king"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {"email", "role"}
    grant = TerritoryRole.objects.get(person=personas.field_agent)
    ended = client.post(f"/api/territories/roles/{grant.pk}/end", **auth)
    assert ended.status_code == 200 and ended.json()["until"]
    last = TerritoryRole.objects.get(person=personas.territory_admin)
    assert client.post(f"/api/territories/roles/{last.pk}/end", **auth).status_code == 422


@pytest.mark.parametrize("role", ["participant", "facilitator", "field_agent", "org_admin"])
def test_the_api_refuses_the_team_to_others(client, personas, role) -> None:
    person = personas.by_role(role)
    _, key = api_token_create(person=person, actor=person, name="s", scope="write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    base = f"/api/territories/{personas.commune.slug}"
    assert client.get(f"{base}/team", **auth).status_code == 403
    invite = client.post(
        f"{base}/invitations",
        {"email": "h@example.org", "role": "admin"},
        content_type="application/json",
        **auth,
    )
    assert invite.status_code == 403
    grant = TerritoryRole.objects.get(person=personas.territory_admin)
    assert client.post(f"/api/territories/roles/{grant.pk}/end", **auth).status_code == 403
    assert client.post(f"/api/territories/roles/{grant.pk}/end").status_code == 401
    assert not StaffInvitation.objects.exists()
