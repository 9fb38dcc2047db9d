"""Accounts hold up against an attacker: verified addresses, brute force, reset, API tokens."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings

from maillage.core.ratelimit import client_ip
from maillage.people.models import ApiToken, Person
from maillage.people.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
NEW = {"email": "Nouvelle@Example.org", "display_name": "Nouvelle", "password": "un-mot-long-42"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Return ``run(call, *args)``: the call, then what it left for after the commit (mails)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_registration_creates_an_unverified_account_and_mails_a_link(client, committed) -> None:
    response = committed(client.post, "/inscription/", NEW)
    assert response.status_code == 200
    assert "nouvelle@example.org" in response.content.decode()
    person = Person.objects.get(email="nouvelle@example.org")
    assert person.email_verified_at is None
    assert client.get("/compte/").status_code != 200  # not signed in
    assert len(mail.outbox) == 1
    assert "/compte/verifier/" in mail.outbox[0].body


def test_an_unverified_account_cannot_sign_in_and_gets_a_new_link(client, committed) -> None:
    committed(client.post, "/inscription/", NEW)
    mail.outbox.clear()
    response = committed(
        client.post, "/connexion/", {"username": NEW["email"], "password": NEW["password"]}
    )
    assert response.status_code == 200
    assert "verified" in response.content.decode() or "vérifiée" in response.content.decode()
    assert client.get("/compte/").status_code == 302
    assert len(mail.outbox) == 1
    assert "/compte/verifier/" in mail.outbox[0].body


def test_the_verification_link_activates_the_account_once(client, committed) -> None:
    committed(client.post, "/inscription/", NEW)
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 302
    assert Person.objects.get(email="nouvelle@example.org").email_verified_at is not None
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already used" in reused.content.decode() or "déjà" in reused.content.decode()
    response = client.post("/connexion/", {"username": NEW["email"], "password": NEW["password"]})
    assert response.status_code == 302
    assert client.get("/compte/").status_code == 200


def test_an_expired_or_forged_verification_link_is_refused_clearly(client, committed) -> None:
    committed(client.post, "/inscription/", NEW)
    link = _link(mail.outbox[0])
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        assert client.get(link).status_code == 400
    assert client.get(link[:-3] + "xyz/").status_code == 400
    assert client.get("/compte/verifier/!!/abc/").status_code == 400
    assert Person.objects.get(email="nouvelle@example.org").email_verified_at is None


def test_registering_a_taken_address_answers_the_same_and_warns_only_its_owner(
    client, personas, committed
) -> None:
    fresh = committed(client.post, "/inscription/", NEW)
    taken = committed(client.post, "/inscription/", {**NEW, "email": "participant@example.org"})
    assert taken.status_code == fresh.status_code == 200

    def page(response, email: str) -> str:
        text = response.content.decode().replace(email, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", text)

    assert page(taken, "participant@example.org") == page(fresh, "nouvelle@example.org")
    assert Person.objects.filter(email="participant@example.org").count() == 1
    owner_note = [m for m in mail.outbox if m.to == ["participant@example.org"]]
    assert len(owner_note) == 1
    assert "/mot-de-passe/" in owner_note[0].body


def test_password_reset_answers_the_same_for_unknown_addresses(client, personas) -> None:
    known = client.post("/mot-de-passe/", {"email": "participant@example.org"})
    unknown = client.post("/mot-de-passe/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_password_reset_is_rate_limited(client, personas) -> None:
    for _ in range(5):
        assert (
            client.post("/mot-de-passe/", {"email": "participant@example.org"}).status_code == 302
        )
    response = client.post("/mot-de-passe/", {"email": "participant@example.org"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert len(mail.outbox) == 5


def test_a_reset_password_verifies_the_address_and_revokes_api_tokens(client) -> None:
    person = Person.objects.create_user("v@example.org", PASSWORD, email_verified=False)
    person.display_name = "V"
    _, key = api_token_create(person=person, actor=person, name="script")
    client.post("/mot-de-passe/", {"email": "v@example.org"})
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    new = "un-autre-mot-long-42"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email_verified_at is not None
    assert person.check_password(new)
    assert api_token_authenticate(key) is None


def test_many_accounts_with_one_password_from_one_address_are_stopped(client) -> None:
    for i in range(25):
        Person.objects.create_user(f"p{i}@example.org", PASSWORD, display_name=f"P{i}")
    statuses = [
        client.post(
            "/connexion/", {"username": f"p{i}@example.org", "password": "123456"}
        ).status_code
        for i in range(24)
    ]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}
    # The right password of an untouched account is refused too, from this address.
    right = client.post("/connexion/", {"username": "p24@example.org", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/compte/").status_code == 302
    # Another address is not blocked.
    other = client.post(
        "/connexion/",
        {"username": "p24@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


def test_one_account_is_locked_after_five_attempts_even_with_the_right_password(
    client, personas
) -> None:
    for i in range(5):
        wrong = {"username": "participant@example.org", "password": f"wrong{i}"}
        assert client.post("/connexion/", wrong, REMOTE_ADDR=f"10.0.1.{i}").status_code == 200
    right = {"username": "participant@example.org", "password": PASSWORD}
    assert client.post("/connexion/", right, REMOTE_ADDR="10.0.2.1").status_code == 429


def test_the_admin_login_is_behind_the_same_limits(client, personas) -> None:
    for i in range(5):
        client.post(
            "/admin/login/", {"username": "platformadmin@example.org", "password": f"wrong{i}"}
        )
    response = client.post(
        "/admin/login/", {"username": "platformadmin@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_refuses_an_unverified_address(client) -> None:
    Person.objects.create_superuser(
        "root@example.org", PASSWORD, display_name="Root", email_verified=False
    )
    response = client.post("/admin/login/", {"username": "root@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


@override_settings(MAILLAGE_TRUSTED_PROXIES=["10.0.0.1"])
def test_forwarded_for_is_read_only_from_a_trusted_proxy_and_from_its_end(rf) -> None:
    spoofed = "6.6.6.6, 203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=spoofed)) == (
        "203.0.113.7"
    )
    assert client_ip(rf.get("/", REMOTE_ADDR="198.51.100.2", HTTP_X_FORWARDED_FOR=spoofed)) == (
        "198.51.100.2"
    )
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


@override_settings(MAILLAGE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_client_cannot_dodge_the_login_limit_by_forging_forwarded_for(client) -> None:
    Person.objects.create_user("x@example.org", PASSWORD, display_name="X")
    for i in range(20):
        client.post(
            "/connexion/",
            {"username": f"n{i}@example.org", "password": "123456"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.7",
        )
    response = client.post(
        "/connexion/",
        {"username": "x@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
    )
    assert response.status_code == 429


# ---------------------------------------------------------------- API tokens


def test_a_read_token_reads_but_cannot_write(client, personas) -> None:
    _, key = api_token_create(person=personas.participant, actor=personas.participant, name="r")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/people/me", **auth).status_code == 200
    token = ApiToken.objects.get(person=personas.participant)
    response = client.delete(f"/api/people/tokens/{token.pk}", **auth)
    assert response.status_code == 403
    assert "read" in response.json()["detail"] or "lire" in response.json()["detail"]


def test_an_expired_token_is_refused(client, personas) -> None:
    token, key = api_token_create(
        person=personas.participant, actor=personas.participant, name="old", days=7
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)
    assert client.get("/api/people/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_needs_a_known_scope_and_lifetime(personas) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        api_token_create(
            person=personas.participant, actor=personas.participant, name=" ", scope="x", days=3
        )
    assert set(error.value.message_dict) == {"name", "scope", "days"}


def test_the_account_page_lists_and_revokes_tokens(client_as, personas) -> None:
    client = client_as("participant")
    response = client.post("/compte/jetons/", {"name": "tableur", "scope": "write", "days": "30"})
    key = re.search(r"mlg_[\w-]+", response.content.decode()).group(0)
    token = ApiToken.objects.get(person=personas.participant)
    assert token.scope == "write"
    page = client.get("/compte/").content.decode()
    assert "tableur" in page and token.prefix in page
    assert client.post(f"/compte/jetons/{token.pk}/revoquer/").status_code == 302
    assert api_token_authenticate(key) is None
    assert token.prefix not in client.get("/compte/").content.decode()


def test_nobody_revokes_someone_elses_token(client_as, personas) -> None:
    token, key = api_token_create(person=personas.participant, actor=personas.participant, name="t")
    for role in ("facilitator", "territory_admin"):
        assert client_as(role).post(f"/compte/jetons/{token.pk}/revoquer/").status_code == 404
    assert client_as("visitor").post(f"/compte/jetons/{token.pk}/revoquer/").status_code == 302
    assert api_token_authenticate(key) == personas.participant


def test_a_password_change_revokes_every_token(client_as, personas) -> None:
    _, key = api_token_create(person=personas.participant, actor=personas.participant, name="t")
    new = "un-autre-mot-long-42"
    response = client_as("participant").post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert api_token_authenticate(key) is None


def test_a_write_token_revokes_through_the_api(client, personas) -> None:
    token, key = api_token_create(
        person=personas.participant, actor=personas.participant, name="w", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert [t["name"] for t in client.get("/api/people/tokens", **auth).json()] == ["w"]
    assert client.delete(f"/api/people/tokens/{token.pk}", **auth).status_code == 204
    assert client.get("/api/people/tokens", **auth).status_code == 401
