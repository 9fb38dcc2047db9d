"""The encounter form on a walker's phone: recorded offline, reopened offline, synced once."""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.journeys.models import Encounter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MET = [
    ("Une boulangère", "Elle voit passer tout le village le matin.", "commerce, lien social"),
    ("Un berger", "", "pastoralisme"),
]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_a_walker_records_two_encounters_offline_and_they_arrive_once_when_the_network_returns(
    browser, live_server, personas, journey
) -> None:
    context = logged_in_context(browser, live_server, personas.participant)
    page = context.new_page()
    page.goto(f"{live_server.url}/itinerances/{journey.slug}/rencontres/nouvelle/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('maillage-field-v1').then(c => c.keys()).then(k => k.length >= 2)"
    )
    context.set_offline(True)
    page.wait_for_selector("#encounter-network[data-online=false]")
    for index, (who, notes, themes) in enumerate(MET):
        page.fill("#id_met_on", "2026-05-05")
        page.fill("#id_place_name", "Lavoir du bas")
        page.fill("#id_who", who)
        if notes:
            page.check("#id_consent")
            page.fill("#id_notes", notes)
        page.fill("#id_themes", themes)
        page.click("#encounter-form button[type=submit]")
        page.wait_for_function(
            f"document.getElementById('encounters-waiting-count').textContent === '{index + 1}'"
        )
    # Notes without consent are refused on the phone already, and nothing is stored.
    page.fill("#id_met_on", "2026-05-05")
    page.fill("#id_who", "Une passante")
    page.fill("#id_notes", "Sans son accord")
    page.click("#encounter-form button[type=submit]")
    assert page.text_content("#encounter-error")
    assert page.text_content("#encounters-waiting-count") == "2"
    assert not Encounter.objects.exists()

    page.reload()  # still offline: the service worker serves the page, IndexedDB the records
    page.wait_for_function(
        "document.getElementById('encounters-waiting-count').textContent === '2'"
    )
    context.set_offline(False)
    page.wait_for_function(
        "document.getElementById('encounters-synced-count').textContent === '2'", timeout=30_000
    )
    rows = list(Encounter.objects.filter(journey=journey))
    assert sorted(r.who for r in rows) == sorted(who for who, _, _ in MET)
    baker = next(r for r in rows if r.who == "Une boulangère")
    assert baker.notes.startswith("Elle voit")
    page.click("#encounters-sync-now")
    page.wait_for_timeout(500)
    assert Encounter.objects.filter(journey=journey).count() == 2
    context.close()
