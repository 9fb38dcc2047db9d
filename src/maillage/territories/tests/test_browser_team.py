"""Day one in a browser, in French, from an empty database: the team is built through its pages.

The platform admin (made by ``maillage createadmin``) invites a territory admin, who sets a
password through the emailed link and invites a facilitator and a field agent, who do the
same; a person creates an organization of kind commune, which shows as such only once the
territory admin approves it. Every page: no console error, no failed same-origin request,
nothing axe-core reports.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import pytest
from django.core import mail

from maillage.core.tests.browser import Watcher, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "un-mot-de-passe-solide-2026"
SHOTS = "/tmp/shots-accounts"


class Tab:
    """A French page that records console errors, failed requests and accessibility problems."""

    def __init__(self, browser: Any, base: str, problems: list[str]) -> None:
        self.base = base
        self.problems = problems
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
        )
        self.page = self.context.new_page()
        self.watcher = Watcher(self.page, base, "")
        # All the tabs of the journey report into the one list the test checks at the end.
        self.watcher.problems = problems

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def submit(self, button_text: str) -> None:
        self.page.get_by_role("button", name=button_text).click()
        self.page.wait_for_load_state()
        self.check()

    def check(self) -> None:
        for violation in self.watcher.axe_violations(WCAG_TAGS):
            self.problems.append(f"{violation} on {self.page.url}")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=f"{SHOTS}/{name}-1280.png", full_page=True)
        self.page.set_viewport_size({"width": 390, "height": 844})
        overflow = self.page.evaluate(
            "() => [document.documentElement.scrollWidth - window.innerWidth,"
            " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' +"
            " e.className).slice(0, 5)]"
        )
        if overflow[0] > 2:
            self.problems.append(f"{name}: {overflow[0]}px wider than a phone: {overflow[1]}")
        self.page.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def sign_in(self, email: str, password: str) -> None:
        self.go("/connexion/")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        self.submit("Se connecter")
        assert "/connexion/" not in self.page.url, f"{email} could not sign in"

    def close(self) -> None:
        self.context.close()


def _link_for(email: str) -> str:
    message = [m for m in mail.outbox if m.to == [email]][-1]
    return re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body).group(1)


def _invite(tab: Tab, slug: str, email: str, role_label: str) -> None:
    tab.go(f"/territoires/{slug}/equipe/")
    tab.page.fill("#id_email", email)
    tab.page.select_option("#id_role", label=role_label)
    tab.submit("Envoyer l’invitation")
    assert email in tab.page.content()


def _accept(browser: Any, base: str, problems: list[str], email: str, name: str) -> None:
    tab = Tab(browser, base, problems)
    tab.go(_link_for(email))
    tab.page.fill("#id_display_name", name)
    tab.page.fill("#id_password", PASSWORD)
    tab.submit("Accepter l’invitation")
    tab.sign_in(email, PASSWORD)
    tab.close()


def test_the_team_and_an_approved_commune_are_built_in_the_browser(
    live_server: Any, monkeypatch: Any, settings: Any
) -> None:
    import os

    from maillage.people.cli import cmd_createadmin
    from maillage.people.models import Person, TerritoryRole
    from maillage.territories.services import territory_create

    os.makedirs(SHOTS, exist_ok=True)
    settings.SITE_URL = live_server.url
    monkeypatch.setenv("MAILLAGE_ADMIN_PASSWORD", PASSWORD)
    assert cmd_createadmin(argparse.Namespace(email="admin@mairie.example", name="Admin")) == 0
    # The territory's boundaries come from its own import page (another part of issue #18).
    commune = territory_create(
        name="Brumes-sur-Lys",
        kind="commune",
        geometry={
            "type": "Polygon",
            "coordinates": [[[7.3, 47.7], [7.4, 47.7], [7.4, 47.8], [7.3, 47.8], [7.3, 47.7]]],
        },
    )
    problems: list[str] = []
    with chromium() as browser:
        admin = Tab(browser, live_server.url, problems)
        admin.sign_in("admin@mairie.example", PASSWORD)
        _invite(
            admin,
            commune.slug,
            "service@mairie.example",
            "Administrateur/administratrice du territoire (service participation)",
        )
        admin.close()
        _accept(
            browser, live_server.url, problems, "service@mairie.example", "Service participation"
        )

        service = Tab(browser, live_server.url, problems)
        service.sign_in("service@mairie.example", PASSWORD)
        _invite(
            service,
            commune.slug,
            "animatrice@mairie.example",
            "Animateur/animatrice, modérateur/modératrice",
        )
        _invite(service, commune.slug, "agent@mairie.example", "Agent de terrain")
        service.shot("team")
        _accept(browser, live_server.url, problems, "animatrice@mairie.example", "Animatrice")
        _accept(browser, live_server.url, problems, "agent@mairie.example", "Agent")
        service.go(f"/territoires/{commune.slug}/equipe/")
        for name in ("Service participation", "Animatrice", "Agent"):
            assert name in service.page.content()

        # Her account page lists her API tokens and revokes them.
        service.go("/compte/")
        service.page.fill("#id_name", "Tableur")
        service.page.select_option("#id_scope", label="Lecture et écriture")
        service.submit("Créer un jeton")
        assert service.page.input_value("#token-key").startswith("mlg_")
        service.go("/compte/")
        assert "Tableur" in service.page.content()
        service.shot("account")
        service.submit("Révoquer le jeton Tableur")
        assert "Tableur" not in service.page.locator("main table").all_inner_texts()

        # A person speaking for the town hall creates the commune's organization.
        Person.objects.create_user("elu@mairie.example", PASSWORD, display_name="Élu")
        elected = Tab(browser, live_server.url, problems)
        elected.sign_in("elu@mairie.example", PASSWORD)
        elected.go("/organisations/nouvelle/")
        elected.page.fill("#id_name", "Mairie de Brumes-sur-Lys")
        elected.page.select_option("#id_kind", label="Commune")
        elected.page.select_option("#id_territories", label="Brumes-sur-Lys")
        elected.submit("Créer l’organisation")
        assert "en attente de l’approbation" in elected.page.content()
        elected.shot("organization-pending")
        url = elected.page.url
        elected.close()

        service.go(f"/territoires/{commune.slug}/equipe/")
        assert "Mairie de Brumes-sur-Lys" in service.page.content()
        service.page.goto(url)
        service.submit("Approuver : cette organisation parle au nom de l’institution (Commune)")
        content = service.page.content()
        assert "en attente de l’approbation" not in content and "Commune" in content
        service.shot("organization-approved")
        service.close()

    roles = set(
        TerritoryRole.objects.filter(territory=commune).values_list("person__email", "role")
    )
    assert roles == {
        ("service@mairie.example", "admin"),
        ("animatrice@mairie.example", "facilitator"),
        ("agent@mairie.example", "field_agent"),
    }
    assert not problems, "\n".join(problems)
