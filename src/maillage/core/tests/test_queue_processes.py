"""The queue across real processes: workers share it, a period runs once, serve keeps a worker.

Each test runs ``maillage`` processes on the test database itself (SQLite file or PostgreSQL,
whichever the suite runs on) and reads what they did from it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.core.models import AuditEntry, PeriodicRun
from maillage.core.queue import run_periodic
from maillage.core.tests.queue_tasks import record

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[4]


def database_url() -> str:
    """The URL of the test database, for the child processes."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params["USER"] or "", safe="")
    password = quote(params["PASSWORD"] or "", safe="")
    host = params["HOST"] or "localhost"
    return f"postgres://{user}:{password}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "MAILLAGE_DATA_DIR": str(tmp_path),
        **extra,
    }


def maillage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "maillage.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 180) -> None:
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-2000:]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_worker_processes_share_the_queue_and_run_each_task_once(tmp_path) -> None:
    names = [f"task-{i}" for i in range(24)]
    for name in names:
        record.enqueue(name, seconds=0.3)
    env = child_env(tmp_path)
    workers = [maillage("worker", "--batch", "--quiet", env=env) for _ in range(2)]
    for worker in workers:
        finish(worker)

    rows = AuditEntry.objects.filter(action="test.queue.record")
    assert Counter(row.data["name"] for row in rows) == Counter(names)  # each once
    assert len({row.data["pid"] for row in rows}) == 2  # both worked
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_a_period_runs_once_across_two_workers_and_two_schedulers(tmp_path) -> None:
    env = child_env(tmp_path)
    workers = [
        maillage("worker", "--tick", "0.3", "--interval", "0.2", "--quiet", env=env)
        for _ in range(2)
    ]
    try:
        # Two more processes tick at the same time, as a web host and a cron would.
        schedulers = [maillage("jobs", "run", "--due", env=env) for _ in range(2)]
        for scheduler in schedulers:
            finish(scheduler)
        time.sleep(3)  # the workers' own schedulers tick ten times meanwhile
        deadline = time.monotonic() + 120
        pending = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        )
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not pending.exists()
    finally:
        for worker in workers:
            stop(worker)

    periods = Counter(PeriodicRun.objects.values_list("name", "slot"))
    assert periods and set(periods.values()) == {1}
    runs = DBTaskResult.objects.filter(task_path=run_periodic.module_path)
    per_job = Counter(row.args_kwargs["args"][0] for row in runs)
    assert per_job == Counter(name for name, _ in periods)  # one run per period, no more
    assert {row.return_value["status"] for row in runs} == {"done"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except FileNotFoundError:
        return True
    return state in "ZX"  # a zombie has exited; only its parent's wait is missing


def _ran_by(name: str) -> int:
    """Enqueue a task and return the pid of the process that ran it."""
    record.enqueue(name)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        entry = AuditEntry.objects.filter(data__name=name).first()
        if entry is not None:
            return int(entry.data["pid"])
        time.sleep(0.2)
    raise AssertionError(f"no worker ran {name!r}")


def test_serve_keeps_a_worker_running_the_queue_restarts_it_and_it_dies_with_serve(
    tmp_path,
) -> None:
    port = _free_port()
    env = child_env(tmp_path, DEBUG="1", MAILLAGE_HTTPS="0", MAILLAGE_EMBEDDED_WORKER="1")
    serve = maillage("serve", "--port", str(port), "--no-migrate", "--no-jobs", env=env)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        first_pid = _ran_by("from the web")
        assert first_pid != serve.pid
        os.kill(first_pid, signal.SIGKILL)  # the worker dies: the server starts another
        worker_pid = _ran_by("after the worker died")
        assert worker_pid not in (first_pid, serve.pid)
        serve.send_signal(signal.SIGKILL)
        serve.wait()
        deadline = time.monotonic() + 15
        while not _exited(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _exited(worker_pid), "the worker outlived the server"
    finally:
        stop(serve)
