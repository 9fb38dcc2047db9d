"""The same-origin walk shared by the page matrix and the injection corpus: from the home page,
every link and form action, breadth-first, one visit per view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

from django.urls import Resolver404, resolve


@dataclass(frozen=True)
class Visit:
    """The first path found for a view, and what it answered."""

    view_name: str
    path: str
    status_code: int
    is_html: bool
    is_download: bool


def links(html: str) -> list[str]:
    """Return the targets of the page's links (``<a href>``) and forms (``<form action>``)."""
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attributes = dict(attrs)
            if tag == "a" and attributes.get("href"):
                found.append(attributes["href"] or "")
            elif tag == "form" and attributes.get("action"):
                found.append(attributes["action"] or "")

    Parser().feed(html)
    return found


def crawl(client: Any, *, skip: Iterable[str] = (), start: str = "/") -> list[Visit]:
    """Return one visit per view, as ``client`` reaches them following same-origin links.

    A view is opened once, on the first path found for it (pages of one view differ by their
    data, not their make-up); only a page answering 200 in HTML is read for more links. Paths
    starting with one of ``skip`` are not followed.
    """
    skipped = tuple(skip)
    visits: list[Visit] = []
    views: set[str] = set()
    queue, seen = [start], {start}
    while queue:
        path = queue.pop(0)
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if name in views:
            continue
        views.add(name)
        response = client.get(path)
        is_html = "html" in response.get("Content-Type", "")
        download = "attachment" in response.get("Content-Disposition", "")
        visits.append(Visit(name, path, response.status_code, is_html, download))
        if response.status_code != 200 or not is_html:
            continue
        for href in links(response.content.decode()):
            url = urlparse(href)
            if url.netloc or not url.path.startswith("/") or url.path.startswith(skipped):
                continue
            if url.path not in seen:
                seen.add(url.path)
                queue.append(url.path)
    return visits
