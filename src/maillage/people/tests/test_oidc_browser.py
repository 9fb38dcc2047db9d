"""The sign-in pages with identity services pass axe and fit a 390 px phone, in French."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from maillage.core.tests.browser import Watcher, chromium
from maillage.people.models import ExternalIdentity, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDERS = [
    {
        "slug": "franceconnect",
        "kind": "franceconnect",
        "name": "FranceConnect",
        "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        "client_id": "maillage",
        "client_secret": "secret",
        "scopes": "openid identite_pivot email",
    },
    {
        "slug": "ville",
        "kind": "oidc",
        "name": "Ville de Lyon",
        "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        "client_id": "maillage",
        "client_secret": "secret",
        "scopes": "openid email profile",
    },
]


def _context(browser, live_server, client: Client):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        bypass_csp=True,
    )
    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def test_login_account_and_link_confirmation_pages_pass_axe_on_a_phone(
    live_server, settings
) -> None:
    settings.OIDC_PROVIDERS = PROVIDERS
    person = Person.objects.create_user(
        "camille@example.org", "a long password", display_name="Camille"
    )
    ExternalIdentity.objects.create(
        person=person, provider="ville", subject="s-1", email="camille@ville.example"
    )
    signed_in = Client()
    signed_in.force_login(person)
    pending = Client()
    session = pending.session
    session["oidc_pending_link"] = {
        "provider": "franceconnect",
        "subject": "fc-1",
        "email": "camille@example.org",
        "email_verified": True,
        "display_name": "Camille",
        "id_token": "not used by the page",
        "person": person.pk,
        "until": time.time() + 600,
    }
    session.save()
    pending.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    with chromium() as browser:
        problems: list[str] = []
        for who, client, pages in (
            ("visitor", Client(), [("/connexion/", "login")]),
            ("camille", signed_in, [("/compte/", "account")]),
            ("linking", pending, [("/connexion/lier/", "confirm")]),
        ):
            context = _context(browser, live_server, client)
            watcher = Watcher(context.new_page(), live_server.url, who)
            for path, name in pages:
                watcher.goto(path, name)
                text = watcher.page.inner_text("main")
                if name == "login":
                    assert "S’identifier avec FranceConnect" in text
                    assert "Qu’est-ce que FranceConnect ?" in text
                if name == "account":
                    assert "Ville de Lyon (camille@ville.example)" in text
                if name == "confirm":
                    assert "camille@example.org" in text
            problems += watcher.problems
            context.close()
        assert not problems, problems
