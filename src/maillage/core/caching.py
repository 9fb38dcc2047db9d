"""Cached values computed once across every process, and refreshed without a stampede.

A page that many visitors read at once must not make each of them compute the same costly
value when it is missing (after a restart, an expiry or a write that changed its key): 50
concurrent counts of a million rows take seconds each, where one takes a fraction of a second.
``cached`` therefore computes a missing value in one request only (a lock in the shared cache);
the others wait for it, and compute it themselves only if it has not come after ``wait``
seconds. A value older than ``fresh_for`` is refreshed by one request while the others keep
serving it: the key of such a value has not changed, so it is only older, not wrong (writes
that matter change the key, and a new key is never served from an old value).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
_MISSING = object()
POLL_SECONDS = 0.025


def cached(
    key: str,
    compute: Callable[[], T],
    *,
    fresh_for: int,
    keep_for: int | None = None,
    wait: float = 10.0,
) -> T:
    """Return the value of ``key``, computing it with ``compute`` once across processes.

    ``fresh_for`` seconds after it was computed, the value is refreshed by the first request
    that asks, while the others get it as it is; it leaves the cache after ``keep_for``
    seconds (default: ten times ``fresh_for``).
    """
    keep_for = keep_for if keep_for is not None else 10 * fresh_for
    lock = f"{key}:computing"
    entry = cache.get(key, _MISSING)
    if entry is not _MISSING:
        stamp, value = entry  # type: ignore[misc]
        if time.time() - stamp < fresh_for or not cache.add(lock, 1, max(1, int(wait) * 3)):
            return value  # type: ignore[no-any-return]
        return _compute(key, lock, compute, keep_for, fresh_for)
    deadline = time.monotonic() + wait
    while not cache.add(lock, 1, max(1, int(wait) * 3)):
        time.sleep(POLL_SECONDS)
        entry = cache.get(key, _MISSING)
        if entry is not _MISSING:
            return entry[1]  # type: ignore[index,no-any-return]
        if time.monotonic() > deadline:  # the request computing it is slow or gone
            value = compute()
            cache.set(key, (time.time(), value), keep_for)
            return value
    return _compute(key, lock, compute, keep_for, fresh_for)


def _compute(key: str, lock: str, compute: Callable[[], T], keep_for: int, fresh_for: int) -> T:
    try:
        entry = cache.get(key, _MISSING)
        if entry is not _MISSING and time.time() - entry[0] < fresh_for:  # type: ignore[index]
            # Another request stored it between our read and our lock: no second computation.
            return entry[1]  # type: ignore[index,no-any-return]
        value = compute()
        cache.set(key, (time.time(), value), keep_for)
        return value
    finally:
        cache.delete(lock)
