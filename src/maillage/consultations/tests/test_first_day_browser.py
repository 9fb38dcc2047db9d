"""The whole first day of a participation service, from an empty database, in a real browser.

``maillage createadmin`` makes the platform admin; from then on every step goes through the
product's pages: she signs in, creates the territory (the département) and imports its communes
(a dry run first), invites the territory admin, who sets her password through the emailed link
and invites a facilitator and a field agent, who do the same. The territory admin draws two
public spaces, creates a campaign with a closed question, picks its two sites in the campaign's
site picker, its agent by search, and opens it. The agent captures offline, and the records
arrive once the network is back; the facilitator publishes and hides in bulk, answers an idea,
closes the campaign, and the observatory shows the analysis.

The journey runs in French (the default) and in English (the browser's Accept-Language). Every
page: no console error, no failed same-origin request, nothing axe-core reports; in English, no
French string left on the page.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from typing import Any

import pytest
from django.core import mail

from maillage.cli import main as maillage
from maillage.consultations.models import Campaign, Contribution
from maillage.core.tests.browser import LOCALES, Watcher, chromium, untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe assez long"  # noqa: S105
# What the people of the journey type: names and places are data, not interface text.
DATA = {
    "fr": {
        "title": "Place de la Réunion : comment voulez-vous vous y sentir ?",
        "question": "Comment voulez-vous vous sentir sur cette place ?",
        "closed": "Quand venez-vous ?",
        "options": ["Le matin", "Le soir", "Le week-end"],
        "words": [
            "Plus d'ombre et des bancs le soir, sous les arbres.",
            "Un endroit calme pour lire à l'ombre.",
            "Des jeux pour les enfants près de la fontaine.",
        ],
        "search": "ombre",
        "response": "Des bancs à l'ombre",
        "openers": ["Je voudrais {}.", "Il faudrait {}.", "Nous aimerions {}.", "Il manque {}."],
        "wishes": [
            "plus d'arbres et d'ombre",
            "des bancs pour se reposer",
            "plus de lumière le soir pour se sentir en sécurité",
            "des jeux pour les enfants",
            "moins de voitures et moins de bruit",
            "une fontaine d'eau potable",
        ],
        "yes": "oui",
    },
    "en": {
        "title": "Reunion Square: how do you want to feel there?",
        "question": "How do you want to feel in this square?",
        "closed": "When do you come?",
        "options": ["In the morning", "In the evening", "At the weekend"],
        "words": [
            "More shade and benches in the evening, under the trees.",
            "A quiet spot to read in the shade.",
            "Games for the children near the fountain.",
        ],
        "search": "shade",
        "response": "Benches in the shade",
        "openers": ["I would like {}.", "We need {}.", "We would love {}.", "What is missing: {}."],
        "wishes": [
            "more trees and shade",
            "benches to rest on",
            "more light in the evening to feel safe",
            "games for the children",
            "fewer cars and less noise",
            "a drinking fountain",
        ],
        "yes": "yes",
    },
}
PLACES = ("Place de la Réunion", "Square Steinbach")
PEOPLE = ("Admin", "Service participation", "Camille Animatrice", "Léa Agent", "Mulhouse")


def _box(lon: float, lat: float, width: float, height: float) -> dict[str, Any]:
    ring = [
        [lon, lat],
        [lon + width, lat],
        [lon + width, lat + height],
        [lon, lat + height],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _geojson(tmp_path: Any) -> tuple[Any, Any]:
    """Write a département and three of its communes as IGN Admin Express exports them."""
    department = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": "Haut-Rhin", "code": "68"},
                "geometry": _box(6.84, 47.42, 0.80, 0.70),
            }
        ],
    }
    communes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": name, "code": code, "population": population},
                "geometry": {"type": "MultiPolygon", "coordinates": [box["coordinates"]]},
            }
            for name, code, population, box in (
                ("Mulhouse", "68224", 105_000, _box(7.28, 47.71, 0.09, 0.06)),
                ("Riedisheim", "68278", 12_000, _box(7.37, 47.71, 0.05, 0.04)),
                ("Illzach", "68154", 14_000, _box(7.32, 47.77, 0.05, 0.04)),
            )
        ],
    }
    first, second = tmp_path / "departement-68.geojson", tmp_path / "communes-68.geojson"
    first.write_text(json.dumps(department), encoding="utf-8")
    second.write_text(json.dumps(communes), encoding="utf-8")
    return first, second


def _paper_forms(tmp_path: Any, data: dict[str, Any], question: str) -> Any:
    """Write the CSV of the paper forms filled in at a public meeting: 24 wishes, 6 themes."""
    path = tmp_path / "questionnaires-papier.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "text", "consent", question])
        for number, (opener, wish) in enumerate(itertools.product(data["openers"], data["wishes"])):
            answer = data["options"][number % len(data["options"])]
            writer.writerow([PLACES[number % 2], opener.format(wish), data["yes"], answer])
    return path


class Person:
    """One person of the journey: her own browser context and the watcher of her page."""

    def __init__(self, journey: Journey, who: str) -> None:
        self.journey = journey
        self.context = journey.browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale=LOCALES[journey.language],
            bypass_csp=True,  # Playwright evaluates its waiting conditions as strings
        )
        self.page = self.context.new_page()
        self.watch = Watcher(self.page, journey.base, who)
        journey.watchers.append(self.watch)

    def goto(self, path: str, name: str) -> None:
        self.watch.goto(path, name)
        self.journey.no_french(self.page, f"{self.watch.who} {name}")

    def submit(self, selector: str, name: str) -> None:
        self.watch.submit(selector, name)
        self.journey.no_french(self.page, f"{self.watch.who} {name}")

    def sign_in(self, email: str) -> None:
        self.goto("/connexion/", "sign-in")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", PASSWORD)
        self.submit("main form button[type=submit].primary", "signed-in")
        assert "/connexion/" not in self.page.url, f"{email} could not sign in"

    def phone(self, path: str, name: str) -> None:
        """Look at a page at a phone's width too."""
        self.page.set_viewport_size({"width": 390, "height": 844})
        self.goto(path, f"{name}-390")
        self.page.set_viewport_size({"width": 1280, "height": 900})


