"""Moments written as people of each language write them: « 19 h », « 19 h 30 », "7 p.m."."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone

# French typography writes a whole hour "19 h", not "19 h 00": the French formats of
# maillage.formats write the minutes right after the hour sign, and lose them on the hour.
# English needs no such rule: its "P" already gives "7 p.m." and "7:30 p.m.".
MINUTES_AFTER_HOUR_SIGN = r"\h i"


def moment_format(value: dt.datetime | dt.time, format_name: str = "DATETIME_FORMAT") -> str:
    """Return ``value`` in the active language's ``format_name`` and the current time zone.

    On the hour, French drops the minutes: « 30 juin 2025 à 19 h », « 19 h 30 » otherwise.
    """
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    pattern = formats.get_format(format_name)
    if value.minute == 0:
        pattern = pattern.replace(MINUTES_AFTER_HOUR_SIGN, r"\h")
    if isinstance(value, dt.datetime):
        return formats.date_format(value, pattern)
    return formats.time_format(value, pattern)
