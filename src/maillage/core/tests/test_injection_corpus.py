"""The injection corpus: ~100 XSS payloads in every rendered field, checked in Chromium.

The payloads (``xss_payloads.txt``) are written straight into the demo's database, past the
services' sanitizer (``core/tests/test_sanitize.py`` covers that): what is tested here is that
every page, map tooltip and popup, chart and export escapes what it shows. Each payload that
runs calls ``__xss(n)`` or opens a dialog; each element it could inject carries the class or id
``xssmark``. Every page the platform admin, an inhabitant taking part and a visitor each reach
from the home page is opened in Chromium as them, its map shapes hovered and clicked; none may
run a payload, open a dialog or hold a marked element. The CSV exports must neutralise cells a
spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.core.tests.crawl import crawl, links

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    line
    # split on newlines only: some payloads hold the form feed and vertical tab splitlines cuts at
    for line in (Path(__file__).with_name("xss_payloads.txt")).read_text().split("\n")
    if line and not line.startswith("#")
]
# (model, field) shown on pages, maps, charts and exports.
FIELDS = [
    ("consultations.Campaign", "title"),
    ("consultations.Campaign", "description"),
    ("consultations.Campaign", "open_question"),
    ("consultations.Contribution", "text"),
    ("consultations.Response", "title"),
    ("consultations.Response", "text"),
    ("opinions.Conversation", "topic"),
    ("opinions.Conversation", "description"),
    ("opinions.Statement", "text"),
    ("decisions.Circle", "name"),
    ("decisions.Circle", "purpose"),
    ("decisions.Decision", "title"),
    ("decisions.DecisionVersion", "text"),
    ("organizations.Organization", "name"),
    ("organizations.Organization", "mission"),
    ("organizations.Organization", "description"),
    ("territories.Territory", "name"),
    ("territories.Territory", "description"),
    ("workshops.Workshop", "title"),
    ("workshops.Workshop", "description"),
    ("workshops.Workshop", "place"),
    ("pooling.Offer", "title"),
    ("pooling.Offer", "description"),
    ("pooling.Need", "title"),
    ("pooling.Need", "description"),
    ("cowriting.SharedWork", "title"),
    ("cowriting.SharedWork", "vision"),
    ("journeys.Journey", "title"),
    ("journeys.Journey", "description"),
    ("journeys.Stage", "title"),
    ("journeys.Encounter", "place_name"),
    ("journeys.Encounter", "notes"),
    ("people.Person", "display_name"),
    ("people.Person", "bio"),
    ("observatory.Theme", "label"),
    ("observatory.WeakSignal", "term"),
]
MARKER = "() => ({ran: window.__xssRan || [], marked: document.querySelectorAll("
MARKER += "'.xssmark, #xssmark, xssmark').length})"
# Hover and click every shape of every Leaflet map: tooltips and popups are filled then.
OPEN_MAP_LAYERS = """() => {
  const shapes = [...document.querySelectorAll('.leaflet-interactive, .leaflet-marker-icon')];
  for (const shape of shapes.slice(0, 40)) {
    for (const type of ['mouseover', 'click']) {
      shape.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
    }
  }
  return shapes.length;
}"""
FORMULA_START = ("=", "+", "-", "@")


def _inject() -> int:
    """Write the payloads into every field: all of them in long texts, one each in short ones.

    Returns the number of (object, field) values written.
    """
    from django.apps import apps
    from django.db import IntegrityError, transaction

    written = 0
    for label, name in FIELDS:
        model = apps.get_model(label)
        limit = model._meta.get_field(name).max_length
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        assert pks, f"the demo holds no {label}"
        for index, pk in enumerate(pks):
            if limit is None or limit >= 2000:
                value = " ".join(PAYLOADS[index % 3 :: 3] if limit else PAYLOADS)
            else:
                value = PAYLOADS[index % len(PAYLOADS)]
            try:
                with transaction.atomic():
                    model.objects.filter(pk=pk).update(**{name: value[: limit or None]})
            except IntegrityError:
                continue  # a row that may not hold this text (notes of an unconsented encounter)
            written += 1
    return written


def _html_pages(client) -> list[str]:
    """One URL per view, as the platform admin reaches them from the home page."""
    return [
        visit.path
        for visit in crawl(client, skip=("/admin/",))
        if visit.status_code == 200 and visit.is_html and not visit.is_download
    ]


# Who browses: the platform admin reaches the most pages; an inhabitant taking part (the
# demo's member of the association) and a visitor see other templates of the public pages
# (forms to vote or contribute, sign-in prompts), each only the pages their own crawl reaches.
PERSONAS = {
    "platform admin": "admin@demo.maillage.test",
    "inhabitant": "habitante@demo.maillage.test",
    "visitor": None,
}


def _context(browser, live_server, person):
    """Return a browser context for ``person``, or a visitor's when ``person`` is None."""
    if person is not None:
        return logged_in_context(browser, live_server, person)
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        bypass_csp=True,  # as logged_in_context: Playwright evaluates its conditions as strings
    )


