"""Shared by the browser tests: Debian's Chromium driven by Playwright, axe-core from npm."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[4]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
# The browser's locale for each language of the interface: its Accept-Language chooses the page's.
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
# Function words only French uses: in English, one of them on a page is a string left untranslated.
FRENCH_WORDS = re.compile(
    r"\b(les|des|une|est|pour|avec|vous|votre|aucun|aucune|cette|être|à|où|déjà)\b", re.I
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def failed(request: Any) -> bool:
    """Return whether a failed request is a failure of the page (not a fetch the browser dropped).

    Chromium aborts what is still loading when the page navigates on (often the favicon): that
    is the browser's choice, not an error of ours.
    """
    return request.failure != "net::ERR_ABORTED"


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


def say(language: str, text: str, **values: Any) -> str:
    """Return the interface text ``text`` (its English source) as a page in ``language`` shows it.

    Tests find buttons and messages by these words rather than by French literals, so that one
    journey runs in both languages.
    """
    from django.utils import translation

    with translation.override(language):
        said = translation.gettext(text)
    return said % values if values else said


def logged_in_context(browser: Any, live_server: Any, person: Any, language: str = "fr") -> Any:
    """Return a phone-sized browser context logged in as ``person`` on the live server, its
    locale that of ``language``."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(person)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale=LOCALES[language],
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


JOURNEY_WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Set MAILLAGE_SHOTS to a folder to keep a screenshot of every page a journey checks.
JOURNEY_SHOTS = os.environ.get("MAILLAGE_SHOTS", "")


class Watcher:
    """Follow a page: console errors, failed same-origin requests, axe on each page seen.

    Every browser test watches its pages through this class. A test with its own rules sets
    them on the instance: ``expected_statuses`` (a form refused with 422 is an answer the
    journey expects), ``any_origin`` (a crawl counts failed requests to any origin), or
    ``problems`` to a list shared by several watchers.

    A test that sets ``language`` ("fr" or "en") also fails on the other language's interface
    texts on a page (see :func:`untranslated`); ``data`` lists what people typed (names, titles),
    which is no interface text and is left out of that check.
    """

    expected_statuses: frozenset[int] = frozenset()
    any_origin = False
    language = ""
    data: Sequence[str] = ()

    def __init__(self, page: Any, base: str, who: str) -> None:
        self.page, self.base, self.who = page, base, who
        self.problems: list[str] = []
        self.host = urlparse(base).netloc
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.note(f"JavaScript: {e}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def note(self, problem: str) -> None:
        """Record a problem, prefixed with who met it."""
        self.problems.append(f"{self.who} {problem}" if self.who else problem)

    def ours(self, url: str) -> bool:
        """Return whether ``url`` is on the origin under test."""
        return urlparse(url).netloc == self.host

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.note(f"console: {message.text} (on {self.page.url})")

    def _request_failed(self, request: Any) -> None:
        if (self.any_origin or self.ours(request.url)) and failed(request):
            self.note(f"request failed: {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if (
            self.ours(response.url)
            and response.status >= 400
            and response.status not in self.expected_statuses
        ):
            self.note(f"HTTP {response.status}: {response.url}")

    def take(self) -> list[str]:
        """Return the problems recorded so far and start a new record."""
        problems, self.problems[:] = list(self.problems), []
        return problems

    def axe_violations(
        self, tags: Sequence[str] = tuple(JOURNEY_WCAG_TAGS), nodes: int = 3
    ) -> list[str]:
        """Return axe-core's violations on the current page (the first ``nodes`` targets each)."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            list(tags),
        )
        return [
            f"axe {violation['id']} {[n['target'] for n in violation['nodes'][:nodes]]}"
            for violation in result["violations"]
        ]

    def assert_clean(self, step: str) -> None:
        """Fail on anything recorded so far or on an axe violation of the current page."""
        problems = self.take() + self.axe_violations() + self.untranslated()
        assert not problems, f"{step} ({self.page.url}): {problems}"

    def check(self, name: str) -> None:
        """Run axe on the current page and keep a screenshot when asked to."""
        for violation in self.axe_violations():
            self.note(f"{name}: {violation}")
        for left in self.untranslated():
            self.note(f"{name}: {left}")
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 2:
            self.note(f"{name}: {overflow}px wider than the screen")
        if JOURNEY_SHOTS:
            os.makedirs(JOURNEY_SHOTS, exist_ok=True)
            self.page.screenshot(path=f"{JOURNEY_SHOTS}/{self.who}-{name}.png", full_page=True)

    def untranslated(self) -> list[str]:
        """Return the other language's texts on the current page, when the test set a language."""
        if not self.language:
            return []
        return untranslated(self.page, self.language, self.data)

    def goto(self, path: str, name: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(name)

    def submit(self, selector: str, name: str | None = None) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        if name:
            self.check(name)


def untranslated(
    page: Any, language: str, data: Sequence[str] = (), scope: str = "body"
) -> list[str]:
    """Return what shows on ``page`` in the other language than ``language``, the page's own.

    In English: the French translations of interface texts, and French function words; in
    French: the English interface texts that French translates. ``data`` (what people typed:
    names, places, titles) is taken out of the page's text first.
    """
    text = page.inner_text(scope)
    for typed in sorted(data, key=len, reverse=True):
        text = text.replace(typed, "")
    foreign = _french_pieces() if language == "en" else _english_pieces()
    left = sorted(piece for piece in foreign if piece in text)
    words = sorted({m.group(0) for m in FRENCH_WORDS.finditer(text)}) if language == "en" else []
    if not (left or words):
        return []
    return [f"not in {language}: catalogue {left[:5]} words {words[:5]}"]


@functools.cache
def _french_pieces() -> frozenset[str]:
    return frozenset(french_catalogue())


@functools.cache
def _english_pieces() -> frozenset[str]:
    return frozenset(english_catalogue())


def french_catalogue(shortest: int = 12) -> set[str]:
    """Return the French translations of the interface texts, as they would show on a page.

    On a page served in English, one of them is a text translated in the wrong language (at
    import time, say) or cached across languages. Texts with placeholders are cut at them, and
    short ones are left out: they are too often words the two languages share.
    """
    return _catalogue_pieces(french=True, shortest=shortest)


def english_catalogue(shortest: int = 12) -> set[str]:
    """Return the English interface texts that French shows otherwise: on a French page, one of
    them is a text left untranslated (or translated in the wrong language)."""
    return _catalogue_pieces(french=False, shortest=shortest)


def _catalogue_pieces(*, french: bool, shortest: int) -> set[str]:
    import gettext

    with open(REPO / "src/maillage/locale/fr/LC_MESSAGES/django.mo", "rb") as mo:
        # The compiled catalogue maps each English text (or (text, plural form)) to French.
        catalogue = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    pairs = [(k[0] if isinstance(k, tuple) else k, text) for k, text in catalogue.items()]
    pairs = [(english, text) for english, text in pairs if english and text != english]
    other = "\n".join(english if french else text for english, text in pairs)
    found: set[str] = set()
    for english, text in pairs:
        for piece in re.split(
            r"%\(\w+\)[sdr]|%[sd]|\{[^}]*\}|<[^>]*>|\n", text if french else english
        ):
            piece = piece.strip(" .,:;«»()“”")
            # A piece the other language's texts also hold ("contributions") proves nothing.
            if len(piece) >= shortest and piece not in other:
                found.add(piece)
    return found
