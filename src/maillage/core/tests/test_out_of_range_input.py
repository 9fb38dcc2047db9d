"""Out-of-range input is a clear 4xx on every list, id and page, never a 500.

The routes are enumerated from the OpenAPI schema and the URL configuration, so a new list or
a new page with an id is covered without being named here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

pytestmark = pytest.mark.django_db

HUGE = 2**64


def _api_get_operations(client) -> list[tuple[str, dict]]:
    schema = client.get("/api/openapi.json").json()
    return [(path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops]


def _fill(path: str, params: list[dict], integer: int) -> str:
    types = {p["name"]: p["schema"].get("type") for p in params if p["in"] == "path"}
    return re.sub(r"{(\w+)}", lambda m: str(integer) if types.get(m[1]) == "integer" else "x", path)


@pytest.mark.parametrize(
    "query",
    [
        "limit=18446744073709551616",
        "offset=18446744073709551616",
        "limit=0",
        "limit=1000000",
        "offset=-1",
        "limit=abc",
    ],
)
def test_every_paginated_list_refuses_out_of_range_limits_with_4xx(client_as, query):
    client = client_as("platform_admin")
    lists = [
        (path, op)
        for path, op in _api_get_operations(client)
        if {"limit", "offset"} <= {p["name"] for p in op.get("parameters", [])}
    ]
    assert len(lists) >= 8
    for path, op in lists:
        response = client.get(_fill(path, op.get("parameters", []), 1) + "?" + query)
        assert response.status_code in (400, 404, 422), (path, query, response.status_code)


def test_the_largest_page_is_capped(client_as):
    response = client_as("visitor").get("/api/territories?limit=501")
    assert response.status_code == 422
    assert client_as("visitor").get("/api/territories?limit=500").status_code == 200


def test_an_id_past_two_to_the_64_is_404_on_every_api_read(client_as):
    client = client_as("platform_admin")
    with_ids = [
        (path, op)
        for path, op in _api_get_operations(client)
        if any(
            p["in"] == "path" and p["schema"].get("type") == "integer"
            for p in op.get("parameters", [])
        )
    ]
    assert with_ids
    for path, op in with_ids:
        response = client.get(_fill(path, op.get("parameters", []), HUGE))
        assert response.status_code in (404, 422), (path, response.status_code)


def _int_pages(patterns=None, prefix: str = "") -> list[str]:
    """Return every page route taking an integer, with the integers set to 2^64."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        pattern = getattr(entry.pattern, "_route", None)
        if pattern is None:
            continue
        if isinstance(entry, URLResolver):
            routes += _int_pages(entry.url_patterns, prefix + pattern)
        elif isinstance(entry, URLPattern):
            route = prefix + pattern
            converters = {**getattr(entry.pattern, "converters", {})}
            if any(
                isinstance(c, IntConverter) for c in converters.values()
            ) and not route.startswith("api"):
                routes.append(
                    "/"
                    + re.sub(
                        r"<(?:(\w+):)?(\w+)>",
                        lambda m: str(HUGE) if m[1] == "int" else "x",
                        route,
                    )
                )
    return routes


def test_a_page_given_an_id_past_two_to_the_64_answers_404_not_500(client_as):
    client = client_as("platform_admin")
    pages = _int_pages()
    assert len(pages) >= 10
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, (page, response.status_code)
