"""Periodic jobs: what the platform does by itself (reminders, closing rounds, recomputations).

Each capability declares its jobs with ``@job`` in the module its AppConfig names (``jobs``,
see ``core.capabilities``); ``run_due`` runs those
whose period has passed. They run in the task queue (``core.queue``): the scheduler of every
``maillage worker`` and ``maillage serve`` enqueues each job once per period
(``queue.schedule_due``), a worker runs it (``queue.run_periodic`` → ``run_job``), retried on
failure. ``maillage jobs run --due`` enqueues the due ones (for a cron, none is needed);
``maillage jobs run NAME`` runs one now in the terminal, ``--enqueue`` hands it to the workers.

The last run of each job and a lock are kept in Django's cache (Redis when ``REDIS_URL`` is
set, else the database cache table), shared by every process: a job run by hand while a worker
runs it is skipped. Each job is also idempotent on its own data.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from maillage.core.capabilities import job_modules

logger = logging.getLogger("maillage.jobs")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    description: str
    run: Callable[[Progress | None], int]


_JOBS: dict[str, Job] = {}
LOCK_SECONDS = 3 * 3600


def job(name: str, *, every: dt.timedelta, description: str) -> Callable:
    """Register ``func(progress) -> count`` as the periodic job ``name``."""

    def register(func: Callable[[Progress | None], int]) -> Callable[[Progress | None], int]:
        _JOBS[name] = Job(name, every, description, func)
        return func

    return register


def jobs() -> list[Job]:
    """Return the jobs of the installed apps' declared job modules, in name order."""
    modules = set(job_modules())
    return sorted((j for j in _JOBS.values() if j.run.__module__ in modules), key=lambda j: j.name)


class UnknownJob(LookupError):
    pass


def get_job(name: str) -> Job:
    known = {j.name: j for j in jobs()}
    if name not in known:
        raise UnknownJob(f"unknown job {name!r}; known jobs: {', '.join(sorted(known)) or 'none'}")
    return known[name]


def last_run(name: str) -> dt.datetime | None:
    return cache.get(f"maillage:jobs:last:{name}")


def is_due(job_: Job, now: dt.datetime) -> bool:
    previous = last_run(job_.name)
    return previous is None or now - previous >= job_.every


@dataclass(frozen=True)
class JobResult:
    name: str
    status: str  # done, skipped (another process holds it), failed
    count: int = 0
    seconds: float = 0.0
    error: str = ""


def run_job(
    job_: Job, *, progress: Progress | None = None, raise_errors: bool = False
) -> JobResult:
    """Run ``job_`` now unless another process is running it; record when it ran.

    ``raise_errors``: a failure raises (the queue retries it) instead of being returned.
    """
    lock = f"maillage:jobs:lock:{job_.name}"
    if not cache.add(lock, "1", LOCK_SECONDS):
        return JobResult(job_.name, "skipped")
    started = time.perf_counter()
    try:
        count = int(job_.run(progress) or 0)
    except Exception as error:  # one failing job must not stop the others
        if raise_errors:
            raise
        logger.exception("job %s failed", job_.name)
        return JobResult(
            job_.name, "failed", seconds=time.perf_counter() - started, error=str(error)
        )
    else:
        cache.set(f"maillage:jobs:last:{job_.name}", timezone.now(), None)
        return JobResult(job_.name, "done", count, time.perf_counter() - started)
    finally:
        cache.delete(lock)


def run_due(*, now: dt.datetime | None = None, progress: Progress | None = None) -> list[JobResult]:
    """Run every job whose period has passed; return what each did."""
    now = now or timezone.now()
    return [run_job(j, progress=progress) for j in jobs() if is_due(j, now)]
