"""Browser tests: each demo role browses every kind of page on a phone; axe-core finds nothing.

Playwright drives Debian's Chromium (/usr/bin/chromium); axe-core comes from npm (node_modules).
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import Resolver404, resolve

from maillage.core.tests.browser import AXE, chromium

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Links a crawler must not follow: they log out, download files or leave the pages.
SKIP_PREFIXES = (
    "/deconnexion",
    "/admin",
    "/api/",
    "/open-data/catalog",
    "/media/",
    "/static/",
    "/i18n/",
)
SKIP_SUFFIXES = (
    ".csv",
    ".json",
    ".geojson",
    ".jsonld",
    ".ics",
    ".gpx",
    ".gexf",
    ".graphml",
    ".md",
    ".pdf",
    ".xml",
    ".atom",
)
PAGES_PER_VIEW = 2
MAX_PAGES = 70

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


from playwright.sync_api import Error as PlaywrightError  # noqa: E402


def _crawl(page, base: str) -> list[str]:
    """Visit pages reachable from the home page, at most PAGES_PER_VIEW per view; return them."""
    seen_per_view: dict[str, int] = defaultdict(int)
    queue, visited, order = ["/"], set(), []
    while queue and len(order) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        try:
            view = resolve(urlparse(path).path).view_name
        except Resolver404:
            continue
        if seen_per_view[view] >= PAGES_PER_VIEW:
            continue
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # a link that downloads a file is not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen_per_view[view] += 1
        order.append(path)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            absolute = urlparse(urljoin(base + path, href))
            if absolute.netloc != urlparse(base).netloc:
                continue
            target = absolute.path + (f"?{absolute.query}" if absolute.query else "")
            if absolute.path.startswith(SKIP_PREFIXES) or absolute.path.endswith(SKIP_SUFFIXES):
                continue
            if target not in visited:
                queue.append(target)
    return order


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def test_every_role_browses_every_page_on_a_phone_without_accessibility_violations(
    browser, live_server
) -> None:
    from maillage.demo import DEMO_PASSWORD, build_demo
    from maillage.demo.foundation import DEMO_LOGINS

    build_demo(quiet=True)
    problems: list[str] = []
    visited_total = 0
    roles = [("visitor", None), *DEMO_LOGINS]
    for role, email in roles:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            bypass_csp=True,
            locale="fr-FR",
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        if email:
            page.goto(live_server.url + "/connexion/")
            page.fill("#id_username", email)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_load_state()
            assert "/connexion/" not in page.url, f"{role} could not log in"
        for path in _crawl(page, live_server.url):
            response = page.goto(live_server.url + path)
            visited_total += 1
            if response is None or response.status >= 400:
                problems.append(f"{role} {path}: HTTP {response.status if response else '?'}")
                continue
            for violation in _axe_violations(page):
                problems.append(f"{role} {path}: axe {violation}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 2:
                problems.append(f"{role} {path}: {overflow}px wider than a phone screen")
        problems.extend(f"{role}: JavaScript error {e}" for e in errors)
        context.close()
    assert visited_total >= 30
    assert not problems, "\n".join(problems)


def test_the_keyboard_reaches_the_main_content_through_the_skip_link(browser, live_server) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_the_territory_map_draws_site_shapes_without_tiles(browser, live_server) -> None:
    from maillage.demo import MARKER_SLUG, build_demo

    build_demo(quiet=True)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/territoires/{MARKER_SLUG}/")
    page.wait_for_selector("#territory-map path.leaflet-interactive")
    shapes = page.eval_on_selector_all(
        "#territory-map path.leaflet-interactive", "els => els.length"
    )
    assert shapes >= 6  # the agglomeration and its five communes
    context.close()
