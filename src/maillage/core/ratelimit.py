"""Sliding-window rate limits kept in the cache, hence shared by every worker process.

Each key counts its hits per fixed window, and a hit is judged on the current window's count
plus the previous window's, weighted by how much of it still lies within one period of now
(the "sliding window counter"). A fixed window alone lets a burst through twice at a window's
edge, and forgets a burst that straddles it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimitExceeded(Exception):
    """Raised when a limit is hit; ``retry_after`` is in whole seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limit '{scope}' exceeded, retry in {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    count: int
    period: int


def parse_rate(text: str) -> Rate:
    """Parse ``"5/m"`` or ``"10/h"`` into a :class:`Rate`."""
    count, _, unit = text.partition("/")
    if unit not in _PERIODS or not count.isdigit():
        raise ValueError(f"invalid rate {text!r}: expected like '5/m' with s, m, h or d")
    return Rate(int(count), _PERIODS[unit])


def hit(scope: str, key: str, rate: str | None = None) -> None:
    """Count one attempt for ``key`` in ``scope``; raise RateLimitExceeded past the limit.

    The key is hashed so that no email or IP address is stored in the cache in clear.
    """
    limit = parse_rate(rate or settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // limit.period)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    prefix = f"rl:{scope}:{digest}:"
    cache_key = f"{prefix}{window}"
    # Two periods: the window serves as "previous" for the whole of the next one.
    cache.add(cache_key, 0, timeout=2 * limit.period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=2 * limit.period + 5)
        count = 1
    previous = int(cache.get(f"{prefix}{window - 1}") or 0)
    elapsed = (now - window * limit.period) / limit.period
    if count + previous * (1 - elapsed) > limit.count:
        raise RateLimitExceeded(scope, _retry_after(limit, count, previous, elapsed))


def _retry_after(limit: Rate, count: int, previous: int, elapsed: float) -> int:
    """Whole seconds until one more hit would pass.

    A burst stays weighed for up to one period after its window ends, so after a window
    overfilled the wait can exceed what is left of it.
    """
    room = limit.count - count - 1  # hits this window could still take after the next one
    if room >= 0 and previous:
        # The previous window's weight must fall to room / previous.
        wait = (1 - room / previous - elapsed) * limit.period
    else:
        # This window becomes the previous one, then must weigh little enough.
        wait = (1 - elapsed) * limit.period + max(0, 1 - (limit.count - 1) / count) * limit.period
    return max(1, math.ceil(wait))


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks())


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.MAILLAGE_TRUSTED_PROXIES]


def client_ip(request) -> str:
    """Return the client's address.

    ``X-Forwarded-For`` is read only when the connection comes from a trusted proxy
    (``MAILLAGE_TRUSTED_PROXIES``), and from its end: the left entries are whatever the client
    sent, the last ones were appended by our proxies. The first untrusted address from the
    right is the client.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address):
            return address
    return remote


def hit_person(scope: str, person: Any, rate: str | None = None) -> None:
    """Count one attempt by ``person``: one bucket per person and scope, pages and API alike."""
    hit(scope, f"person:{person.pk}", rate)


def hit_write(request: Any) -> None:
    """Count one write: in the person's bucket, or in the visitor's address's one."""
    if request.user.is_authenticated:
        hit_person("write", request.user)
    else:
        hit("anonymous_write", client_ip(request))
