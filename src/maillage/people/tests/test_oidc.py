"""Sign-in through OpenID Connect against a real provider started by the tests.

``oidc-provider-mock`` is a real OpenID Connect provider (Authlib's server, its own RSA key,
discovery, JWKS, userinfo, end-session) running on a loopback port in a thread; the browser's
part at the provider (choosing who signs in) is done with plain HTTP requests.
"""

from __future__ import annotations

import contextlib
import html
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.urls import reverse

from maillage.core.models import AuditEntry
from maillage.people.models import ExternalIdentity, Person, TerritoryRole
from maillage.people.services import person_delete, person_export_data

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


class Provider:
    """A running provider and the settings entry that points Maillage at it."""

    def __init__(self, base: str, slug: str = "ville", kind: str = "oidc") -> None:
        self.base = base
        self.settings = {
            "slug": slug,
            "kind": kind,
            "name": {"oidc": "Ville", "franceconnect": "FranceConnect"}.get(kind, "ProConnect"),
            "discovery_url": f"{base}/.well-known/openid-configuration",
            "client_id": "maillage",
            "client_secret": "secret-maillage",
            "scopes": "openid email profile",
        }

    def user(self, sub: str, **claims: object) -> None:
        requests.put(f"{self.base}/users/{sub}", json=claims, timeout=5).raise_for_status()


@contextlib.contextmanager
def _serve(app) -> Iterator[str]:
    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(2)


@pytest.fixture
def idp(settings) -> Iterator[Provider]:
    with oidc_provider_mock.run_server_in_thread(port=0) as server:
        provider = Provider(f"http://localhost:{server.server_port}")
        settings.OIDC_PROVIDERS = [provider.settings]
        yield provider


def _callback_path(location: str) -> str:
    parts = urlsplit(location)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def sign_in(
    client,
    provider: Provider,
    sub: str,
    *,
    tamper: Callable[[str], str] | None = None,
    next_url: str = "",
):
    """Leave for the provider, sign in there as ``sub``, come back; return the callback's answer."""
    slug = provider.settings["slug"]
    start = client.post(reverse("people:oidc_start", args=[slug]), {"next": next_url})
    assert start.status_code == 302, start.content.decode()
    url = start["Location"]
    if tamper:
        url = tamper(url)
    at_provider = requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    return client.get(_callback_path(at_provider.headers["Location"]))


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def _page(response) -> str:
    return response.content.decode()


def _existing(email: str = "camille@example.org", **fields) -> Person:
    return Person.objects.create_user(email, PASSWORD, display_name="Camille", **fields)


# First sign-in, and the next ones


def test_first_sign_in_creates_a_verified_account_without_password_or_role(client, idp) -> None:
    idp.user(
        "sub-1",
        email="Nina@Example.org",
        email_verified=True,
        given_name="Nina",
        family_name="Martin",
        roles=["admin"],
        groups=["territory-admins"],
    )
    response = sign_in(client, idp, "sub-1", next_url="/compte/")
    assert response.status_code == 302 and response["Location"] == "/compte/"
    person = Person.objects.get(email="nina@example.org")
    assert person.display_name == "Nina Martin"
    assert person.email_verified_at is not None
    assert not person.has_usable_password()
    # Roles are the platform's decision, never the provider's.
    assert not person.is_staff and not person.is_superuser
    assert not TerritoryRole.objects.filter(person=person).exists()
    link = ExternalIdentity.objects.get(person=person)
    assert (link.provider, link.subject) == ("ville", "sub-1")
    assert client.get("/compte/").status_code == 200
    assert AuditEntry.objects.filter(action="person.create_external").exists()


def test_a_second_sign_in_uses_the_same_account(client, idp) -> None:
    idp.user("sub-1", email="nina@example.org", email_verified=True)
    sign_in(client, idp, "sub-1")
    client.logout()
    # The address changed at the provider: the subject, not the address, identifies the person.
    idp.user("sub-1", email="nina.martin@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-1")
    assert response.status_code == 302
    assert Person.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == Person.objects.get().pk


