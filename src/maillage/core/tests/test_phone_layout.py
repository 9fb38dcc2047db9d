"""On a phone (390 × 844) the header folds its menu, nothing scrolls sideways, the form shows.

A field agent holds a phone in one hand and an inhabitant's attention in the other: the menu
must fold behind one button, and the capture form's first field must be on the first screen.
Screenshots of each page are saved under var/screenshots/ (French, 390 px) for people to look at.
"""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import REPO, Watcher, chromium, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = REPO / "var" / "screenshots"
# The brand and the menu button on one row, with room for a bigger system font.
MAX_HEADER_HEIGHT = 80


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def demo(db):
    from maillage.demo import build_demo

    build_demo(quiet=True)


def _phone_context(browser, live_server, email: str | None = None):
    if email is None:
        return browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR", bypass_csp=True
        )
    from maillage.people.models import Person

    return logged_in_context(browser, live_server, Person.objects.get(email=email))


def _open(context, url: str):
    """Return the page at ``url`` and the list of what goes wrong on it (console, requests)."""
    page = context.new_page()
    watcher = Watcher(page, url, "")
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    return page, watcher.problems


def _check_phone_layout(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-fr-390.png"))
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= MAX_HEADER_HEIGHT, (name, header)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide, the phone has {PHONE['width']}"
    assert not page.locator("#site-menu").is_visible(), f"{name}: the menu is not folded"


def test_the_home_page_folds_its_menu_behind_a_button_on_a_phone(
    browser, live_server, demo
) -> None:
    context = _phone_context(browser, live_server)
    page, errors = _open(context, live_server.url + "/")
    _check_phone_layout(page, "home")
    button = page.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Territoires").is_visible()
    page.screenshot(path=str(SHOTS / "home-menu-open-fr-390.png"))
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    assert errors == []
    context.close()


def test_a_campaign_and_its_field_capture_form_fit_a_phone_with_the_first_field_on_screen(
    browser, live_server, demo
) -> None:
    from maillage.demo.foundation import DEMO_DOMAIN

    campaign = live_server.url + "/concertations/berges-et-friche-2026/"
    context = _phone_context(browser, live_server)
    page, errors = _open(context, campaign)
    _check_phone_layout(page, "campaign")
    assert errors == []
    context.close()

    context = _phone_context(browser, live_server, f"agent1@{DEMO_DOMAIN}")
    page, errors = _open(context, campaign + "terrain/")
    _check_phone_layout(page, "field-capture")
    first_field = page.locator("#site").bounding_box()
    assert first_field is not None
    assert first_field["y"] + first_field["height"] <= PHONE["height"], first_field
    assert errors == []
    context.close()


def test_without_javascript_the_phone_menu_stays_open_and_usable(browser, live_server) -> None:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("#site-menu").is_visible()
    assert page.get_by_role("link", name="Territoires").is_visible()
    assert not page.locator(".menu-button").is_visible()
    context.close()


def _main_pages() -> list[tuple[str, str]]:
    """Return (name, path) of the main pages of the demo, one per journey."""
    from maillage.cowriting.models import PublishedVersion
    from maillage.decisions.models import Decision
    from maillage.opinions.models import Conversation
    from maillage.workshops.models import Workshop

    return [
        ("home", "/"),
        ("territory", "/territoires/bramont-agglomeration/"),
        ("campaign", "/concertations/berges-et-friche-2026/"),
        ("follow-up", "/concertations/espaces-publics-2025/suites/"),
        ("workshop", Workshop.objects.order_by("starts_at").last().get_absolute_url()),
        ("decision", Decision.objects.filter(state="consent").first().get_absolute_url()),
        ("publication", PublishedVersion.objects.first().get_absolute_url()),
        ("conversation", Conversation.objects.first().get_absolute_url()),
        ("accessibility", "/accessibilite/"),
    ]


def test_the_main_pages_in_french_at_1280_and_390_px_pass_axe_and_are_photographed(
    browser, live_server, demo
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width in (1280, 390):
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > PHONE["width"] else 844},
            is_mobile=width == PHONE["width"],
            locale="fr-FR",
            bypass_csp=True,
        )
        page = context.new_page()
        watcher = Watcher(page, live_server.url, f"{width}px")
        for name, path in _main_pages():
            watcher.goto(path, name)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SHOTS / f"{name}-fr-{width}.png"), full_page=True)
        problems += watcher.problems
        context.close()
    assert problems == [], "\n".join(problems)
