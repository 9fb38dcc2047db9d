"""The participation service's first day, in French, from an empty database, in a real browser:
the admin imports the communes of Haut-Rhin, draws two places in Mulhouse, creates a campaign
with a closed question, picks its sites (one on the map) and its agent by search, opens it; the
agent captures on the field page; the admin publishes in bulk, answers, closes, and the
observatory runs. Every page: no console error, no failed same-origin request, axe finds nothing.

The staff accounts and their roles are made directly: inviting them through the pages is the
other half of issue #18.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from maillage.consultations.models import Campaign, Contribution
from maillage.core.tests.browser import AXE, chromium, failed, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = Path("/tmp/shots-dayone1")
PASSWORD = "un mot de passe assez long"  # noqa: S105


def _square(lon: float, lat: float, size: float = 0.002) -> str:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


class Watch:
    """Collect console errors, failed same-origin requests and axe violations of a page."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base, self.problems = page, base, []
        host = urlparse(base).netloc
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text} ({page.url})"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on(
            "requestfailed",
            lambda r: (
                urlparse(r.url).netloc == host
                and failed(r)
                and self.problems.append(f"failed: {r.url} {r.failure}")
            ),
        )
        page.on(
            "response",
            lambda r: (
                urlparse(r.url).netloc == host
                and r.status >= 400
                and self.problems.append(f"HTTP {r.status}: {r.url}")
            ),
        )

    def check(self, name: str) -> None:
        """Run axe on the page and keep a screenshot of it."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        for violation in result["violations"]:
            targets = [n["target"] for n in violation["nodes"][:3]]
            self.problems.append(f"axe {name}: {violation['id']} {targets}")
        SHOTS.mkdir(exist_ok=True)
        width = self.page.viewport_size["width"]
        self.page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_first_day_of_a_participation_service_in_french(
    browser: Any, live_server: Any, shared_data: Any, settings: Any
) -> None:
    from maillage.observatory.models import AnalysisRun
    from maillage.people.models import Person, TerritoryRole
    from maillage.territories.models import Territory

    assert not Territory.objects.exists() and not Campaign.objects.exists()
    admin = Person.objects.create_superuser("admin@mairie.example", PASSWORD, display_name="Admin")
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    watch = Watch(page, base)

    page.goto(base + "/connexion/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    # The département at the top, then its communes inside it: a dry run first.
    geo = shared_data / "geo"
    page.goto(base + "/territoires/importer/")
    watch.check("import")
    page.select_option("#id_kind", "region")
    page.set_input_files("#id_file", str(geo / "departement-68-haut-rhin.geojson"))
    page.uncheck("#id_dry_run")
    page.click("main form.form button.primary")
    page.wait_for_selector(".report")
    department = Territory.objects.get(official_code="68")
    page.select_option("#id_parent", str(department.pk))
    page.select_option("#id_kind", "commune")
    page.set_input_files("#id_file", str(geo / "communes-68-haut-rhin.geojson"))
    page.check("#id_dry_run")
    page.click("main form.form button.primary")
    page.wait_for_selector("text=366 lieux seraient créés")
    watch.check("import-dry-run")
    assert Territory.objects.filter(kind="commune").count() == 0
    page.select_option("#id_parent", str(department.pk))
    page.select_option("#id_kind", "commune")
    page.set_input_files("#id_file", str(geo / "communes-68-haut-rhin.geojson"))
    page.uncheck("#id_dry_run")
    page.click("main form.form button.primary")
    page.wait_for_selector("text=366 lieux créés", timeout=120_000)
    mulhouse = Territory.objects.get(official_code="68224")

    # Two public spaces of Mulhouse, their shapes given in the form's GeoJSON field.
    for name, lon in (("Place de la Réunion", 7.338), ("Square Steinbach", 7.334)):
        page.goto(f"{base}/territoires/{mulhouse.slug}/nouveau-lieu/")
        page.wait_for_selector(".leaflet-pm-toolbar")
        page.fill("#id_name", name)
        page.fill("#id_geometry", _square(lon, 47.746))
        page.click("main form.form button.primary")
        page.wait_for_url("**/territoires/*/")
    watch.check("place")
    reunion = Territory.objects.get(name="Place de la Réunion")

    # The staff of the participation service (invitations are the other half of the issue).
    agent = Person.objects.create_user("agent@mairie.example", PASSWORD, display_name="Léa Agent")
    TerritoryRole.objects.create(person=agent, territory=mulhouse, role="field_agent")

    # The campaign, as a draft, then its questions, sites, team; then it opens.
    page.goto(base + "/gestion/concertations/nouvelle/")
    watch.check("campaign-new")
    page.select_option("#id_territory", str(mulhouse.pk))
    page.fill("#id_title", "Place de la Réunion : comment voulez-vous vous y sentir ?")
    page.fill("#id_open_question", "Comment voulez-vous vous sentir sur cette place ?")
    page.fill("#id_starts_on", "2026-05-01")
    page.fill("#id_ends_on", "2026-06-30")
    page.click("main form.form button.primary")
    page.wait_for_selector("text=Brouillon créé")
    campaign = Campaign.objects.get()
    watch.check("campaign-manage-draft")

    page.click("text=Modifier les questions fermées")
    page.fill("#id_q-0-label", "Quand venez-vous ?")
    page.select_option("#id_q-0-kind", "single")
    page.fill("#id_q-0-options", "Le matin\nLe soir\nLe week-end")
    watch.check("questions")
    page.click("main form.form button.primary")
    page.wait_for_selector("text=Questions fermées enregistrées")

    page.click("text=Choisir les lieux")
    page.wait_for_selector("#sites-map path.leaflet-interactive")
    watch.check("sites")
    page.check(f"input[name=sites][value='{reunion.pk}']")
    # The other one is ticked by clicking its shape on the map.
    page.locator("#sites-map path.leaflet-interactive").last.click(force=True)
    page.click("main form.form button.primary")
    page.wait_for_selector("text=Lieux enregistrés")
    assert campaign.sites.count() == 2

    page.click("text=Gérer l’équipe")
    page.fill("#team-q", "léa")
    page.click("form[role=search] button")
    page.wait_for_selector("text=1 membre trouvé")
    watch.check("team")
    page.click("text=Ajouter Léa Agent")
    page.wait_for_selector("text=Léa Agent a rejoint l’équipe")
    page.goto(f"{base}/gestion/concertations/{campaign.slug}/")
    page.click("text=Ouvrir la campagne")
    page.wait_for_selector("text=La campagne est maintenant « en cours »")
    watch.check("campaign-manage-open")

    # The agent captures on the field page (its offline behaviour has its own browser test).
    agent_context = logged_in_context(browser, live_server, agent)
    field = agent_context.new_page()
    field_watch = Watch(field, base)
    field.goto(f"{base}/concertations/{campaign.slug}/terrain/")
    for words in ("Plus d'ombre et des bancs le soir.", "Un endroit calme pour lire."):
        field.select_option("#site", str(reunion.pk))
        field.fill("#text", words)
        field.select_option("#q_q1", "Le soir")
        field.check("#consent")
        field.click("#capture-form button[type=submit]")
    field.wait_for_function(
        "document.getElementById('synced-count').textContent === '2'", timeout=30_000
    )
    field_watch.check("field")
    agent_context.close()
    assert Contribution.objects.filter(campaign=campaign).count() == 2

    # Bulk moderation with the keyboard: select all, publish.
    page.goto(f"{base}/concertations/{campaign.slug}/moderation/")
    watch.check("moderation")
    page.focus("#select-all")
    page.keyboard.press("Space")
    page.click("text=Publier la sélection")
    page.wait_for_selector("text=2 contributions publiées")
    assert Contribution.objects.filter(campaign=campaign, status="published").count() == 2

    # A response picks a contribution by search.
    page.goto(f"{base}/concertations/{campaign.slug}/reponses/")
    page.fill("#id_title", "Des bancs à l'ombre")
    page.select_option("#id_status", "retained")
    page.click("main form.form button.primary")
    page.wait_for_selector("text=Réponse enregistrée")
    page.fill("#pick-q", "ombre")
    page.click("form[role=search] button")
    page.check("input[name=contributions]")
    page.click("#response-form button.primary")
    page.wait_for_selector("text=Réponse mise à jour")
    watch.check("response")
    page.goto(f"{base}/concertations/{campaign.slug}/suites/")
    page.click("summary")
    page.wait_for_selector("text=Plus d'ombre et des bancs le soir.")
    watch.check("follow-up")

    # Closing starts the observatory's analysis.
    page.goto(f"{base}/gestion/concertations/{campaign.slug}/")
    page.click("text=Clore la campagne")
    page.wait_for_selector("text=La campagne est maintenant « clos »")
    assert AnalysisRun.objects.filter(campaign=campaign).exists()
    campaign.refresh_from_db()
    assert campaign.status in ("closed", "analysed")
    page.goto(f"{base}/observatoire/concertations/{campaign.slug}/rapport/")
    page.wait_for_selector("text=Réponses apportées")
    watch.check("report")

    # The phone width of the set-up pages.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", bypass_csp=True
    )
    phone.add_cookies(context.cookies())
    small = phone.new_page()
    small_watch = Watch(small, base)
    for path, name in (
        (f"/gestion/concertations/{campaign.slug}/", "campaign-manage"),
        (f"/gestion/concertations/{campaign.slug}/lieux/", "sites"),
        (f"/concertations/{campaign.slug}/moderation/?status=published", "moderation"),
    ):
        small.goto(base + path)
        small_watch.check(name)
    phone.close()
    context.close()
    problems = watch.problems + field_watch.problems + small_watch.problems
    assert not problems, "\n".join(problems)
    assert os.listdir(SHOTS)
