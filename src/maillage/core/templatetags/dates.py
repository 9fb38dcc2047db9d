"""``|moment``: a date with its time of day, or a time alone, as people write it (core.dates)."""

from __future__ import annotations

import datetime as dt

from django import template

from maillage.core.dates import moment_format

register = template.Library()


@register.filter
def moment(value: dt.datetime | dt.time | None, format_name: str = "DATETIME_FORMAT") -> str:
    """Return ``value`` in ``format_name`` (DATETIME_FORMAT, SHORT_DATETIME_FORMAT, TIME_FORMAT)."""
    if value is None or value == "":
        return ""
    return moment_format(value, format_name)
