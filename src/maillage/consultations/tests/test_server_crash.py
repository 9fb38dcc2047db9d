"""A real server killed in the middle of a batch half-writes nothing; the replay records all.

Runs ``maillage serve`` as a child process on a file SQLite database (migrated first), kills it
with SIGKILL while it ingests a batch of 500 records (sooner on each attempt, until a batch is
cut before its answer), counts the rows, restarts it and sends the same batch again.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[4]
SETUP = """
import datetime as dt
from maillage.people.models import Person, TerritoryRole
from maillage.people.services import api_token_create
from maillage.territories.services import territory_create
from maillage.consultations.services import campaign_create
commune = territory_create(name="Commune", kind="commune")
site = territory_create(name="Place", kind="site", parent=commune)
agent = Person.objects.create_user("agent@example.org", "x" * 12, display_name="Agent")
TerritoryRole.objects.create(person=agent, territory=commune, role="facilitator")
campaign_create(actor=agent, title="Crash", slug="crash", territory=commune, open_question="?",
    starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), sites=[site], team=[agent],
    status="open")
print(site.pk, api_token_create(person=agent, actor=agent, name="t", scope="write")[1])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "MAILLAGE_DATA_DIR": str(tmp_path),
        "MAILLAGE_CAPABILITIES": "consultations",
        "DEBUG": "1",
        "MAILLAGE_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
    }


def _maillage(*args: str, env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "maillage.cli", *args]
    return subprocess.run(
        command, env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "maillage.cli", "serve", "--port", str(port), "--no-migrate"]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
            return process
        except OSError:  # refused, reset or timed out while it starts
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the server did not start")


def _send(port: int, token: str, body: bytes) -> dict:
    request = urllib.request.Request(  # noqa: S310 — loopback only
        f"http://127.0.0.1:{port}/api/consultations/sync",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.loads(response.read())


def _rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "crash.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM consultations_contribution").fetchone()[0]


def _batch(site_id: str) -> bytes:
    records = [
        {
            "uuid": str(uuid.uuid4()),
            "campaign": "crash",
            "site": int(site_id),
            "text": f"Souhait {i} " + "mot " * 200,
            "consent": True,
        }
        for i in range(500)
    ]
    return json.dumps({"records": records}).encode()


def _kill_while_sending(port: int, env: dict[str, str], token: str, body: bytes, delay: float):
    """Send ``body`` to a new server and kill it after ``delay`` s; return (answer, cut)."""
    server = _serve(port, env)
    acknowledged: list[dict] = []
    cut: list[OSError] = []

    def send() -> None:
        try:
            acknowledged.append(_send(port, token, body))
        except OSError as error:  # the connection dies with the server: what we expect
            cut.append(error)

    thread = threading.Thread(target=send, daemon=True)
    try:
        thread.start()
        time.sleep(delay)  # the batch is being ingested
        os.kill(server.pid, signal.SIGKILL)
    finally:
        server.wait(timeout=10)
    thread.join(timeout=10)
    return acknowledged, cut


@pytest.mark.own_sqlite
def test_a_batch_cut_by_a_killed_server_is_all_or_nothing_and_the_replay_records_each_once(
    tmp_path,
):
    env = _env(tmp_path)
    _maillage("migrate", env=env)
    site_id, token = _maillage("manage", "shell", "-c", SETUP, env=env).split()[-2:]
    # A fast machine may answer before the kill: each answered batch is whole, and the next
    # attempt kills sooner, until one batch is cut.
    expected = 0
    for delay in (0.15, 0.08, 0.04, 0.02, 0.01, 0.005, 0.0):
        body = _batch(site_id)
        acknowledged, cut = _kill_while_sending(_free_port(), env, token, body, delay)
        if acknowledged:
            expected += 500
            assert acknowledged[0]["created"] == 500
            assert _rows(tmp_path) == expected
            continue
        assert len(cut) == 1, "the client should have seen its connection cut"
        assert _rows(tmp_path) in (expected, expected + 500), "a killed batch is never half-written"
        break
    else:
        pytest.fail("every batch was answered before the server was killed: nothing was cut")
    port = _free_port()
    server = _serve(port, env)
    try:
        results = _send(port, token, body)["results"]
        again = _send(port, token, body)["results"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert {r["result"] for r in results} <= {"created", "duplicate"}
    assert {r["result"] for r in again} == {"duplicate"}
    assert _rows(tmp_path) == expected + 500
