"""A browser page that remembers what went wrong: console errors, page errors, failed requests
to our own origin (4xx/5xx or network failures), and axe-core's WCAG 2.1 AA violations.

A journey test opens its pages through ``watched_page`` and calls ``check(page)`` after each
step; the step's name makes the failure readable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from maillage.core.tests.browser import AXE, failed

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = os.environ.get("MAILLAGE_SHOTS", "")


@dataclass
class Watch:
    origin: str
    problems: list[str] = field(default_factory=list)

    def same_origin(self, url: str) -> bool:
        return urlparse(url).netloc == urlparse(self.origin).netloc


def watched_page(context: Any, origin: str) -> tuple[Any, Watch]:
    """Return a new page of ``context`` and the record of what goes wrong on it."""
    page = context.new_page()
    watch = Watch(origin)
    page.on(
        "console",
        lambda msg: msg.type == "error" and watch.problems.append(f"console: {msg.text}"),
    )
    page.on("pageerror", lambda error: watch.problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            watch.same_origin(request.url)
            and failed(request)
            and watch.problems.append(f"failed: {request.url} {request.failure}")
        ),
    )

    def on_response(response: Any) -> None:
        # A form refused with 422 is an answer the journey expects, not a failure.
        if watch.same_origin(response.url) and response.status >= 400 and response.status != 422:
            watch.problems.append(f"HTTP {response.status}: {response.url}")

    page.on("response", on_response)
    return page, watch


def check(page: Any, watch: Watch, step: str, shot: str = "") -> None:
    """Fail on anything recorded so far or on an axe violation of the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = [
        f"axe {v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]
    ]
    problems = watch.problems + violations
    watch.problems = []
    assert not problems, f"{step} ({page.url}): {problems}"
    if SHOTS and shot:  # to look at the pages: MAILLAGE_SHOTS=/tmp/shots pytest …
        os.makedirs(SHOTS, exist_ok=True)
        size = page.viewport_size
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            page.screenshot(path=os.path.join(SHOTS, f"{shot}-{width}.png"), full_page=True)
        page.set_viewport_size(size)
