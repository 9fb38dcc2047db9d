"""Queue tasks of the observatory: the queued theme analyses computed by a worker."""

from __future__ import annotations

from maillage.core.queue import queued
from maillage.observatory.services import analysis_run_pending


@queued()
def compute_pending() -> int:
    """Compute every queued analysis run (each request or closing enqueues one such task)."""
    return analysis_run_pending()
