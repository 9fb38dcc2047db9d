"""Periodic jobs: each capability's jobs are found, run when due, once, and one failure stops none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from maillage.cli import main as cli_main
from maillage.core import jobs as jobs_module
from maillage.core.jobs import Job, is_due, jobs, run_due, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recorded(monkeypatch):
    """Replace the registry by two jobs, one of which fails, and record their runs."""
    calls: list[str] = []

    def good(progress=None):
        calls.append("good")
        return 3

    def bad(progress=None):
        calls.append("bad")
        raise RuntimeError("the index is missing")

    registry = {
        "good": Job("good", dt.timedelta(hours=1), "works", good),
        "bad": Job("bad", dt.timedelta(hours=1), "fails", bad),
    }
    monkeypatch.setattr(jobs_module, "_JOBS", registry)
    monkeypatch.setattr(
        jobs_module, "jobs", lambda: sorted(registry.values(), key=lambda j: j.name)
    )
    return calls


def test_the_installed_capabilities_declare_their_jobs() -> None:
    names = {job.name for job in jobs()}
    assert {"decisions-close-rounds", "decisions-reminders", "pooling-suggestions"} <= names
    assert "workshops-reminders" in names
    assert "observatory-analyses" in names


def test_a_due_job_runs_once_then_waits_for_its_period(recorded) -> None:
    first = {r.name: r for r in run_due()}
    assert first["good"].status == "done" and first["good"].count == 3
    assert [r.name for r in run_due()] == ["bad"]  # good is not due any more; bad failed
    later = timezone.now() + dt.timedelta(hours=2)
    assert "good" in {r.name for r in run_due(now=later)}


def test_a_failing_job_is_reported_and_does_not_stop_the_others(recorded) -> None:
    results = {r.name: r for r in run_due()}
    assert results["bad"].status == "failed"
    assert "index is missing" in results["bad"].error
    assert results["good"].status == "done"
    assert is_due(jobs_module._JOBS["bad"], timezone.now())  # a failure is tried again


def test_a_job_another_process_is_running_is_skipped(recorded) -> None:
    cache.add("maillage:jobs:lock:good", "1", 60)
    assert run_job(jobs_module._JOBS["good"]).status == "skipped"
    assert recorded == []


def test_the_cli_runs_named_jobs_and_exits_1_when_one_fails(recorded, capsys) -> None:
    assert cli_main(["jobs", "run", "good", "--quiet"]) == 0
    assert "good: done, 3 item(s)" in capsys.readouterr().out
    assert cli_main(["jobs", "run", "--quiet"]) == 1
    assert "bad: failed" in capsys.readouterr().out


def test_the_cli_names_an_unknown_job_and_lists_the_known_ones(recorded, capsys) -> None:
    assert cli_main(["jobs", "run", "nightly"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown job 'nightly'" in err[0] and "good" in err[0]