def test_no_payload_runs_or_injects_an_element_on_any_page(live_server, settings) -> None:
    from django.core.cache import cache
    from django.test import Client

    from maillage.demo import build_demo
    from maillage.people.models import Person

    build_demo(quiet=True)
    values = _inject()
    cache.clear()  # page parts cached while the demo was built hold the old texts
    problems: list[str] = []
    passes: dict[str, tuple[int, int]] = {}
    shapes = 0
    start = time.monotonic()
    with chromium() as browser:
        for role, email in PERSONAS.items():
            person = Person.objects.get(email=email) if email else None
            client = Client()
            if person is not None:
                client.force_login(person)
            pages = _html_pages(client)
            context = _context(browser, live_server, person)
            context.add_init_script("window.__xss = (n) => (window.__xssRan ||= []).push(n);")
            page = context.new_page()
            page.on(
                "dialog",
                lambda d, page=page, role=role: (
                    problems.append(f"{page.url} as {role}: dialog {d.message}"),
                    d.dismiss(),
                ),
            )
            if role == "platform admin":
                # The detector itself, on a page rendering the corpus unescaped: it must see it.
                page.set_content("<body>" + "".join(PAYLOADS) + "</body>")
                page.wait_for_timeout(200)
                canary = page.evaluate(MARKER)
                assert canary["ran"] and canary["marked"], canary
                problems.clear()  # the dialogs the unescaped corpus opened
            shown = 0
            for path in pages:
                response = page.goto(live_server.url + path, wait_until="load")
                if response is None or response.status != 200:
                    continue
                shown += "xssmark" in page.content()  # a payload reached this page, as text
                shapes += page.evaluate(OPEN_MAP_LAYERS)
                page.wait_for_timeout(50)
                found = page.evaluate(MARKER)
                if found["ran"] or found["marked"]:
                    problems.append(
                        f"{path} as {role}: ran {found['ran']}, {found['marked']} marked elements"
                    )
            context.close()
            passes[role] = (len(pages), shown)
    admin = Client()
    admin.force_login(Person.objects.get(email=PERSONAS["platform admin"]))
    exports = _csv_exports(admin)
    print(
        f"\ninjection corpus: {len(PAYLOADS)} payloads in {len(FIELDS)} fields ({values} values); "
        + "; ".join(f"{role}: {n} pages ({s} showing payloads)" for role, (n, s) in passes.items())
        + f"; {shapes} map shapes opened in {time.monotonic() - start:.0f} s, "
        f"{len(exports)} CSV exports read"
    )
    for problem in problems + [p for _, p in exports if p]:
        print("  ", problem)
    assert problems == []
    for role, (count, shown) in passes.items():
        assert count > 0, f"{role} reached no page"
        assert shown >= count // 2, f"the payloads should reach most of {role}'s pages"
    assert [p for _, p in exports if p] == []


def _csv_exports(client) -> list[tuple[str, str]]:
    """Read every CSV the open-data catalogue and the mesh offer; report formula-like cells."""
    paths = {
        urlparse(href).path
        for index in ("/open-data/", "/maillage/territoires/bramont-agglomeration/")
        for href in links(client.get(index).content.decode())
        if urlparse(href).path.endswith(".csv")
    }
    assert paths, "no CSV export found"
    results = []
    for path in sorted(paths):
        response = client.get(path)
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        bad = [cell for row in rows[1:] for cell in row if cell.startswith(FORMULA_START)]
        bad = [cell for cell in bad if not _is_number(cell)]
        results.append((path, f"{path}: formula cells {bad[:3]}" if bad else ""))
    return results


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
