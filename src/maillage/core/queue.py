"""The task queue: heavy analyses and periodic jobs run by ``maillage worker`` processes.

Engine: Django's tasks framework (``django-tasks``, the backport of Django 6's
``django.tasks``) with its database backend (``django-tasks-db``). Tasks are rows of the
platform's own database, claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (several
workers on several machines share one queue) and in an exclusive transaction on SQLite.
Why not procrastinate: it runs on PostgreSQL only, and an install on SQLite (``make run``) must
keep working with the same code; the tasks framework is Django's own API (the code moves to
``django.tasks`` when the platform moves to Django 6), needs no new service and no second
engine. What it lacks, this module adds, on the database too:

- retries: ``@queued(attempts=…)`` enqueues a failed attempt again with an exponential back-off
  (``MAILLAGE_QUEUE_RETRY_SECONDS`` × 2^(attempt-1)); the failed attempt stays as a row whose
  error is ``Retrying`` (caused by the real one); the last attempt's row keeps the real error
  and is what the platform admin sees as failed (``failed_tasks``, the admin, ``maillage jobs
  status``). Nothing is lost silently.
- periodic jobs (``core.jobs``): ``schedule_due`` inserts one ``PeriodicRun`` per job and period;
  its unique (name, period start) makes a period enqueued once, whichever workers and web hosts
  tick at the same time.
- tasks left "running" by a killed worker are failed and retried by ``recover_stale``.
- ``queue_depth`` and ``queue_lag_seconds`` for the readiness check and the metrics.

The web process only enqueues (after commit); ``maillage worker`` runs. On SQLite, or when
``MAILLAGE_EMBEDDED_WORKER=1``, ``maillage serve`` starts one worker process itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Case, F, Min, When
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from maillage.core.metrics import TASK_DURATION

if TYPE_CHECKING:
    # The stubs' plugin reads `_User` as AUTH_USER_MODEL (people.Person), which this layer
    # does not import.
    from django.contrib.auth.models import _User as Person


logger = logging.getLogger("maillage.queue")

ATTEMPT_KWARG = "_attempt"


class Retrying(Exception):
    """This attempt failed; the task was enqueued again (the cause is the real error)."""


class Interrupted(Exception):
    """The worker running this task stopped (killed, machine lost) before it finished."""


RETRYING_PATH = f"{Retrying.__module__}.{Retrying.__qualname__}"


def retry_delay(attempt: int) -> dt.timedelta:
    """Back-off before attempt ``attempt + 1``: doubles from ``MAILLAGE_QUEUE_RETRY_SECONDS``."""
    return dt.timedelta(seconds=settings.MAILLAGE_QUEUE_RETRY_SECONDS * 2 ** (attempt - 1))


def queued(*, attempts: int | None = None, priority: int = 0) -> Callable[[Callable], Task]:
    """Make ``func`` a queue task retried with back-off, ``attempts`` tries in all.

    The attempt number travels in the task's keyword arguments (``_attempt``), so that it is
    stored with the row and a retry is an ordinary enqueue.
    """

    def decorate(func: Callable) -> Task:
        @functools.wraps(func)
        def body(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            limit = attempts or settings.MAILLAGE_QUEUE_ATTEMPTS
            began = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except Exception as error:
                outcome = "failed" if attempt >= limit else "retried"
                TASK_DURATION.labels(name, outcome).observe(time.perf_counter() - began)
                if attempt >= limit:
                    logger.exception("task %s failed (attempt %s of %s)", name, attempt, limit)
                    raise
                delay = retry_delay(attempt)
                again = the_task.using(run_after=timezone.now() + delay)
                again.enqueue(*args, **kwargs, **{ATTEMPT_KWARG: attempt + 1})
                logger.warning(
                    "task %s failed (attempt %s of %s), retried in %s s: %s",
                    name,
                    attempt,
                    limit,
                    int(delay.total_seconds()),
                    error,
                )
                raise Retrying(
                    f"attempt {attempt} of {limit} failed ({type(error).__name__}: {error}); "
                    f"retried in {int(delay.total_seconds())} s"
                ) from error
            TASK_DURATION.labels(name, "ok").observe(time.perf_counter() - began)
            return result

        name = f"{func.__module__}.{func.__qualname__}"
        the_task: Task = task(priority=priority)(body)
        return the_task

    return decorate


def enqueue_on_commit(the_task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: the_task.enqueue(*args, **kwargs))


# ---------------------------------------------------------------------------------------------
# What the queue holds


def _ready_since() -> Case:
    # A task enqueued without run_after is stored with the far-future sentinel: it is ready
    # since it was enqueued.
    return Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))


def queue_depth() -> int:
    """Return how many tasks are ready to run now (not the delayed retries)."""
    return DBTaskResult.objects.ready().count()


def queue_lag_seconds(*, now: dt.datetime | None = None) -> float:
    """Return how long the oldest ready task has waited, in seconds (0 when none waits)."""
    now = now or timezone.now()
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(_ready_since()))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def failed_tasks() -> Any:
    """Return the tasks that failed for good (their last attempt), newest first."""
    return (
        DBTaskResult.objects.failed()
        .exclude(exception_class_path=RETRYING_PATH)
        .order_by("-finished_at")
    )


def queue_counts() -> dict[str, int]:
    """Return the number of tasks in each state, for ``maillage jobs status`` and metrics."""
    rows = DBTaskResult.objects.all()
    return {
        "ready": queue_depth(),
        "scheduled": rows.filter(status=TaskResultStatus.READY).count() - queue_depth(),
        "running": rows.running().count(),
        "retried": rows.failed().filter(exception_class_path=RETRYING_PATH).count(),
        "failed": failed_tasks().count(),
        "succeeded": rows.successful().count(),
    }


def error_line(row: DBTaskResult) -> str:
    """Return the last line of a failed task's traceback: the error a person reads first."""
    lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else row.exception_class_path


