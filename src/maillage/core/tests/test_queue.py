"""The task queue: retries with back-off, failures kept for the admin, periods enqueued once.

These run a worker in the test process (the library's worker loop, on the test database); the
claims about several processes are in ``test_queue_processes``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from maillage.cli import main as cli_main
from maillage.core.models import AuditEntry, PeriodicRun
from maillage.core.queue import (
    RETRYING_PATH,
    failed_tasks,
    period_start,
    queue_counts,
    queue_depth,
    queue_lag_seconds,
    recover_stale,
    schedule_due,
    task_retry,
)
from maillage.core.tests.queue_tasks import always_fails, fails_first, record

# The worker loop closes connections between tasks, as a process does: no test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    """Run the ready tasks in this process, as ``maillage worker --batch`` does, then return."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def make_due(row: DBTaskResult) -> None:
    """Move a delayed retry's time to now, as if its back-off had passed."""
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())


def waiting_retry() -> DBTaskResult:
    return DBTaskResult.objects.get(status=TaskResultStatus.READY)


def test_a_failing_task_is_retried_with_growing_back_off_then_kept_as_failed(settings) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 30
    always_fails.enqueue("communes")
    delays = []
    for _ in range(2):
        before = timezone.now()
        run_worker()
        retry = waiting_retry()
        delays.append(round((retry.run_after - before).total_seconds()))
        assert queue_depth() == 0  # a retry waits for its time
        make_due(retry)
    run_worker()

    assert 29 <= delays[0] <= 31 and 59 <= delays[1] <= 61  # 30 s, then doubled
    assert DBTaskResult.objects.filter(exception_class_path=RETRYING_PATH).count() == 2
    (failed,) = failed_tasks()
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "the index communes is missing" in failed.traceback
    assert failed.args_kwargs["kwargs"] == {"_attempt": 3}
    assert queue_counts()["failed"] == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_task_that_fails_once_succeeds_on_its_second_attempt(settings, tmp_path) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 0
    fails_first.enqueue(str(tmp_path / "calls"))
    run_worker()  # the retry is due at once: the same batch runs it
    succeeded = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert succeeded.return_value == 2
    retried = DBTaskResult.objects.get(exception_class_path=RETRYING_PATH)
    assert "ConnectionError: the database went away" in retried.traceback
    assert "attempt 1 of 3 failed" in retried.traceback
    assert not failed_tasks().exists()


def test_the_admin_sees_a_failed_task_with_its_error_and_retries_it(
    client, personas, settings
) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 0
    always_fails.enqueue("territories")
    run_worker()
    (failed,) = failed_tasks()
    client.force_login(personas.platform_admin)
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status=FAILED")
    assert page.status_code == 200
    assert "RuntimeError: the index territories is missing" in page.content.decode()

    answer = client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "retry", "_selected_action": [str(failed.pk)]},
        follow=True,
    )
    assert answer.status_code == 200
    assert not failed_tasks().exists()
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs == {"args": ["territories"], "kwargs": {}}
    entry = AuditEntry.objects.get(action="core.task.retry")
    assert entry.actor == personas.platform_admin and entry.target_id == str(failed.pk)


def test_only_a_platform_admin_retries_a_task(personas, settings) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 0
    always_fails.enqueue("x")
    run_worker()
    (failed,) = failed_tasks()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        task_retry(actor=personas.territory_admin, task_id=failed.pk)
    assert failed_tasks().count() == 1


