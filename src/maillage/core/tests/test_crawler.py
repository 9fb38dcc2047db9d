"""The demo, crawled: every same-origin link, three roles, French and English, one browser.

An anonymous visitor, a territory admin and an inhabitant follow every link of the demo.
Every link is checked (no dead link); the first pages of each view are opened in the browser
and must show no console error, no page error, no failed request and no axe violation. The
main pages are then photographed in French at 1280 and 390 px into var/screenshots/, the
artifacts people look at (the README's screenshot is one of them).
"""

from __future__ import annotations

import time
from collections import defaultdict
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from maillage.core.tests.browser import REPO, Watcher, chromium
from maillage.core.tests.test_browser import SKIP_PREFIXES, SKIP_SUFFIXES, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOTS = REPO / "var" / "screenshots"
# Pages of one view differ by their data, not their make-up: the first ones are opened in
# the browser (console, requests, axe), every other link of the view is only fetched.
OPENED_PER_VIEW = 1
ROLES = [
    ("anonymous", None),
    ("territory-admin", "service.participation@demo.maillage.test"),
    ("inhabitant", "habitante@demo.maillage.test"),
]
MAIN_PAGES = [
    ("home", "/"),
    ("territory", "/territoires/bramont-agglomeration/"),
    ("organizations", "/organisations/"),
    ("campaign", "/concertations/berges-et-friche-2026/"),
    ("observatory", "/observatoire/territoires/bramont-agglomeration/"),
    ("mesh", "/maillage/territoires/bramont-agglomeration/"),
]


def _context(browser, live_server, email: str | None, language: str, width: int = 1280):
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale="fr-FR" if language == "fr" else "en-GB",
        bypass_csp=True,  # Playwright evaluates its waiting conditions as strings
    )
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if email:
        from maillage.people.models import Person

        client = Client()
        client.force_login(Person.objects.get(email=email))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        )
    context.add_cookies(cookies)
    return context


def _links(page, base: str, here: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        if href.startswith(("mailto:", "tel:", "#")):
            continue
        absolute = urlparse(urljoin(base + here, href))
        if absolute.netloc != urlparse(base).netloc:
            continue
        if absolute.path.startswith(SKIP_PREFIXES) or absolute.path.endswith(SKIP_SUFFIXES):
            continue
        found.append(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return found


def _crawl(context, base: str, label: str, *, check_all: bool) -> tuple[int, int, list[str]]:
    """Follow the links from the home page; return (opened, fetched, problems).

    With ``check_all``, every link is fetched (dead links) and axe runs on each opened page;
    without, only the first page of each view is opened and watched for errors (the second
    language of a role: the same pages, other words).
    """
    page = context.new_page()
    watcher = Watcher(page, base, "")
    # A page of ours must load everything it asks for, wherever it comes from.
    watcher.any_origin = True
    origin = urlparse(base).netloc
    problems: list[str] = []
    opened_per_view: dict[str, int] = defaultdict(int)
    # pytest-django's live server speaks WSGI only: the co-writing websocket cannot open there
    # (it is tested on a real server in cowriting/tests), so its failures are not counted.
    websocket = f"{origin}/ws/"
    queue, seen = ["/"], {"/"}
    referrer: dict[str, str] = {}
    opened = fetched = 0
    while queue:
        path = queue.pop(0)
        try:
            view = resolve(urlparse(path).path).view_name
        except Resolver404:
            problems.append(f"{label} {path}: dead link (no such page) from {referrer.get(path)}")
            continue
        if opened_per_view[view] >= OPENED_PER_VIEW:
            if not check_all:
                continue
            fetched += 1
            status = context.request.get(base + path, max_redirects=5).status
            if status >= 400:
                problems.append(f"{label} {path}: HTTP {status} from {referrer.get(path)}")
            continue
        watcher.take()  # what a page skipped above left behind is not this page's
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # a link that downloads a file is not a page
            if "Download is starting" not in str(error):
                raise
            status = context.request.get(base + path).status
            if status >= 400:
                problems.append(f"{label} {path}: HTTP {status} from {referrer.get(path)}")
            continue
        page.wait_for_load_state("load")
        opened += 1
        opened_per_view[view] += 1
        if response is None or response.status >= 400:
            status = response.status if response else "?"
            problems.append(f"{label} {path}: HTTP {status} from {referrer.get(path)}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        if check_all:
            problems.extend(f"{label} {path}: {v}" for v in watcher.axe_violations(WCAG_TAGS, 2))
        problems.extend(f"{label} {path}: {e}" for e in watcher.take() if websocket not in e)
        for link in _links(page, base, path):
            if link not in seen:
                seen.add(link)
                referrer[link] = path
                queue.append(link)
    page.close()
    return opened, fetched, problems


def test_three_roles_in_two_languages_follow_every_link_without_error_or_violation(
    live_server,
) -> None:
    from maillage.demo import build_demo

    build_demo(quiet=True)
    start = time.monotonic()
    problems: list[str] = []
    totals: dict[str, tuple[int, int]] = {}
    with chromium() as browser:
        for role, email in ROLES:
            for language in ("fr", "en"):
                context = _context(browser, live_server, email, language)
                label = f"{role}/{language}"
                opened, fetched, found = _crawl(
                    context, live_server.url, label, check_all=language == "fr"
                )
                totals[label] = (opened, fetched)
                print(f"{label}: {opened} opened, {fetched} fetched, {len(found)} problems")
                print("\n".join(found[:20]), flush=True)
                problems.extend(found)
                context.close()
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 390):
            context = _context(browser, live_server, None, "fr", width)
            page = context.new_page()
            for name, path in MAIN_PAGES:
                assert page.goto(live_server.url + path).status == 200, path
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(SHOTS / f"{name}-fr-{width}.png"), full_page=width == 390)
            context.close()
    elapsed = time.monotonic() - start
    summary = ", ".join(f"{k}: {o} opened + {f} fetched" for k, (o, f) in totals.items())
    print(f"crawl in {elapsed:.0f} s — {summary}")
    assert all(opened >= 30 for opened, _ in totals.values()), summary
    assert not problems, "\n".join(problems[:80])
