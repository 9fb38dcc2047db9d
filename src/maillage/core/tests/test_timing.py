"""Server-Timing: off unless asked, and when on it splits app, Django and database time."""

from __future__ import annotations

import asyncio

import pytest

from maillage.asgi import application
from maillage.core import timing


@pytest.mark.django_db
def test_no_server_timing_header_is_sent_when_the_setting_is_off(client, settings):
    settings.SERVER_TIMING = False
    response = client.get("/")
    assert response.status_code == 200
    assert "Server-Timing" not in response.headers


@pytest.mark.django_db
def test_the_django_and_database_times_are_sent_with_the_query_count(client, settings):
    settings.SERVER_TIMING = True
    response = client.get("/")
    assert response.status_code == 200
    entries = timing.parse(response.headers["Server-Timing"])
    assert set(entries) == {"django", "db"}
    assert entries["django"] > 0
    assert 0 <= entries["db"] <= entries["django"]
    assert 'queries"' in response.headers["Server-Timing"]


def _asgi_get(path: str) -> list[dict]:
    """Drive the real ASGI application with one GET and return the messages it sent."""
    sent: list[dict] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    requested = []

    async def receive() -> dict:
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected until Django cancels this
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    return sent


@pytest.mark.django_db(transaction=True)
def test_the_asgi_application_adds_its_own_time_which_covers_django_time(settings):
    settings.SERVER_TIMING = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    start = _asgi_get("/")[0]
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    values = [
        value.decode() for name, value in start["headers"] if name.lower() == b"server-timing"
    ]
    assert len(values) == 1, "one header carries every entry"
    entries = timing.parse(values[0])
    assert {"app", "django", "db"} <= set(entries)
    assert entries["app"] >= entries["django"] > 0


@pytest.mark.django_db(transaction=True)
def test_the_asgi_application_adds_nothing_when_the_setting_is_off(settings):
    settings.SERVER_TIMING = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    start = _asgi_get("/")[0]
    assert start["status"] == 200
    assert all(name.lower() != b"server-timing" for name, _value in start["headers"])


def test_a_server_timing_header_is_parsed_entry_by_entry_and_tolerates_bad_values():
    parsed = timing.parse('app;dur=12.5, db;dur=3;desc="4 queries", cache, x;dur=oops')
    assert parsed == {"app": 12.5, "db": 3.0, "cache": 0.0, "x": 0.0}
