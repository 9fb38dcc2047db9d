"""Abuse: one address tries one password on many accounts, while others use the site.

The per-account limit alone lets an attacker try a common password on every account; the
per-address limit (``login_ip``) must stop them after a few tries, on the site's login page
and on the admin's alike, while the health check stays quick for everyone else.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 50
ROOT = Path(__file__).resolve().parents[4]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _poll_health(base: str, stop: threading.Event, timings: list[float]) -> None:
    # A connection per poll, as an orchestrator's probe does. On one kept-alive connection the
    # test server (wsgiref) took 42-67 ms per answer while idle, against 1.5-14 ms on fresh
    # connections: a wait of about 40 ms, the mark of Nagle's algorithm meeting delayed
    # acknowledgements (uvicorn, which serves production, sets TCP_NODELAY).
    while not stop.is_set():
        start = time.perf_counter()
        assert requests.get(f"{base}/healthz", timeout=30).status_code == 200
        timings.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)


def _attempt(session: requests.Session, url: str, email: str) -> requests.Response:
    token = TOKEN.search(session.get(url, timeout=30).text)
    data = {"username": email, "password": "Azerty123!", "next": "/"}
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    return session.post(url, data=data, headers={"Referer": url}, timeout=30)


def _attack(base: str) -> tuple[list[int], requests.Response, list[float], float]:
    """Try one password on ACCOUNTS accounts, then on the admin's login, polling /healthz."""
    stop, timings = threading.Event(), []
    poller = threading.Thread(target=_poll_health, args=(base, stop, timings))
    poller.start()
    answers: list[int] = []
    start = time.perf_counter()
    try:
        with requests.Session() as attacker:
            for i in range(ACCOUNTS):
                answers.append(
                    _attempt(attacker, f"{base}/connexion/", f"victime{i}@example.org").status_code
                )
            admin = _attempt(attacker, f"{base}/admin/login/", "victime0@example.org")
    finally:
        stop.set()
        poller.join()
    return answers, admin, timings, time.perf_counter() - start


def test_one_address_trying_a_password_on_fifty_accounts_is_stopped_and_health_stays_quick(
    live_server, settings
) -> None:
    from maillage.people.models import Person

    # Hourly limits: a minute's sliding window would let the first tries fade out of a slow run.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "5/h", "login_ip": "20/h"}
    Person.objects.bulk_create(
        [
            Person(email=f"victime{i}@example.org", password="!", email_verified_at=None)
            for i in range(ACCOUNTS)
        ]
    )
    # The server's first answers load the URL configuration and templates (seconds on a
    # loaded machine): warmed up first, so that the timings measure the flood alone.
    for path in ("/healthz", "/connexion/", "/admin/login/"):
        requests.get(f"{live_server.url}{path}", timeout=120)
    answers, admin, timings, elapsed = _attack(live_server.url)
    limited = answers.index(429) if 429 in answers else None
    print(
        f"\nlogin brute force: {ACCOUNTS} accounts in {elapsed:.1f} s, first 429 at try "
        f"{limited}, {answers.count(429)} refused; /healthz polled {len(timings)} times: "
        f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
    )
    assert answers[:20] == [200] * 20  # the form answers "wrong password" until the limit
    assert answers[20:] == [429] * (ACCOUNTS - 20)
    assert admin.status_code == 429, "the admin's login must share the address's limit"
    # Measured after polling on fresh connections (PostgreSQL + Redis, 2 shared cores): median
    # 1.8-5.6 ms. The slowest answer is printed, not asserted: this test server shares its
    # process, hence its interpreter lock, with the attacker and the poller (seen up to 255 ms),
    # which ``maillage serve`` does not: the next test asserts every answer there.
    assert statistics.median(timings) < 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.own_sqlite
def test_on_maillage_serve_every_health_check_answers_under_100_ms_during_the_attack(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'attack.sqlite3'}",
        "MAILLAGE_DATA_DIR": str(tmp_path),
        "DEBUG": "1",
        "MAILLAGE_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        # Hourly limits, as above; the accounts need not exist: the form answers alike.
        "RATE_LIMIT_LOGIN": "5/h",
        "RATE_LIMIT_LOGIN_IP": "20/h",
    }
    command = [sys.executable, "-m", "maillage.cli"]
    subprocess.run([*command, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*command, "serve", "--port", str(port), "--no-migrate", "--no-worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        for path in ("/healthz", "/connexion/", "/admin/login/"):
            requests.get(f"{base}{path}", timeout=120)
        answers, admin, timings, elapsed = _attack(base)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\nlogin brute force on maillage serve: {ACCOUNTS} accounts in {elapsed:.1f} s, "
        f"{answers.count(429)} refused; /healthz polled {len(timings)} times: median "
        f"{statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
    )
    assert answers[:20] == [200] * 20
    assert answers[20:] == [429] * (ACCOUNTS - 20)
    assert admin.status_code == 429
    assert max(timings) < 100, sorted(timings)[-5:]
