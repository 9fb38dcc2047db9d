"""Shared by the browser tests: Debian's Chromium driven by Playwright, axe-core from npm."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[4]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a Playwright browser on Debian's Chromium, with Django's ORM usable meanwhile.

    Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    make are still synchronous, so Django's async-safety guard is lifted while it runs.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs it with apt-get (package chromium)")
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs the npm packages (npm ci)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield instance
            finally:
                instance.close()


def logged_in_context(browser: Any, live_server: Any, person: Any) -> Any:
    """Return a phone-sized browser context logged in as ``person`` on the live server."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(person)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        bypass_csp=True,  # Playwright evaluates its waiting conditions as strings
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context
