"""Maps have a background by default, and still draw their shapes when the tiles fail.

The tile server is never reached: the browser tests answer (or refuse) its requests
themselves, so the tests need no network.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import override_settings

from maillage.core.middleware import _content_security_policy, tile_source
from maillage.core.tests.browser import chromium

TILES = "https://tiles.example/{z}/{x}/{y}.png"
# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[7.3, 47.7], [7.4, 47.7], [7.4, 47.8], [7.3, 47.8], [7.3, 47.7]]],
}


def test_the_default_background_is_openstreetmap_with_its_attribution() -> None:
    # The test settings turn tiles off, so the production default is read in a fresh process.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAP_TILE")}
    script = (
        "from maillage import settings as s; print(s.MAP_TILE_URL); print(s.MAP_TILE_ATTRIBUTION)"
    )
    url, attribution = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "https://www.openstreetmap.org/copyright" in attribution


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        (
            "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
            "https://*.tile.openstreetmap.fr",
        ),
        ("", ""),
        ("/tiles/{z}/{x}/{y}.png", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_the_content_security_policy_admits_the_tile_host_and_every_subdomain(
    url: str, source: str
) -> None:
    assert tile_source(url) == source


def test_the_content_security_policy_names_the_configured_tile_server() -> None:
    with override_settings(MAP_TILE_URL="https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png"):
        policy = _content_security_policy()
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.fr;" in policy
    with override_settings(MAP_TILE_URL=""):
        assert "img-src 'self' data: blob:;" in _content_security_policy()


@pytest.mark.django_db
def test_an_empty_tile_url_turns_the_background_off(client) -> None:
    with override_settings(MAP_TILE_URL=""):
        page = client.get("/").content.decode()
    assert 'name="map-tiles"' not in page
    with override_settings(MAP_TILE_URL=TILES):
        page = client.get("/").content.decode()
    assert f'<meta name="map-tiles" content="{TILES}">' in page


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def commune(transactional_db):
    from maillage.territories.services import territory_create

    return territory_create(name="Commune Carte", kind="commune", geometry=SQUARE)


def _map_page(browser, live_server, commune, answer_tiles):
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    requested: list[str] = []

    def tiles(route):
        requested.append(route.request.url)
        answer_tiles(route)

    context.route("https://tiles.example/**", tiles)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/territoires/{commune.slug}/")
    page.wait_for_selector("#territory-map path.leaflet-interactive")
    return context, page, requested, errors


@pytest.mark.browser
def test_the_territory_map_shows_tiles_with_their_attribution(
    browser, live_server, commune, settings
) -> None:
    settings.MAP_TILE_URL = TILES
    answer = lambda route: route.fulfill(status=200, content_type="image/png", body=PNG)  # noqa: E731
    context, page, requested, errors = _map_page(browser, live_server, commune, answer)
    page.wait_for_selector("#territory-map img.leaflet-tile-loaded")
    assert requested
    assert "OpenStreetMap" in page.inner_text("#territory-map .leaflet-control-attribution")
    assert errors == []
    context.close()


@pytest.mark.browser
def test_when_tiles_fail_the_map_keeps_its_shapes_and_stops_asking_for_tiles(
    browser, live_server, commune, settings
) -> None:
    settings.MAP_TILE_URL = TILES
    context, page, requested, errors = _map_page(
        browser, live_server, commune, lambda route: route.abort()
    )
    page.wait_for_selector(".map-note")
    assert "fond de carte" in page.inner_text(".map-note").lower()
    asked = len(requested)
    page.click("#territory-map .leaflet-control-zoom-in")
    page.wait_for_timeout(500)
    assert len(requested) == asked, "tiles were still requested after the first failure"
    assert page.locator("#territory-map path.leaflet-interactive").count() >= 1
    assert errors == []
    context.close()


def _square(west: float, south: float, side: float) -> dict:
    ring = [[west, south], [west + side, south], [west + side, south + side], [west, south + side]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


LABEL_BOXES = """() => [...document.querySelectorAll('#territory-map .map-label')].map((e) => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, hidden: e.getAttribute('aria-hidden'),
          left: r.left, right: r.right, top: r.top, bottom: r.bottom};
})"""


def settled_labels(page: Any) -> list[dict[str, Any]]:
    """Return the labels once they stop changing: the map may settle its view after the first
    drawing (on a loaded machine the first labels can be read before the last redraw)."""
    boxes = page.evaluate(LABEL_BOXES)
    for _ in range(25):
        page.wait_for_timeout(200)
        again = page.evaluate(LABEL_BOXES)
        if again == boxes:
            return boxes
        boxes = again
    return boxes


@pytest.mark.browser
def test_place_names_are_written_on_the_map_where_they_fit_without_overlapping(
    browser, live_server, transactional_db, settings
) -> None:
    from maillage.territories.services import territory_create

    settings.MAP_TILE_URL = ""
    agglo = territory_create(
        name="Agglo Carte", kind="intercommunality", geometry=_square(7.0, 47.0, 0.4)
    )
    names = ["Nord", "Sud", "Saint-Barthélemy-des-Longs-Champs-Fleuris", "Est"]
    corners = [(7.0, 47.2), (7.0, 47.0), (7.2, 47.2), (7.2, 47.0)]
    for name, (west, south) in zip(names, corners, strict=True):
        territory_create(
            name=name, kind="commune", parent=agglo, geometry=_square(west, south, 0.2)
        )
    # A multi-part place is a layer group in Leaflet, with no centre of its own.
    territory_create(
        name="Bancs",
        kind="site",
        parent=agglo,
        geometry={"type": "MultiPoint", "coordinates": [[7.05, 47.05], [7.06, 47.06]]},
    )
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/territoires/{agglo.slug}/")
    page.wait_for_selector("#territory-map .map-label")
    boxes = settled_labels(page)
    shown = {box["text"] for box in boxes}
    assert {"Nord", "Sud", "Est"} <= shown, shown
    # The long name is far wider than its commune at this zoom: it is left out.
    assert "Saint-Barthélemy-des-Longs-Champs-Fleuris" not in shown
    assert all(box["hidden"] == "true" for box in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a, b)
    for _ in range(3):
        page.click("#territory-map .leaflet-control-zoom-in")
        page.wait_for_timeout(400)
    zoomed = {box["text"] for box in settled_labels(page)}
    assert "Saint-Barthélemy-des-Longs-Champs-Fleuris" in zoomed, zoomed
    assert errors == []
    context.close()