class Journey:
    def __init__(self, browser: Any, base: str, language: str) -> None:
        self.browser, self.base, self.language = browser, base, language
        self.watchers: list[Watcher] = []
        self.untranslated: list[str] = []

    def no_french(self, page: Any, name: str) -> None:
        """Find the other language's interface texts on the page (data typed by people aside)."""
        for left in untranslated(page, self.language, (*PLACES, *PEOPLE)):
            self.untranslated.append(f"{name}: {left}")

    def person(self, who: str) -> Person:
        return Person(self, who)


def _link_for(email: str) -> str:
    message = [m for m in mail.outbox if m.to == [email]][-1]
    match = re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _invite(person: Person, slug: str, email: str, role: str) -> None:
    person.goto(f"/territoires/{slug}/equipe/", "team")
    person.page.fill("#id_email", email)
    person.page.select_option("#id_role", role)
    person.submit("main form.form button.primary", "team-invited")
    assert email in person.page.content()


def _accept(journey: Journey, email: str, name: str, who: str) -> Person:
    """The invitee follows the emailed link, sets her password, then signs in."""
    person = journey.person(who)
    person.goto(_link_for(email), "invitation")
    person.page.fill("#id_display_name", name)
    person.page.fill("#id_password", PASSWORD)
    person.submit("main form button.primary", "invitation-accepted")
    person.sign_in(email)
    return person


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_first_day_of_a_participation_service_through_its_pages(
    browser: Any, live_server: Any, settings: Any, monkeypatch: Any, tmp_path: Any, language: str
) -> None:
    from maillage.observatory.models import AnalysisRun
    from maillage.people.models import TerritoryRole
    from maillage.territories.models import Territory

    assert not Territory.objects.exists() and not Campaign.objects.exists()
    settings.SITE_URL = live_server.url
    monkeypatch.setenv("MAILLAGE_ADMIN_PASSWORD", PASSWORD)
    assert maillage(["createadmin", "--email", "admin@mairie.example", "--name", "Admin"]) == 0
    journey = Journey(browser, live_server.url, language)
    data = DATA[language]
    department_file, communes_file = _geojson(tmp_path)

    # The platform admin creates the territory, then imports its communes: a dry run first.
    admin = journey.person("admin")
    admin.sign_in("admin@mairie.example")
    admin.goto("/territoires/importer/", "import")
    admin.page.select_option("#id_kind", "region")
    admin.page.set_input_files("#id_file", str(department_file))
    admin.page.uncheck("#id_dry_run")
    admin.submit("main form.form button.primary", "import-department")
    department = Territory.objects.get(official_code="68")
    admin.page.select_option("#id_parent", str(department.pk))
    admin.page.select_option("#id_kind", "commune")
    admin.page.set_input_files("#id_file", str(communes_file))
    admin.page.check("#id_dry_run")
    admin.submit("main form.form button.primary", "import-dry-run")
    assert "Mulhouse" in admin.page.text_content(".report")
    assert not Territory.objects.filter(kind="commune").exists()
    admin.page.select_option("#id_parent", str(department.pk))
    admin.page.select_option("#id_kind", "commune")
    admin.page.set_input_files("#id_file", str(communes_file))
    admin.page.uncheck("#id_dry_run")
    admin.submit("main form.form button.primary", "import-communes")
    assert Territory.objects.filter(kind="commune", parent=department).count() == 3
    mulhouse = Territory.objects.get(official_code="68224")

    # The team: the admin invites the participation service, which invites the others.
    _invite(admin, mulhouse.slug, "service@mairie.example", "admin")
    service = _accept(journey, "service@mairie.example", "Service participation", "service")
    _invite(service, mulhouse.slug, "animatrice@mairie.example", "facilitator")
    _invite(service, mulhouse.slug, "agent@mairie.example", "field_agent")
    facilitator = _accept(journey, "animatrice@mairie.example", "Camille Animatrice", "facilitator")
    agent = _accept(journey, "agent@mairie.example", "Léa Agent", "agent")
    service.goto(f"/territoires/{mulhouse.slug}/equipe/", "team-complete")
    assert {"Service participation", "Camille Animatrice", "Léa Agent"} <= set(
        TerritoryRole.objects.filter(territory=mulhouse).values_list(
            "person__display_name", flat=True
        )
    )
    admin.context.close()

    # Two public spaces of Mulhouse (the form's shape field takes what the map would draw).
    for name, lon in zip(PLACES, (7.338, 7.334), strict=True):
        service.goto(f"/territoires/{mulhouse.slug}/nouveau-lieu/", "place-new")
        service.page.fill("#id_name", name)
        service.page.fill("#id_geometry", json.dumps(_box(lon, 47.746, 0.002, 0.002)))
        service.submit("main form.form button.primary", "place")
    reunion, steinbach = (Territory.objects.get(name=name) for name in PLACES)

    # The campaign as a draft, its closed question, its two sites, its agent; then it opens.
    service.goto("/gestion/concertations/nouvelle/", "campaign-new")
    service.page.select_option("#id_territory", str(mulhouse.pk))
    service.page.fill("#id_title", data["title"])
    service.page.fill("#id_open_question", data["question"])
    service.page.fill("#id_starts_on", "2026-05-01")
    service.page.fill("#id_ends_on", "2026-06-30")
    service.submit("main form.form button.primary", "campaign-draft")
    campaign = Campaign.objects.get()
    manage = f"/gestion/concertations/{campaign.slug}/"
    assert service.page.url.endswith(manage)

    service.goto(manage + "questions/", "questions")
    service.page.fill("#id_q-0-label", data["closed"])
    service.page.select_option("#id_q-0-kind", "single")
    service.page.fill("#id_q-0-options", "\n".join(data["options"]))
    service.submit("main form.form button.primary", "questions-saved")
    campaign.refresh_from_db()
    assert [q["label"] for q in campaign.closed_questions] == [data["closed"]]

    service.goto(manage + "lieux/", "sites")
    service.page.wait_for_selector("#sites-map path.leaflet-interactive")
    service.page.check(f"input[name=sites][value='{reunion.pk}']")
    service.page.check(f"input[name=sites][value='{steinbach.pk}']")
    service.submit("main form.form button.primary", "sites-saved")
    assert set(campaign.sites.all()) == {reunion, steinbach}

    service.goto(manage + "equipe/", "campaign-team")
    service.page.fill("#team-q", "léa")
    service.submit("form[role=search] button", "campaign-team-found")
    service.submit("main li form button.primary", "campaign-team-added")
    assert list(campaign.team.values_list("email", flat=True)) == ["agent@mairie.example"]

    service.goto(manage, "campaign-manage-draft")
    service.submit("section[aria-labelledby=moves-title] button.primary", "campaign-open")
    campaign.refresh_from_db()
    assert campaign.status == "open"
    service.phone(manage, "campaign-manage")

    # The agent captures three wishes offline; they arrive once the network is back.
    field = agent.page
    agent.goto(f"/concertations/{campaign.slug}/terrain/", "field")
    field.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null"
    )
    field.wait_for_function(
        "caches.open('maillage-field-v1').then(c => c.keys()).then(k => k.length >= 3)"
    )
    agent.context.set_offline(True)
    field.wait_for_selector("#network[data-online=false]")
    for index, (words, site) in enumerate(
        zip(data["words"], (reunion, steinbach, reunion), strict=True)
    ):
        field.select_option("#site", str(site.pk))
        field.fill("#text", words)
        field.select_option("#q_q1", data["options"][index % 2])
        field.check("#consent")
        field.click("#capture-form button[type=submit]")
        field.wait_for_function(
            f"document.getElementById('waiting-count').textContent === '{index + 1}'"
        )
    assert not Contribution.objects.filter(campaign=campaign).exists()
    agent.context.set_offline(False)
    field.click("#sync-now")
    field.wait_for_function(
        "document.getElementById('synced-count').textContent === '3'", timeout=30_000
    )
    agent.watch.check("field-synced")
    assert Contribution.objects.filter(campaign=campaign).count() == 3
    agent.context.close()

    # The facilitator adds the paper forms of the public meeting: a dry run, then the import.
    paper = _paper_forms(tmp_path, data, campaign.closed_questions[0]["id"])
    facilitator.goto(f"/concertations/{campaign.slug}/import/", "paper-import")
    facilitator.page.set_input_files("#id_file", str(paper))
    facilitator.page.check("#id_dry_run")
    facilitator.submit("main form.form button.primary", "paper-import-dry-run")
    assert Contribution.objects.filter(campaign=campaign).count() == 3
    facilitator.page.set_input_files("#id_file", str(paper))
    facilitator.page.uncheck("#id_dry_run")
    facilitator.submit("main form.form button.primary", "paper-imported")
    assert Contribution.objects.filter(campaign=campaign).count() == 27

    # She publishes them all but one, which she hides, in bulk.
    moderation = f"/concertations/{campaign.slug}/moderation/"
    facilitator.goto(moderation, "moderation")
    facilitator.page.focus("#select-all")
    facilitator.page.keyboard.press("Space")
    off_topic = Contribution.objects.get(campaign=campaign, text=data["words"][2])
    facilitator.page.uncheck(f"#select-{off_topic.pk}")
    facilitator.submit("#bulk-form button[value=publish]", "moderation-published")
    facilitator.page.check(f"#select-{off_topic.pk}")
    facilitator.page.select_option("#bulk-reason", "off_topic")
    facilitator.submit("#bulk-form button[value=hide]", "moderation-hidden")
    statuses = dict(Contribution.objects.filter(campaign=campaign).values_list("text", "status"))
    assert statuses[data["words"][2]] == "hidden"
    assert list(statuses.values()).count("published") == 26
    facilitator.phone(moderation + "?status=published", "moderation")

    # She answers the idea of shade, picking its contributions by search.
    facilitator.goto(f"/concertations/{campaign.slug}/reponses/", "responses")
    facilitator.page.fill("#id_title", data["response"])
    facilitator.page.select_option("#id_status", "retained")
    facilitator.submit("main form.form button.primary", "response-new")
    facilitator.page.fill("#pick-q", data["search"])
    facilitator.submit("form[role=search] button", "response-search")
    for box in facilitator.page.locator("input[name=contributions]").all():
        box.check()
    facilitator.submit("#response-form button.primary", "response-saved")
    facilitator.goto(f"/concertations/{campaign.slug}/suites/", "follow-up")
    facilitator.page.click("main details summary")
    facilitator.page.wait_for_selector(f"text={data['words'][0]}")
    assert data["words"][2] not in facilitator.page.inner_text("main")

    # She closes the campaign: the observatory's analysis runs and its pages show it.
    facilitator.goto(manage, "campaign-manage-open")
    facilitator.submit("section[aria-labelledby=moves-title] button.primary", "campaign-closed")
    campaign.refresh_from_db()
    assert campaign.status in ("closed", "analysed")
    assert AnalysisRun.objects.filter(campaign=campaign).exists()
    facilitator.goto(f"/observatoire/concertations/{campaign.slug}/", "observatory")
    facilitator.page.wait_for_selector("#themes-title")
    facilitator.goto(f"/observatoire/concertations/{campaign.slug}/rapport/", "report")
    assert data["response"] in facilitator.page.inner_text("main")
    service.context.close()
    facilitator.context.close()

    problems = [p for w in journey.watchers for p in w.problems] + journey.untranslated
    assert not problems, "\n".join(problems)
