"""Periods with a start and an optional end: memberships, roles on territories, circle seats.

ONE definition of "active" for all of them: no end, or an end today or later (``until`` is the
last day). Ending a period today therefore keeps it active until the evening; a database
constraint on the open rows (``until`` is null) is a different question, that of duplicates.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def active_q(prefix: str = "") -> Q:
    """Return the filter for a period active today; ``prefix`` reaches it across a relation
    (``"memberships__"``)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})


def is_active(until: dt.date | None, today: dt.date | None = None) -> bool:
    """Return whether a period ending on ``until`` (None: open) is active ``today``."""
    return until is None or until >= (today or timezone.localdate())
