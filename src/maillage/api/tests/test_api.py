"""The API's OpenAPI schema and docs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_every_router(client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/territories" in paths
    assert "/api/organizations/{slug}" in paths
    assert "/api/people/me" in paths


def test_interactive_docs_load_assets_from_the_app_not_a_cdn(client) -> None:
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page


def test_rate_limited_api_answers_429_with_retry_after(client, personas, settings) -> None:
    from django.test import RequestFactory

    from maillage.api.api import on_rate_limited
    from maillage.core.ratelimit import RateLimitExceeded

    response = on_rate_limited(RequestFactory().get("/api/x"), RateLimitExceeded("write", 42))
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
