"""Text no database can store (a NUL, a lone surrogate) gets a 400 naming where it is, never a
500: PostgreSQL refuses NUL in any query, so these run on both databases."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from maillage.people.services import api_token_create

QUERY = "?q=a%00b&page=a%00b&search=a%00b&territory=a%00b&kind=a%00b"


def every_get_route() -> list[str]:
    """Return every route of the URL configuration, its parameters filled with a NUL."""
    routes: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + str(pattern.pattern))

    walk(get_resolver(), "")
    filled = []
    for route in routes:
        path = re.sub(
            r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "a%00b", route
        )
        filled.append("/" + path.lstrip("^").rstrip("$") + ("" if "<" in route else QUERY))
    return filled


def test_a_nul_in_any_address_or_query_string_is_a_400_never_a_500(client, personas):
    server_errors = []
    for url in every_get_route():
        response = client.get(url)
        if response.status_code >= 500:
            server_errors.append((url, response.status_code))
    assert server_errors == []


def test_the_400_names_the_part_of_the_request_in_the_visitors_language(client):
    response = client.get("/organisations/?q=caf%00e", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.content.decode().startswith("Les paramètres de l’adresse contiennent")
    api = client.get("/api/organizations?q=caf%00e", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert api.json()["detail"].startswith("The query string holds a character")
    assert client.get("/organisations/a%00b/").status_code == 400


def test_a_form_posting_a_nul_is_a_400(client_as):
    # Multipart forms are left to the forms, whose text fields refuse NUL themselves.
    response = client_as("participant").post(
        "/compte/", "display_name=Ana%00", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("bad", ["Bud\x00get", "Bud\ud800get"])
def test_a_json_body_holding_unstorable_text_is_a_400_naming_the_field(client, personas, bad):
    _token, key = api_token_create(
        person=personas.facilitator, actor=personas.facilitator, name="script", scope="write"
    )
    body = {
        "territory": personas.commune.slug,
        "topic": "Budget",
        "seed_statements": ["Des pistes cyclables", bad],
    }
    response = client.post(
        "/api/opinions/conversations",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("seed_statements[1] holds a character")


def test_unstorable_text_never_reaches_the_database_of_the_api_writes(client, personas):
    from maillage.opinions.models import Conversation

    _token, key = api_token_create(
        person=personas.facilitator, actor=personas.facilitator, name="script", scope="write"
    )
    client.post(
        "/api/opinions/conversations",
        json.dumps({"territory": personas.commune.slug, "topic": "a\x00", "seed_statements": []}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert not Conversation.objects.exists()
