"""The websocket origin check: scheme, host and port of the page against the site's."""

from __future__ import annotations

import pytest
from django.test import override_settings

from maillage.core.websocket import TokenBucket, origin_allowed


def _scope(origin: str | None, host: str = "maillage.example.fr", scheme: str = "wss") -> dict:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@override_settings(
    ALLOWED_HOSTS=["maillage.example.fr"],
    CSRF_TRUSTED_ORIGINS=[],
    SITE_URL="https://maillage.example.fr",
)
@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed"),
    [
        ("https://maillage.example.fr", "maillage.example.fr", "wss", True),
        ("https://maillage.example.fr:443", "maillage.example.fr", "wss", True),
        ("https://MAILLAGE.example.fr", "maillage.example.fr", "wss", True),
        ("https://maillage.example.fr:8443", "maillage.example.fr", "wss", False),
        ("http://maillage.example.fr", "maillage.example.fr", "wss", False),
        ("https://maillage.example.fr.evil.example", "maillage.example.fr", "wss", False),
        ("https://evil.example", "evil.example", "wss", False),  # a host not allowed
        ("null", "maillage.example.fr", "wss", False),
        ("https://maillage.example.fr:99999", "maillage.example.fr", "wss", False),
        (None, "maillage.example.fr", "wss", False),
    ],
)
def test_an_origin_is_this_site_only_with_the_same_scheme_host_and_port(
    origin: str | None, host: str, scheme: str, allowed: bool
) -> None:
    assert origin_allowed(_scope(origin, host, scheme)) is allowed


@override_settings(
    ALLOWED_HOSTS=["127.0.0.1"], CSRF_TRUSTED_ORIGINS=[], SITE_URL="http://127.0.0.1:8000"
)
def test_on_a_development_server_the_port_tells_two_applications_apart() -> None:
    assert origin_allowed(_scope("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"))
    assert not origin_allowed(_scope("http://127.0.0.1:3000", "127.0.0.1:8000", "ws"))


def test_a_token_bucket_allows_its_burst_then_its_rate() -> None:
    bucket = TokenBucket(rate=0.0, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    refilled = TokenBucket(rate=1000.0, burst=1)
    refilled.take()
    refilled.at -= 0.01  # ten milliseconds later: ten tokens' worth, capped at the burst
    assert refilled.take() and not refilled.take()
