"""Periodic jobs of workshops: registrants are reminded before the day."""

from __future__ import annotations

import datetime as dt

from maillage.core.jobs import Progress, job
from maillage.workshops.services import workshop_send_reminders


@job(
    "workshops-reminders",
    every=dt.timedelta(hours=1),
    description="Remind the registrants of the workshops coming soon",
)
def remind(progress: Progress | None = None) -> int:
    return workshop_send_reminders()
