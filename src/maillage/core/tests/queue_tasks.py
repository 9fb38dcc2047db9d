"""Tasks the queue tests enqueue (a worker process imports them by their path, like any task)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from maillage.core.models import AuditEntry
from maillage.core.queue import queued


@queued(attempts=3)
def always_fails(label: str) -> None:
    raise RuntimeError(f"the index {label} is missing")


@queued(attempts=3)
def fails_first(counter: str) -> int:
    """Fail on the first call, succeed on the next (the calls are counted in a file)."""
    path = Path(counter)
    calls = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(calls))
    if calls == 1:
        raise ConnectionError("the database went away")
    return calls


@queued()
def record(name: str, seconds: float = 0.0) -> int:
    """Leave a row naming the process that ran it (after ``seconds`` of work)."""
    time.sleep(seconds)
    return AuditEntry.objects.create(
        action="test.queue.record", data={"name": name, "pid": os.getpid()}
    ).pk
