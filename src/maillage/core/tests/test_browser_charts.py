"""Browser test: every page of the demo that carries a chart draws it in French, error-free.

A chart whose numbers were localized (``cx="253,1"``) logs one console error per attribute and
draws nothing; this opens each chart page in French at a desktop and a phone width, fails on
any console or page error, checks that the charts have drawn marks, and keeps a screenshot of
each page under the test's temporary folder (``charts/``) for a person to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from maillage.core.tests.browser import chromium
from maillage.core.tests.charts_check import demo_chart_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
# Drawn marks of a chart: shapes that a rejected coordinate would leave empty.
DRAWN_MARKS = """
els => els.map(svg => [...svg.querySelectorAll('rect, circle, path, polyline, line')]
    .filter(mark => { const box = mark.getBBox(); return box.width > 0 || box.height > 0; })
    .length)
"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def _context(browser: Any, live_server: Any, size: tuple[int, int], person: Any) -> Any:
    """Return a French browser context of ``size``, logged in as ``person`` when given."""
    from django.conf import settings
    from django.test import Client

    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=width < 600,
        has_touch=width < 600,
        locale="fr-FR",
        bypass_csp=True,  # Playwright evaluates its waiting conditions as strings
    )
    if person is not None:
        client = Client()
        client.force_login(person)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


def test_every_chart_page_draws_in_french_without_a_console_error(
    browser, live_server, tmp_path
) -> None:
    from maillage.demo import build_demo
    from maillage.people.models import Person

    build_demo(quiet=True)
    pages = demo_chart_pages()
    shots = tmp_path / "charts"
    shots.mkdir()
    problems: list[str] = []
    for size_name, size in SIZES.items():
        contexts: dict[str | None, Any] = {}
        for page in pages:
            if page.login not in contexts:
                person = Person.objects.get(email=page.login) if page.login else None
                contexts[page.login] = _context(browser, live_server, size, person)
            tab = contexts[page.login].new_page()
            errors: list[str] = []
            tab.on(
                "console",
                lambda message, errors=errors: (
                    errors.append(message.text) if message.type == "error" else None
                ),
            )
            tab.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            response = tab.goto(live_server.url + page.path)
            tab.wait_for_load_state("networkidle")
            where = f"{size_name} {page.path}"
            if response is None or response.status != 200:
                problems.append(f"{where}: HTTP {response.status if response else '?'}")
            if tab.evaluate("document.documentElement.lang") != "fr":
                problems.append(f"{where}: not in French")
            marks = tab.eval_on_selector_all("svg.chart", DRAWN_MARKS)
            if not marks or not all(marks):
                problems.append(f"{where}: a chart drew no mark ({marks})")
            problems += [f"{where}: console error {e}" for e in errors[:5]]
            name = re.sub(r"[^a-z0-9]+", "-", page.path.lower()).strip("-")
            tab.screenshot(path=str(shots / f"{size_name}-{name}.png"), full_page=True)
            tab.close()
        for context in contexts.values():
            context.close()
    assert len(list(shots.glob("*.png"))) == 2 * len(pages)
    assert problems == [], "\n".join(problems)