def test_with_no_provider_configured_the_login_page_has_no_provider_button(client, settings):
    settings.OIDC_PROVIDERS = []
    page = _page(client.get("/connexion/"))
    assert "/connexion/oidc/" not in page
    assert client.post("/connexion/oidc/ville/").status_code == 404


def test_the_login_page_offers_each_configured_provider(client, idp, settings) -> None:
    settings.OIDC_PROVIDERS = [
        idp.settings,
        {**idp.settings, "slug": "franceconnect", "kind": "franceconnect", "name": "FranceConnect"},
    ]
    page = _page(client.get("/connexion/"))
    assert "/connexion/oidc/ville/" in page and "/connexion/oidc/franceconnect/" in page
    assert "FranceConnect" in page and "franceconnect.gouv.fr" in page


# Addresses: missing, unverified, belonging to an account


def test_an_unverified_address_creates_no_account_and_links_none(client, idp) -> None:
    existing = _existing()
    idp.user("sub-2", email="camille@example.org", email_verified=False)
    response = sign_in(client, idp, "sub-2")
    assert response.status_code == 403
    assert "n’a pas vérifié votre adresse" in _page(response) or "pas vérifié" in _page(response)
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session
    idp.user("sub-3", email="new@example.org")  # no email_verified claim at all
    assert sign_in(client, idp, "sub-3").status_code == 403
    assert list(Person.objects.all()) == [existing]


def test_a_missing_email_claim_is_refused_with_a_reason(client, idp) -> None:
    idp.user("sub-4", given_name="Sans", email_verified=True)
    response = sign_in(client, idp, "sub-4")
    assert response.status_code == 400
    assert "adresse e-mail" in _page(response)
    assert not Person.objects.exists()


def test_an_existing_account_is_linked_only_after_its_password_is_given(client, idp) -> None:
    person = _existing()
    idp.user("sub-5", email="camille@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-5")
    assert response.status_code == 302 and response["Location"] == "/connexion/lier/"
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session
    page = client.get("/connexion/lier/")
    assert page.status_code == 200 and "camille@example.org" in _page(page)
    wrong = client.post("/connexion/lier/", {"password": "not the password"})
    assert wrong.status_code == 400
    assert not ExternalIdentity.objects.exists()
    right = client.post("/connexion/lier/", {"password": PASSWORD})
    assert right.status_code == 302
    assert ExternalIdentity.objects.get().person == person
    assert int(client.session["_auth_user_id"]) == person.pk
    assert AuditEntry.objects.filter(action="external_identity.link").exists()
    client.logout()
    # From now on the provider alone signs in.
    assert sign_in(client, idp, "sub-5").status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk


def test_declining_the_link_links_nothing(client, idp) -> None:
    _existing()
    idp.user("sub-5", email="camille@example.org", email_verified=True)
    sign_in(client, idp, "sub-5")
    response = client.post("/connexion/lier/", {"cancel": "1"})
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert client.get("/connexion/lier/").status_code == 400


def test_an_account_whose_address_is_unverified_is_not_linked(client, idp) -> None:
    _existing(email_verified=False)
    idp.user("sub-6", email="camille@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-6")
    assert response.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_a_signed_in_person_links_then_removes_a_provider(client, idp) -> None:
    person = _existing()
    client.force_login(person)
    assert "/connexion/oidc/ville/" in _page(client.get("/compte/"))  # offered
    idp.user("sub-7", email="other@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-7")
    assert response.status_code == 302 and response["Location"] == "/compte/"
    link = ExternalIdentity.objects.get(person=person)
    page = _page(client.get("/compte/"))
    assert "other@example.org" in page and f"/compte/connexions/{link.pk}/retirer/" in page
    assert "/connexion/oidc/ville/" not in page  # linked: no longer offered
    assert client.post(f"/compte/connexions/{link.pk}/retirer/").status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert AuditEntry.objects.filter(action="external_identity.unlink").exists()


def test_the_only_way_in_of_an_account_without_password_cannot_be_removed(client, idp) -> None:
    idp.user("sub-8", email="nina@example.org", email_verified=True)
    sign_in(client, idp, "sub-8")
    link = ExternalIdentity.objects.get()
    response = client.post(f"/compte/connexions/{link.pk}/retirer/", follow=True)
    assert "mot de passe" in _page(response)
    assert ExternalIdentity.objects.filter(pk=link.pk).exists()