@transaction.atomic
def task_retry(*, actor: Person | None, task_id: Any) -> DBTaskResult:
    """Enqueue a failed task again from its first attempt; return the new row.

    ``actor`` None is the operator at the command line. The failed row stays (its traceback
    remains readable) and now counts as retried, so that it leaves the list of failures.
    """
    from maillage.core.permissions import require
    from maillage.core.services import audit_record

    if actor is not None:
        require(actor, "core.retry_task")
    row = DBTaskResult.objects.select_for_update().get(pk=task_id)
    if row.status != TaskResultStatus.FAILED or row.exception_class_path == RETRYING_PATH:
        raise ValueError(f"task {row.pk} is not a failed task waiting for a retry")
    kwargs = {k: v for k, v in row.args_kwargs["kwargs"].items() if k != ATTEMPT_KWARG}
    result = row.task.using(run_after=timezone.now()).enqueue(*row.args_kwargs["args"], **kwargs)
    row.exception_class_path = RETRYING_PATH
    row.save(update_fields=["exception_class_path"])
    audit_record(
        actor=actor,
        action="core.task.retry",
        target=row,
        data={"task": row.task_path, "new_task": str(result.id)},
    )
    return DBTaskResult.objects.get(pk=result.id)


def recover_stale(*, older_than: dt.timedelta | None = None) -> int:
    """Fail the tasks left running by a stopped worker, and retry them; return how many.

    A task counts as stale when it has been running longer than
    ``MAILLAGE_QUEUE_STALE_SECONDS``: its worker is assumed gone. It is retried like any
    failure (bounded attempts), so a task that kills its worker does not loop for ever.
    """
    older_than = older_than or dt.timedelta(seconds=settings.MAILLAGE_QUEUE_STALE_SECONDS)
    cutoff = timezone.now() - older_than
    recovered = 0
    for row_id in (
        DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=row_id, status=TaskResultStatus.RUNNING)
                .first()
            )
            if row is None:
                continue
            kwargs = dict(row.args_kwargs["kwargs"])
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            limit = settings.MAILLAGE_QUEUE_ATTEMPTS
            error: Exception = Interrupted(
                f"the worker stopped while running it (attempt {attempt} of {limit})"
            )
            if attempt < limit:
                row.task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                    *row.args_kwargs["args"], **kwargs, **{ATTEMPT_KWARG: attempt + 1}
                )
                retrying = Retrying(f"{error}; retried")
                retrying.__cause__ = error
                error = retrying
            row.set_failed(error)
            recovered += 1
    if recovered:
        logger.warning("queue: %s task(s) left running by a stopped worker recovered", recovered)
    return recovered


def prune(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete the finished tasks and periodic runs older than ``older_than``; return how many.

    Failures for good are kept until an admin has seen them (retried or not, they stay 30 days).
    """
    from maillage.core.models import PeriodicRun

    cutoff = timezone.now() - older_than
    done, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    retried, _ = (
        DBTaskResult.objects.failed()
        .filter(exception_class_path=RETRYING_PATH, finished_at__lt=cutoff)
        .delete()
    )
    old, _ = (
        DBTaskResult.objects.failed()
        .filter(finished_at__lt=timezone.now() - max(older_than, dt.timedelta(days=30)))
        .delete()
    )
    periods, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    return done + retried + old + periods


# ---------------------------------------------------------------------------------------------
# Periodic jobs through the queue

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def period_start(every: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """Return the start of the period of length ``every`` that contains ``now`` (UTC-aligned)."""
    return _EPOCH + ((now - _EPOCH) // every) * every


def schedule_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue each periodic job whose current period has not been enqueued; return their names.

    Any number of processes may call it at once: the unique (name, period) row is inserted by
    one of them only, in the same transaction as the task it enqueues.
    """
    from maillage.core.jobs import jobs
    from maillage.core.models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for job_ in jobs():
        slot = period_start(job_.every, now)
        if PeriodicRun.objects.filter(name=job_.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                period = PeriodicRun.objects.create(name=job_.name, slot=slot)
                result = run_periodic.enqueue(job_.name)
                period.task_id = str(result.id)
                period.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another process enqueued this period first
        enqueued.append(job_.name)
    return enqueued


@queued(attempts=3)
def run_periodic(name: str) -> dict[str, Any]:
    """Run the periodic job ``name`` in a worker (enqueued by ``schedule_due``)."""
    from maillage.core.jobs import get_job, run_job

    result = run_job(get_job(name), raise_errors=True)
    return {"status": result.status, "count": result.count, "seconds": round(result.seconds, 3)}


def start_scheduler(interval: float = 60.0) -> threading.Thread:
    """Tick ``schedule_due`` every ``interval`` seconds in a daemon thread (enqueue only)."""

    def loop() -> None:
        while True:
            try:
                for name in schedule_due():
                    logger.info("periodic job %s enqueued", name)
            except Exception:  # the scheduler outlives a database hiccup
                logger.exception("the job scheduler failed; it will try again")
            finally:
                close_old_connections()
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="maillage-scheduler", daemon=True)
    thread.start()
    return thread
