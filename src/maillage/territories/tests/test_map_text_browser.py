"""Map tooltips and popups show names as text: a name made of HTML injects nothing."""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1"><b id="injected">Quartier</b>'


def test_a_territory_named_with_html_shows_as_text_in_tooltip_and_popup(live_server, personas):
    from maillage.territories.services import territory_create

    territory_create(
        name=PAYLOAD,
        kind="neighbourhood",
        parent=personas.commune,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[7.31, 47.71], [7.39, 47.71], [7.39, 47.79], [7.31, 47.79], [7.31, 47.71]]
            ],
        },
    )
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url + personas.commune.get_absolute_url())
        page.wait_for_selector("#territory-map path.leaflet-interactive")
        texts = []
        for shape in page.query_selector_all("#territory-map path.leaflet-interactive"):
            shape.hover(force=True)
            shape.click(force=True)
            texts += page.eval_on_selector_all(
                ".leaflet-tooltip, .leaflet-popup-content", "els => els.map(e => e.textContent)"
            )
        assert PAYLOAD in texts, texts
        assert page.query_selector("#territory-map #injected") is None
        assert page.query_selector("#territory-map img[src='x']") is None
        assert page.evaluate("window.__xss") is None
        assert errors == []
