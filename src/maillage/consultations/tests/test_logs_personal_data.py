"""JSON-lines logs: one object a line with its request id, and no email or name in them.

Every logger is read at DEBUG level while a person signs in (once with a wrong password) and
contributes with a contact email, and while a missing page is asked.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from maillage.conftest import PASSWORD
from maillage.consultations.tests.test_pages import _form
from maillage.core.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

NAME = "Inès Martin-Duval"
CONTACT = "ines.martin-duval@example.org"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_no_email_or_name_reaches_the_logs_on_a_login_and_a_contribution(
    client: Any, personas: Any, campaign: Any, log_lines: io.StringIO
) -> None:
    person = personas.participant
    person.display_name = NAME
    person.save(update_fields=["display_name"])
    login = reverse("people:login")
    wrong = client.post(login, {"username": person.email, "password": "not-the-password"})
    assert wrong.status_code == 200
    right = client.post(login, {"username": person.email, "password": PASSWORD})
    assert right.status_code == 302
    form = _form(campaign, personas.site, contact_email=CONTACT)
    contributed = client.post(f"/concertations/{campaign.slug}/contribuer/", form)
    assert contributed.status_code == 302
    missing = client.get(f"/concertations/{campaign.slug}/nulle-part/")
    assert missing.status_code == 404

    lines = log_lines.getvalue().splitlines()
    assert lines, "the missing page at least is logged"
    entries = [json.loads(line) for line in lines]
    assert all(set(e) >= {"time", "level", "logger", "message", "request_id"} for e in entries)
    not_found = [e for e in entries if e["logger"] == "django.request"]
    assert not_found and not_found[-1]["request_id"] == missing["X-Request-ID"]
    text = log_lines.getvalue()
    for secret in (person.email, CONTACT, NAME, json.dumps(NAME)[1:-1], "Martin-Duval"):
        assert secret not in text


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_the_server_s_request_lines_name_no_client_address_nor_query_string(
    settings: Any, log_format: str
) -> None:
    import logging.config

    config = {**settings.LOGGING}
    config["handlers"] = {"console": {**config["handlers"]["console"], "formatter": log_format}}
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        # As uvicorn writes them (protocols/http and protocols/websockets).
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "203.0.113.77:51234",
            "GET",
            "/connexion/?email=ines%40example.org&next=/",
            "1.1",
            200,
        )
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "198.51.100.4:40000", "/ws/cowriting/7/?token=s3cret"
        )
    finally:
        logging.config.dictConfig(settings.LOGGING)
    text = stream.getvalue()
    if log_format == "json":
        text = "\n".join(json.loads(line)["message"] for line in text.splitlines())
    assert '"GET /connexion/ HTTP/1.1" 200' in text
    assert '"WebSocket /ws/cowriting/7/" [accepted]' in text
    for secret in ("203.0.113.77", "198.51.100.4", "ines", "s3cret", "email="):
        assert secret not in text
