"""Accounts: email login, profiles, API tokens, GDPR export and erasure."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from maillage.organizations.models import Membership
from maillage.people.models import Person
from maillage.people.services import api_token_authenticate, api_token_create, person_delete

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_login_works_with_the_email_in_any_case(client, personas) -> None:
    response = client.post(
        "/connexion/", {"username": "PARTICIPANT@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/compte/").status_code == 200


def test_registration_refuses_a_weak_password_with_a_message(client) -> None:
    response = client.post(
        "/inscription/", {"email": "a@example.org", "display_name": "A", "password": "12345678"}
    )
    assert response.status_code == 200
    assert not Person.objects.filter(email="a@example.org").exists()
    assert 'class="error"' in response.content.decode()


def test_password_reset_sends_an_email_with_a_link(client, personas) -> None:
    client.post("/mot-de-passe/", {"email": "participant@example.org"})
    assert len(mail.outbox) == 1
    assert "/mot-de-passe/" in mail.outbox[0].body


def test_a_private_profile_is_not_shown_to_others(client_as, personas) -> None:
    assert client_as("visitor").get(f"/personnes/{personas.participant.pk}/").status_code == 404
    assert client_as("participant").get(f"/personnes/{personas.participant.pk}/").status_code == 200


def test_a_person_downloads_all_their_data_as_json(client_as, personas) -> None:
    response = client_as("org_admin").get("/compte/mes-donnees.json")
    data = json.loads(response.content)
    assert data["account"]["email"] == "orgadmin@example.org"
    assert response["Content-Disposition"].startswith("attachment")


def test_deleting_an_account_erases_identity_but_keeps_contributions(client_as, personas) -> None:
    client = client_as("org_admin")
    response = client.post("/compte/supprimer/", {"confirm": "yes"})
    assert response.status_code == 302
    person = Person.objects.get(pk=personas.org_admin.pk)
    assert person.deleted_at is not None
    assert person.display_name == ""
    assert "orgadmin" not in person.email
    assert not person.has_usable_password()
    assert str(person.public_name) in {"deleted participant", "participant supprimé"}
    # The membership stays in the history, ended.
    membership = Membership.objects.get(person=person)
    assert membership.until is not None


def test_deletion_needs_an_explicit_confirmation(client_as, personas) -> None:
    client_as("participant").post("/compte/supprimer/", {})
    assert Person.objects.get(pk=personas.participant.pk).deleted_at is None


def test_an_api_token_authenticates_its_owner_and_is_stored_hashed(personas) -> None:
    token, key = api_token_create(
        person=personas.participant, actor=personas.participant, name="script"
    )
    assert key not in token.key_hash
    assert api_token_authenticate(key) == personas.participant
    assert api_token_authenticate("mlg_wrong") is None


def test_a_deleted_persons_tokens_stop_working(personas) -> None:
    _, key = api_token_create(
        person=personas.participant, actor=personas.participant, name="script"
    )
    person_delete(person=personas.participant, actor=personas.participant)
    assert api_token_authenticate(key) is None


def test_the_api_me_endpoint_accepts_a_bearer_token(client, personas) -> None:
    _, key = api_token_create(person=personas.field_agent, actor=personas.field_agent, name="phone")
    response = client.get("/api/people/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["territory_roles"] == [
        {"territory": personas.commune.slug, "role": "field_agent"}
    ]
    assert client.get("/api/people/me").status_code == 401
