"""Rate limits are shared through the cache and answer 429 with a retry time."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from maillage.core import ratelimit

pytestmark = pytest.mark.django_db


def test_a_rate_is_parsed_or_refused_with_the_expected_form() -> None:
    assert ratelimit.parse_rate("5/m") == ratelimit.Rate(5, 60)
    with pytest.raises(ValueError, match="expected like '5/m'"):
        ratelimit.parse_rate("5 per minute")


def test_the_limit_plus_one_raises_with_a_retry_time() -> None:
    for _ in range(3):
        ratelimit.hit("write", "someone", rate="3/h")
    with pytest.raises(ratelimit.RateLimitExceeded) as error:
        ratelimit.hit("write", "someone", rate="3/h")
    # The overfilled window weighs on the next one: the wait may exceed what is left of it.
    assert 1 <= error.value.retry_after <= 2 * 3600


def test_a_burst_straddling_a_window_edge_is_still_refused(monkeypatch) -> None:
    # One second before a window edge of a 10/m rate (near the real time: caches expire by it).
    clock = [(time.time() // 60 + 1) * 60 - 1]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    for _ in range(6):
        ratelimit.hit("write", "burst", rate="10/m")
    clock[0] += 2  # the next window has begun
    for _ in range(4):
        ratelimit.hit("write", "burst", rate="10/m")
    with pytest.raises(ratelimit.RateLimitExceeded) as error:
        ratelimit.hit("write", "burst", rate="10/m")
    assert 1 <= error.value.retry_after <= 120
    clock[0] += 60  # a full period later the earlier burst has slid out
    ratelimit.hit("write", "burst", rate="10/m")


def test_a_previous_window_s_weight_fades_as_the_current_one_advances(monkeypatch) -> None:
    clock = [time.time() // 60 * 60]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    for _ in range(4):
        ratelimit.hit("write", "fading", rate="4/m")
    clock[0] += 60 + 45  # three quarters into the next window: the 4 weigh 1
    for _ in range(3):
        ratelimit.hit("write", "fading", rate="4/m")
    with pytest.raises(ratelimit.RateLimitExceeded):
        ratelimit.hit("write", "fading", rate="4/m")


def test_login_is_limited_per_account_with_429_and_retry_after(client, personas) -> None:
    url = reverse("people:login")
    for _ in range(5):
        response = client.post(url, {"username": "participant@example.org", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "participant@example.org", "password": "wrong"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "seconds" in response.content.decode() or "secondes" in response.content.decode()


def test_the_login_limit_holds_across_clients_as_it_would_across_workers(client, personas) -> None:
    from django.test import Client

    url = reverse("people:login")
    for _ in range(5):
        Client().post(url, {"username": "participant@example.org", "password": "wrong"})
    response = Client().post(url, {"username": "participant@example.org", "password": "wrong"})
    assert response.status_code == 429


def test_registration_is_limited_per_address() -> None:
    from django.test import Client

    url = reverse("people:register")
    data = {"display_name": "N", "password": "a-long-enough-pass-1"}
    for i in range(10):
        response = Client().post(url, {"email": f"new{i}@example.org", **data})
        assert response.status_code == 200
    response = Client().post(url, {"email": "new99@example.org", **data})
    assert response.status_code == 429


def test_a_person_has_one_write_bucket_across_capabilities_pages_and_api(
    client, personas, settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "write": "2/m"}
    client.force_login(personas.participant)
    decision_action = reverse("decisions:turn_pass", args=[999_999])
    offer = {
        "organization": "nowhere",
        "category": "room",
        "title": "Salle",
        "available_from": "2026-01-01",
        "available_until": "2026-02-01",
        "territory": "nowhere",
    }
    assert client.post(decision_action).status_code == 404  # counted, then not found
    response = client.post("/api/pooling/offers", offer, content_type="application/json")
    assert response.status_code == 404  # counted by the API, then not found
    assert client.post(decision_action).status_code == 429


def test_each_person_and_each_visitor_address_has_its_own_bucket(rf, personas, settings) -> None:
    from django.contrib.auth.models import AnonymousUser

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "write": "1/m", "anonymous_write": "1/m"}
    ratelimit.hit_person("write", personas.participant)
    request = rf.post("/", REMOTE_ADDR="192.0.2.7")
    request.user = personas.participant
    with pytest.raises(ratelimit.RateLimitExceeded):
        ratelimit.hit_write(request)  # the same bucket, already full
    request.user = personas.facilitator
    ratelimit.hit_write(request)  # another person
    request.user = AnonymousUser()
    ratelimit.hit_write(request)  # a visitor, by address
    with pytest.raises(ratelimit.RateLimitExceeded):
        ratelimit.hit_write(request)
