"""Periodic jobs of the observatory: queued analyses computed, crashed runs recovered."""

from __future__ import annotations

import datetime as dt

from maillage.core.jobs import Progress, job
from maillage.observatory.services import analysis_recover_stale, analysis_run_pending


@job(
    "observatory-analyses",
    every=dt.timedelta(minutes=5),
    description="Compute the queued theme analyses; requeue those a crash left running",
)
def run_pending(progress: Progress | None = None) -> int:
    analysis_recover_stale()
    return analysis_run_pending()