def test_a_person_cannot_remove_someone_elses_link(client, idp) -> None:
    idp.user("sub-9", email="nina@example.org", email_verified=True)
    sign_in(client, idp, "sub-9")
    link = ExternalIdentity.objects.get()
    client.force_login(_existing())
    assert client.post(f"/compte/connexions/{link.pk}/retirer/").status_code == 404
    assert ExternalIdentity.objects.filter(pk=link.pk).exists()


def test_links_are_exported_and_erased_with_the_account(client, idp) -> None:
    idp.user("sub-10", email="nina@example.org", email_verified=True)
    sign_in(client, idp, "sub-10")
    person = Person.objects.get()
    exported = person_export_data(person=person, actor=person)["external_sign_ins"]
    assert exported[0]["provider"] == "ville" and exported[0]["subject"] == "sub-10"
    person_delete(person=person, actor=person)
    assert not ExternalIdentity.objects.exists()


# Answers that must be refused


def test_a_callback_with_a_wrong_state_is_refused(client, idp) -> None:
    idp.user("sub-11", email="nina@example.org", email_verified=True)
    client.post(reverse("people:oidc_start", args=["ville"]))
    response = client.get("/connexion/oidc/ville/retour/?code=whatever&state=forged")
    assert response.status_code == 400
    assert "n’a pas été commencée ici" in _page(response) or "commencée ici" in _page(response)
    assert not Person.objects.exists()


def test_a_wrong_nonce_is_refused(client, idp) -> None:
    idp.user("sub-12", email="nina@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-12", tamper=lambda u: _with_query(u, nonce="another"))
    assert response.status_code == 400
    assert "nonce" in _page(response)
    assert not Person.objects.exists()


def test_a_missing_nonce_is_refused(client, idp) -> None:
    idp.user("sub-13", email="nina@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-13", tamper=lambda u: _with_query(u, nonce=None))
    assert response.status_code == 400
    assert "nonce" in _page(response)
    assert not Person.objects.exists()


def test_a_replayed_code_is_refused(client, idp) -> None:
    idp.user("sub-14", email="nina@example.org", email_verified=True)
    first = sign_in(client, idp, "sub-14")
    assert first.status_code == 302
    client.logout()
    # Capture a used code: sign in again, and send the first code with the new state.
    start = client.post(reverse("people:oidc_start", args=["ville"]))
    at_provider = requests.post(
        start["Location"], data={"sub": "sub-14"}, allow_redirects=False, timeout=5
    )
    query = parse_qs(urlsplit(at_provider.headers["Location"]).query)
    used = client.get(
        "/connexion/oidc/ville/retour/?" + urlencode({"code": "used", "state": query["state"][0]})
    )
    assert used.status_code == 400
    assert "invalid_grant" in _page(used)
    assert "_auth_user_id" not in client.session


def test_the_same_callback_twice_is_refused(client, idp) -> None:
    idp.user("sub-15", email="nina@example.org", email_verified=True)
    start = client.post(reverse("people:oidc_start", args=["ville"]))
    at_provider = requests.post(
        start["Location"], data={"sub": "sub-15"}, allow_redirects=False, timeout=5
    )
    callback = _callback_path(at_provider.headers["Location"])
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code == 400


def test_an_expired_id_token_is_refused(client, settings) -> None:
    # The provider issues tokens that expired five minutes ago (beyond the 2 minutes' leeway).
    app = oidc_provider_mock.app(access_token_max_age=timedelta(minutes=-5))
    with _serve(app) as base:
        provider = Provider(base)
        settings.OIDC_PROVIDERS = [provider.settings]
        provider.user("sub-16", email="nina@example.org", email_verified=True)
        response = sign_in(client, provider, "sub-16")
        assert response.status_code == 400
        assert "expired_token" in _page(response) or "exp" in _page(response)
        assert not Person.objects.exists()


