"""A browser page that remembers what went wrong: console errors, page errors, failed requests
to our own origin (4xx/5xx or network failures), and axe-core's WCAG 2.1 AA violations.

A journey test opens its pages through ``watched_page`` and calls ``check(page)`` after each
step; the step's name makes the failure readable. The watching itself is
:class:`~maillage.core.tests.browser.Watcher`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from maillage.core.tests.browser import Watcher

SHOTS = os.environ.get("MAILLAGE_SHOTS", "")


def watched_page(
    context: Any, origin: str, language: str = "", data: Sequence[str] = ()
) -> tuple[Any, Watcher]:
    """Return a new page of ``context`` and the record of what goes wrong on it.

    With a ``language``, a page showing the other language's interface texts is wrong too;
    ``data`` is what the people typed, left out of that check.
    """
    page = context.new_page()
    watch = Watcher(page, origin, "")
    watch.language, watch.data = language, data
    # A form refused with 422 is an answer the journey expects, not a failure.
    watch.expected_statuses = frozenset({422})
    return page, watch


def check(page: Any, watch: Watcher, step: str, shot: str = "") -> None:
    """Fail on anything recorded so far or on an axe violation of the current page."""
    watch.assert_clean(step)
    if SHOTS and shot:  # to look at the pages: MAILLAGE_SHOTS=/tmp/shots pytest …
        os.makedirs(SHOTS, exist_ok=True)
        size = page.viewport_size
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            page.screenshot(path=os.path.join(SHOTS, f"{shot}-{width}.png"), full_page=True)
        page.set_viewport_size(size)
