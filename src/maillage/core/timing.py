"""``Server-Timing`` headers: where a request's time went, as seen by the server.

Off by default (timings tell an observer a little about the data behind a page); on with
``MAILLAGE_SERVER_TIMING=1`` or in DEBUG. Two layers fill the header:

- ``ServerTimingASGI`` wraps the HTTP application of ``maillage.asgi``. Its ``app`` entry runs
  from the moment the server hands the request to the application to the moment the response
  headers leave it: the event loop, the hand-over to Django's thread and Django's own work;
- ``ServerTimingMiddleware`` (Django) adds ``wait`` (from the hand-over to the start of
  Django's thread: the event loop and the thread pool's queue), ``django`` (the middleware
  chain and the view, in Django's thread) and ``db`` (time inside SQL statements, with their count), so a client or a
  benchmark can tell the server's time from its own, and the database's from Python's.

A streamed response's ``app`` entry stops at its headers: the body's time is the client's to see.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

# What Django's ASGIHandler declares: a dict scope, messages it only reads.
Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def enabled() -> bool:
    return bool(getattr(settings, "SERVER_TIMING", False))


class ServerTimingASGI:
    """Append ``app;dur=<ms>`` to the ``Server-Timing`` header of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not enabled():
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        scope = {**scope, "maillage.began": began}

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - began) * 1000
                entry = f"app;dur={elapsed:.1f}".encode()
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"server-timing":  # one header, Django's entries after
                        entry = entry + b", " + value
                    else:
                        headers.append((name, value))
                headers.append((b"server-timing", entry))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


class _QueryTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.count += 1


class ServerTimingMiddleware:
    """Add ``django;dur=<ms>`` and ``db;dur=<ms>;desc="<n> queries"`` when timing is on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        timer = _QueryTimer()
        began = time.perf_counter()
        with connections["default"].execute_wrapper(timer):
            response = self.get_response(request)
        elapsed = (time.perf_counter() - began) * 1000
        entries = []
        asgi_began = getattr(request, "scope", {}).get("maillage.began")
        if asgi_began is not None:  # from the ASGI hand-over to Django's thread
            entries.append(f"wait;dur={(began - asgi_began) * 1000:.1f}")
        entries += [
            f"django;dur={elapsed:.1f}",
            f'db;dur={timer.seconds * 1000:.1f};desc="{timer.count} queries"',
        ]
        previous = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = ", ".join([previous, *entries] if previous else entries)
        return response


def parse(header: str) -> dict[str, float]:
    """Return ``{name: milliseconds}`` from a ``Server-Timing`` header (entries without dur: 0)."""
    result: dict[str, float] = {}
    for entry in header.split(","):
        parts = [part.strip() for part in entry.split(";")]
        if not parts[0]:
            continue
        duration = 0.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "dur":
                try:
                    duration = float(value)
                except ValueError:
                    duration = 0.0
        result[parts[0]] = duration
    return result
