"""Cached values: computed once across concurrent requests, refreshed without a stampede."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from maillage.core.caching import cached

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """Redis when the suite has it; else memory, since the database cache table lives in the
    test's transaction, which the threads below cannot see."""
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def test_a_value_is_computed_once_then_read_from_the_cache():
    calls = []
    assert cached("t:once", lambda: calls.append(1) or 42, fresh_for=60) == 42
    assert cached("t:once", lambda: calls.append(1) or 43, fresh_for=60) == 42
    assert len(calls) == 1


def test_concurrent_requests_on_a_missing_value_compute_it_once():
    calls = []
    barrier = threading.Barrier(8)
    results = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 7

    def request() -> None:
        barrier.wait()
        results.append(cached("t:crowd", slow, fresh_for=60))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [7] * 8
    assert len(calls) == 1


def test_an_old_value_is_served_while_another_request_refreshes_it():
    cached("t:old", lambda: "old", fresh_for=60)
    cache.set("t:old", (time.time() - 120, "old"), 600)  # computed two minutes ago
    cache.add("t:old:computing", 1, 30)  # another request is refreshing it
    assert cached("t:old", lambda: "new", fresh_for=60) == "old"
    cache.delete("t:old:computing")
    assert cached("t:old", lambda: "new", fresh_for=60) == "new"
    assert cached("t:old", lambda: "newer", fresh_for=60) == "new"


def test_a_request_computes_the_value_itself_when_the_one_computing_it_is_gone():
    cache.add("t:gone:computing", 1, 30)  # a request took the lock, then died
    began = time.monotonic()
    assert cached("t:gone", lambda: "mine", fresh_for=60, wait=0.2) == "mine"
    assert time.monotonic() - began < 5
    assert cached("t:gone", lambda: "other", fresh_for=60) == "mine"


def test_a_failing_computation_releases_the_lock_for_the_next_request():
    def broken() -> int:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cached("t:broken", broken, fresh_for=60)
    assert cached("t:broken", lambda: 1, fresh_for=60, wait=0.2) == 1
