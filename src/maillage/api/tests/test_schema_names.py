"""Every API schema has its own name: two different schemas under one name overwrite each other."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from maillage.core.capabilities import api_routers


def _schemas() -> list[type[Schema]]:
    found, stack = [], list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__.startswith("maillage.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


def test_no_two_different_schemas_share_an_openapi_name(client):
    assert api_routers(), "every router is imported"
    assert client.get("/api/openapi.json").status_code == 200
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _schemas():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: places for name, places in by_name.items() if len(places) > 1}
    assert shared == {}