def test_jobs_status_counts_the_failures_and_names_their_error(settings, capsys) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 0
    always_fails.enqueue("sites")
    record.enqueue("later")
    DBTaskResult.objects.filter(task_path=record.module_path).update(
        run_after=timezone.now() + dt.timedelta(hours=1)
    )
    run_worker()
    assert cli_main(["jobs", "status"]) == 0
    out = capsys.readouterr().out
    assert "0 ready, 1 waiting for their time, 0 running, 1 failed, 2 retried" in out
    assert "RuntimeError: the index sites is missing" in out

    (failed,) = failed_tasks()
    assert cli_main(["jobs", "retry", str(failed.pk)]) == 0
    assert failed_tasks().count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give task ids"),
        ([str(uuid.uuid4())], "no task"),
        (["not-an-id"], "no task not-an-id"),
    ],
)
def test_jobs_retry_names_what_is_wrong_with_its_input(arguments, message, capsys) -> None:
    assert cli_main(["jobs", "retry", *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_task_that_succeeded_cannot_be_retried(capsys) -> None:
    record.enqueue("once")
    run_worker()
    done = DBTaskResult.objects.get()
    assert cli_main(["jobs", "retry", str(done.pk)]) == 2
    assert "is not a failed task" in capsys.readouterr().err


def test_depth_and_lag_count_the_ready_tasks_not_the_delayed_ones() -> None:
    assert queue_depth() == 0 and queue_lag_seconds() == 0.0
    record.enqueue("a")
    record.enqueue("b")
    record.using(run_after=timezone.now() + dt.timedelta(minutes=5)).enqueue("later")
    DBTaskResult.objects.filter(args_kwargs__args=["a"]).update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=90)
    )
    assert queue_depth() == 2
    assert 89 <= queue_lag_seconds() <= 95
    run_worker()
    assert queue_depth() == 0 and queue_lag_seconds() == 0.0
    assert AuditEntry.objects.filter(action="test.queue.record").count() == 2


def test_a_task_left_running_by_a_killed_worker_is_failed_and_retried(settings) -> None:
    settings.MAILLAGE_QUEUE_RETRY_SECONDS = 0
    record.enqueue("interrupted")
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=4)
    )
    fresh = record.enqueue("still running")
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    assert recover_stale(older_than=dt.timedelta(hours=3)) == 1
    stale = DBTaskResult.objects.get(exception_class_path=RETRYING_PATH)
    assert "the worker stopped while running it" in stale.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    run_worker()
    assert AuditEntry.objects.filter(data__name="interrupted").count() == 1


def test_each_period_of_a_job_is_enqueued_once_whoever_ticks() -> None:
    now = timezone.now()
    first = schedule_due(now=now)
    assert "queue-recover" in first and "pooling-suggestions" in first
    assert schedule_due(now=now) == []
    assert schedule_due(now=now + dt.timedelta(seconds=1)) == []
    later = schedule_due(now=now + dt.timedelta(minutes=5))
    assert "queue-recover" in later and "pooling-suggestions" not in later
    assert PeriodicRun.objects.filter(name="queue-recover").count() == 2
    assert DBTaskResult.objects.count() == PeriodicRun.objects.count()


def test_periods_are_aligned_so_every_process_computes_the_same_one() -> None:
    at = dt.datetime(2026, 12, 7, 14, 33, 12, tzinfo=dt.UTC)
    assert period_start(dt.timedelta(minutes=5), at) == at.replace(minute=30, second=0)
    assert period_start(dt.timedelta(days=1), at) == at.replace(hour=0, minute=0, second=0)


def test_jobs_run_due_enqueues_and_a_worker_runs_them(capsys) -> None:
    assert cli_main(["jobs", "run", "--due"]) == 0
    assert "queue-prune: enqueued" in capsys.readouterr().out
    assert cli_main(["jobs", "run", "--due"]) == 0
    assert "no job is due" in capsys.readouterr().out
    run_worker()
    results: dict[str, Any] = {
        row.args_kwargs["args"][0]: row.return_value for row in DBTaskResult.objects.all()
    }
    assert {r["status"] for r in results.values()} == {"done"}
    assert set(results) == set(PeriodicRun.objects.values_list("name", flat=True))


def test_jobs_run_enqueue_hands_a_named_job_to_the_workers(capsys) -> None:
    assert cli_main(["jobs", "run", "queue-prune", "--enqueue"]) == 0
    assert "queue-prune: enqueued" in capsys.readouterr().out
    assert queue_depth() == 1
