"""Periodic jobs of decisions: online rounds close at their deadline; members are reminded."""

from __future__ import annotations

import datetime as dt

from maillage.core.jobs import Progress, job
from maillage.decisions.services.rounds import rounds_close_due, rounds_send_reminders


@job(
    "decisions-close-rounds",
    every=dt.timedelta(minutes=10),
    description="Close the online rounds whose deadline has passed",
)
def close_rounds(progress: Progress | None = None) -> int:
    return rounds_close_due()


@job(
    "decisions-reminders",
    every=dt.timedelta(hours=1),
    description="Remind members who have not answered a round closing within a day",
)
def remind(progress: Progress | None = None) -> int:
    return rounds_send_reminders()
