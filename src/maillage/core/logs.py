"""Logs as JSON lines (``MAILLAGE_LOG_FORMAT=json``), each with the id of its request.

A request's id comes from the ``X-Request-ID`` header a trusted proxy set (nginx:
``$request_id``), else is made here; it is sent back in the response, so one line in the
proxy's log leads to the application's lines of the same request. Log messages name records by
id, never a person by email or name (a test signs in and contributes and reads every line).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("maillage_request_id", default="")
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in ("" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx or 5xx response after the middleware chain has returned, with the
        # request attached: its id is read from there.
        attached = getattr(getattr(record, "request", None), "request_id", "")
        record.request_id = request_id.get() or attached
        return True


class AnonymousAccessFilter(logging.Filter):
    """uvicorn's request lines without the client's address or the query string.

    uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` (client, method, path and query, version, status)
    and ``'%s - "WebSocket %s" ...'`` (client, path and query). An address is personal data, and
    a query string may hold an email or a token: the line keeps the method, path and status.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("%s - ")
            and isinstance(args, tuple)
        ):
            kept: list[object] = ["-", *args[1:]]
            at = 2 if len(kept) == 5 else 1  # where the path is
            path = kept[at] if len(kept) > at else None
            if isinstance(path, str):
                kept[at] = path.split("?", 1)[0]
            record.args = tuple(kept)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        current = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        request.request_id = current  # type: ignore[attr-defined]
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = current
        return response
