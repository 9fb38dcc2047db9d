"""Periodic jobs of the task queue itself: tasks of a stopped worker retried, old rows pruned."""

from __future__ import annotations

import datetime as dt

from maillage.core.jobs import Progress, job
from maillage.core.queue import prune, recover_stale


@job(
    "queue-recover",
    every=dt.timedelta(minutes=5),
    description="Retry the tasks left running by a stopped worker",
)
def recover(progress: Progress | None = None) -> int:
    return recover_stale()


@job(
    "queue-prune",
    every=dt.timedelta(days=1),
    description="Delete finished tasks after 7 days (failures after 30)",
)
def prune_old(progress: Progress | None = None) -> int:
    return prune()
