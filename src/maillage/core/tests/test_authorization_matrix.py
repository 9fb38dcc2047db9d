"""The authorization matrix of the API's writes, enumerated from the API, declared per app.

Each capability declares, in its permissions module, who may call each of its API writes
(``API_WRITES``: ``ACCOUNT`` or ``ANYONE``). A write route that nobody declared fails the
first test, so a new route cannot ship without its rule; every route declared ``ACCOUNT`` must
refuse a visitor before touching any object.
"""

from __future__ import annotations

import importlib
import re

import pytest

from maillage.core.capabilities import configs
from maillage.core.permissions import ACCOUNT, ANYONE

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _declared() -> dict[str, str]:
    rules: dict[str, str] = {}
    for config in configs():
        if config.permissions:
            rules |= getattr(importlib.import_module(config.permissions), "API_WRITES", {})
    return rules


def _api_writes(client) -> list[str]:
    schema = client.get("/api/openapi.json").json()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    ]


def test_every_api_write_declares_who_may_call_it(client):
    writes, declared = set(_api_writes(client)), _declared()
    assert len(writes) >= 16
    assert sorted(writes - set(declared)) == [], "declare these in the app's API_WRITES"
    assert sorted(set(declared) - writes) == [], "these declared routes no longer exist"
    assert set(declared.values()) <= {ACCOUNT, ANYONE}


def test_no_write_declared_for_accounts_succeeds_for_a_visitor(client):
    declared = _declared()
    unexpected = []
    for route in _api_writes(client):
        if declared.get(route) != ACCOUNT:
            continue
        method, path = route.split(" ", 1)
        url = re.sub(r"{\w+}", "1", path)
        response = client.generic(method, url, "{}", content_type="application/json")
        if response.status_code != 401:
            unexpected.append((route, response.status_code))
    assert unexpected == []


def test_a_bad_token_is_refused_on_every_write_declared_for_accounts(client):
    declared = _declared()
    for route in _api_writes(client):
        if declared.get(route) != ACCOUNT:
            continue
        method, path = route.split(" ", 1)
        response = client.generic(
            method,
            re.sub(r"{\w+}", "1", path),
            "{}",
            content_type="application/json",
            headers={"Authorization": "Bearer mlg_not-a-token"},
        )
        assert response.status_code == 401, route
