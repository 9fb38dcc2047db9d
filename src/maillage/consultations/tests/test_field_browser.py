"""The field page in a real phone browser: offline capture, reload without network, sync on return."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from maillage.consultations.models import Contribution
from maillage.consultations.tests.test_photos import GPS_IFD, jpeg_with_gps
from maillage.core.tests.browser import chromium, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = [
    "Je voudrais me sentir en sécurité le soir, avec plus de lumière.",
    "Un endroit calme pour lire à l'ombre des arbres.",
    "Des bancs pour que les anciens puissent se reposer.",
]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_an_agent_captures_three_wishes_offline_and_they_arrive_once_when_the_network_returns(
    browser, live_server, personas, campaign, tmp_path
) -> None:
    photo = tmp_path / "banc.jpg"
    photo.write_bytes(jpeg_with_gps((1200, 900)))
    context = logged_in_context(browser, live_server, personas.field_agent)
    page = context.new_page()
    page.goto(f"{live_server.url}/concertations/{campaign.slug}/terrain/")
    # The service worker controls the page and has cached it before the network goes away.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('maillage-field-v1').then(c => c.keys()).then(k => k.length >= 3)"
    )

    context.set_offline(True)
    page.wait_for_selector("#network[data-online=false]")
    for index, words in enumerate(WORDS):
        page.select_option("#site", str(personas.site.pk))
        page.fill("#text", words)
        page.check("#consent")
        if index == 1:
            page.set_input_files("#photo", str(photo))
        page.click("#capture-form button[type=submit]")
        page.wait_for_function(
            f"document.getElementById('waiting-count').textContent === '{index + 1}'"
        )
    assert Contribution.objects.filter(campaign=campaign).count() == 0

    # Still offline, the page reopens from the service worker's cache with its records.
    page.reload()
    page.wait_for_function("document.getElementById('waiting-count').textContent === '3'")
    assert Contribution.objects.filter(campaign=campaign).count() == 0

    context.set_offline(False)
    page.wait_for_function(
        "document.getElementById('synced-count').textContent === '3'", timeout=30_000
    )
    rows = list(Contribution.objects.filter(campaign=campaign).order_by("created_at"))
    assert sorted(r.text for r in rows) == sorted(WORDS)
    assert len({r.client_uuid for r in rows}) == 3
    with_photo = [r for r in rows if r.photo]
    assert len(with_photo) == 1
    page.wait_for_function("document.querySelectorAll('#waiting li').length === 0", timeout=30_000)
    with_photo[0].photo.open("rb")
    stored = Image.open(io.BytesIO(with_photo[0].photo.read()))
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert not stored.getexif()

    # Syncing again (the page retries on a timer) adds nothing.
    page.click("#sync-now")
    page.wait_for_timeout(500)
    assert Contribution.objects.filter(campaign=campaign).count() == 3
    context.close()