def test_a_token_signed_with_another_key_is_refused(client, settings) -> None:
    # The provider's published keys are another provider's: its tokens no longer verify.
    signer, other = oidc_provider_mock.app(), oidc_provider_mock.app()

    def provider_with_foreign_keys(environ, start_response):
        app = other if environ.get("PATH_INFO") == "/jwks" else signer
        return app(environ, start_response)

    with _serve(provider_with_foreign_keys) as base:
        provider = Provider(base)
        settings.OIDC_PROVIDERS = [provider.settings]
        provider.user("sub-17", email="nina@example.org", email_verified=True)
        response = sign_in(client, provider, "sub-17")
        assert response.status_code == 400
        assert "vérifiée" in _page(response)
        assert not Person.objects.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_provider_that_is_down_gets_a_clear_message_and_passwords_still_work(
    client, settings
) -> None:
    person = _existing()
    provider = Provider(f"http://127.0.0.1:{_closed_port()}")
    settings.OIDC_PROVIDERS = [provider.settings]
    settings.OIDC_TIMEOUT = 2
    login_page = client.get("/connexion/")
    assert login_page.status_code == 200  # the page never calls the provider
    response = client.post("/connexion/oidc/ville/")
    assert response.status_code == 503
    page = _page(response)
    assert "Ville ne répond pas" in page and "mot de passe" in page
    signed_in = client.post("/connexion/", {"username": person.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk


# FranceConnect


@pytest.fixture
def franceconnect(settings) -> Iterator[Provider]:
    with oidc_provider_mock.run_server_in_thread(port=0) as server:
        provider = Provider(
            f"http://localhost:{server.server_port}", slug="franceconnect", kind="franceconnect"
        )
        provider.settings["scopes"] = "openid identite_pivot email"
        settings.OIDC_PROVIDERS = [provider.settings]
        yield provider


def test_franceconnect_asks_eidas1_and_a_nonce_and_trusts_its_addresses(
    client, franceconnect
) -> None:
    # FranceConnect gives no email_verified claim: its addresses are verified at the source.
    franceconnect.user(
        "fc-1", email="jeanne@example.org", acr="eidas1", given_name="Jeanne", family_name="Doe"
    )
    start = client.post("/connexion/oidc/franceconnect/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["acr_values"] == ["eidas1"]
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 32
    assert "identite_pivot" in query["scope"][0]
    at_provider = requests.post(
        start["Location"], data={"sub": "fc-1"}, allow_redirects=False, timeout=5
    )
    response = client.get(_callback_path(at_provider.headers["Location"]))
    assert response.status_code == 302
    assert Person.objects.get().email == "jeanne@example.org"


def test_franceconnect_without_the_eidas1_level_is_refused(client, franceconnect) -> None:
    franceconnect.user("fc-2", email="jeanne@example.org")  # no acr in the ID token
    response = sign_in(client, franceconnect, "fc-2")
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_logging_out_after_franceconnect_ends_its_session_too(client, franceconnect) -> None:
    franceconnect.user("fc-3", email="jeanne@example.org", acr="eidas1")
    sign_in(client, franceconnect, "fc-3")
    id_token = client.session["oidc_signed_in_with"]["id_token"]
    response = client.post("/deconnexion/")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == franceconnect.base
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"][0].endswith(
        "/connexion/oidc/franceconnect/deconnecte/"
    )
    # At the provider: its end-session page, confirmed, sends the person back with the state.
    end_session_page = requests.get(response["Location"], timeout=5)
    assert end_session_page.status_code == 200
    redirect_uri = re.search(r'name="redirect_uri" value="([^"]+)"', end_session_page.text)
    back_to_us = requests.post(
        f"{franceconnect.base}/oauth2/end_session/confirm",
        data={"redirect_uri": html.unescape(redirect_uri.group(1))},
        allow_redirects=False,
        timeout=5,
    )
    back = client.get(_callback_path(back_to_us.headers["Location"]))
    assert back.status_code == 302
    page = _page(client.get("/connexion/"))
    assert "déconnecté de Maillage et de FranceConnect" in page


# ProConnect and FranceConnect answer userinfo with a JWT signed with the provider's keys.


def _signed_userinfo_provider(sign_with_provider_key: bool):
    """The mock provider whose userinfo is a signed JWT (``application/jwt``), as ProConnect's.

    Signed with the provider's own key (the one its JWKS publishes), or with another one.
    """
    import json

    import flask
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import RSAKey
    from werkzeug.wrappers import Response

    mock = oidc_provider_mock.app()
    keys = {"other": RSAKey.generate_key(2048, private=True)}

    @mock.before_request
    def keep_provider_key():
        keys["provider"] = RSAKey.import_key(
            flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
        )

    def app(environ, start_response):
        answer = Response.from_app(mock, environ)
        if environ.get("PATH_INFO") == "/userinfo" and answer.status_code == 200:
            claims = json.loads(answer.get_data())
            claims.update(iss=f"http://{environ['HTTP_HOST']}", aud="maillage")
            key = keys["provider" if sign_with_provider_key else "other"]
            answer = Response(
                jose_jwt.encode({"alg": "RS256"}, claims, key), content_type="application/jwt"
            )
        return answer(environ, start_response)

    return app


def test_proconnect_signed_userinfo_is_verified_with_the_provider_keys(client, settings) -> None:
    with _serve(_signed_userinfo_provider(sign_with_provider_key=True)) as base:
        provider = Provider(base, slug="proconnect", kind="proconnect")
        settings.OIDC_PROVIDERS = [provider.settings]
        provider.user("pc-1", email="agent@ville.example", given_name="Ada", usual_name="Lovelace")
        response = sign_in(client, provider, "pc-1")
        page = _page(response)
        assert response.status_code == 302, page[page.find('role="alert"') :][:300]
        assert Person.objects.get().display_name == "Ada Lovelace"


def test_userinfo_signed_with_another_key_is_refused(client, settings) -> None:
    with _serve(_signed_userinfo_provider(sign_with_provider_key=False)) as base:
        provider = Provider(base, slug="proconnect", kind="proconnect")
        settings.OIDC_PROVIDERS = [provider.settings]
        provider.user("pc-2", email="agent@ville.example")
        response = sign_in(client, provider, "pc-2")
        assert response.status_code == 400
        assert "vérifiée" in _page(response)
        assert not Person.objects.exists()


def test_a_next_address_on_another_site_is_not_followed(client, idp) -> None:
    idp.user("sub-20", email="nina@example.org", email_verified=True)
    response = sign_in(client, idp, "sub-20", next_url="https://elsewhere.example/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_platform_admin_sees_a_persons_links_in_the_admin(client, idp) -> None:
    idp.user("sub-21", email="nina@example.org", email_verified=True)
    sign_in(client, idp, "sub-21")
    person = Person.objects.get()
    admin = Person.objects.create_superuser("admin@example.org", PASSWORD, display_name="Admin")
    client.force_login(admin)
    page = client.get(f"/admin/people/person/{person.pk}/change/")
    assert page.status_code == 200
    assert "connexions externes" in _page(page).lower()  # the inline, in French
    assert ">ville<" in _page(page).replace(" ", "").replace("\n", "")


def test_a_logout_return_with_a_forged_state_says_nothing_of_the_provider(
    client, franceconnect
) -> None:
    back = client.get("/connexion/oidc/franceconnect/deconnecte/?state=forged")
    assert back.status_code == 302
    assert "déconnecté de Maillage" not in _page(client.get("/connexion/"))


def test_a_provider_that_goes_down_before_the_code_exchange_gets_a_clear_message(
    client, settings
) -> None:
    with _serve(oidc_provider_mock.app()) as base:
        provider = Provider(base)
        settings.OIDC_PROVIDERS = [provider.settings]
        settings.OIDC_TIMEOUT = 2
        provider.user("sub-30", email="nina@example.org", email_verified=True)
        start = client.post(reverse("people:oidc_start", args=["ville"]))
        at_provider = requests.post(
            start["Location"], data={"sub": "sub-30"}, allow_redirects=False, timeout=5
        )
    # The provider stopped between its answer and the code exchange.
    response = client.get(_callback_path(at_provider.headers["Location"]))
    assert response.status_code == 503
    assert "Ville ne répond pas" in _page(response)
    assert not Person.objects.exists()
