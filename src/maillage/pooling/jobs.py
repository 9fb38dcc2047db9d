"""Periodic jobs of pooling: the nightly recomputation of the suggestions of every need."""

from __future__ import annotations

import datetime as dt

from maillage.core.jobs import Progress, job
from maillage.pooling.models import Need
from maillage.pooling.services import suggestion_recompute_all


@job(
    "pooling-suggestions",
    every=dt.timedelta(days=1),
    description="Recompute the top suggestions of every need (nightly)",
)
def recompute(progress: Progress | None = None) -> int:
    total = Need.objects.count()
    return suggestion_recompute_all(
        progress=(lambda done: progress(done, total)) if progress is not None else None
    )
