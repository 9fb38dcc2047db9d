"""The observatory pages on a phone: axe-core finds nothing, nothing is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maillage.core.tests.browser import AXE, chromium, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def _violations(page: Any) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def test_the_observatory_pages_have_no_accessibility_violation_on_a_phone(
    browser: Any, live_server: Any, analysed: Any, campaign: Any, personas: Any
) -> None:
    from maillage.observatory.services import analysis_queue, analysis_run_pending

    analysis_queue(territory=personas.commune, wake=False, parameters={"n_themes": 3})
    analysis_run_pending()
    signal = analysed.signals.order_by("-visibility_increase").first()
    paths = [
        reverse("observatory:campaign", args=[campaign.slug]),
        reverse("observatory:campaign", args=[campaign.slug]) + f"?period={analysed.periods[1]}",
        reverse("observatory:territory", args=[personas.commune.slug]),
        reverse("observatory:territory", args=[personas.region.slug]),
        reverse("observatory:signal", args=[signal.pk]),
    ]
    problems = []
    for person in (None, personas.facilitator):
        if person is None:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, bypass_csp=True, locale="fr-FR"
            )
        else:
            context = logged_in_context(browser, live_server, person)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            problems += [f"{person} {path}: axe {v}" for v in _violations(page)]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 2:
                widest = page.evaluate(
                    "Array.from(document.querySelectorAll('main *')).filter(e => "
                    "e.getBoundingClientRect().right > window.innerWidth + 2 && !e.closest('.table-scroll')).slice(0, 5)"
                    ".map(e => e.tagName + '.' + e.className + '#' + e.id)"
                )
                problems.append(f"{person} {path}: {overflow}px wider than a phone: {widest}")
        problems += [f"{person}: JavaScript error {e}" for e in errors]
        context.close()
    assert not problems, "\n".join(problems)
