"""Dates read as people write them: « 30 juin 2025 à 20 h », « 20 h 30 », never « 30 Jui 2025 »."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from maillage.core.dates import moment_format

SRC = Path(__file__).resolve().parents[2]
MOMENT = dt.datetime(2025, 6, 30, 18, 0, tzinfo=dt.UTC)  # 20:00 in Paris
HALF_PAST = MOMENT + dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "30 juin 2025|30 juin 2025 à 20 h|30/06/2025 20 h|20 h"
            "|30 juin 2025 à 20 h 30|30/06/2025 20 h 30|20 h 30|9 h 05",
        ),
        (
            "en",
            "30 June 2025|30 June 2025, 8 p.m.|30/06/2025 8 p.m.|8 p.m."
            "|30 June 2025, 8:30 p.m.|30/06/2025 8:30 p.m.|8:30 p.m.|9:05 a.m.",
        ),
    ],
)
def test_dates_and_times_are_written_in_the_language_and_the_territorys_time_zone(
    language: str, expected: str
) -> None:
    # French typography: a whole hour is « 20 h », never « 20 h 00 »; other times « 20 h 30 ».
    template = Template(
        '{% load dates %}{{ d|date:"DATE_FORMAT" }}'
        '|{{ m|moment }}|{{ m|moment:"SHORT_DATETIME_FORMAT" }}|{{ m|moment:"TIME_FORMAT" }}'
        '|{{ h|moment }}|{{ h|moment:"SHORT_DATETIME_FORMAT" }}|{{ h|moment:"TIME_FORMAT" }}'
        '|{{ t|moment:"TIME_FORMAT" }}'
    )
    context = {"d": MOMENT.date(), "m": MOMENT, "h": HALF_PAST, "t": dt.time(9, 5)}
    with translation.override(language):
        rendered = template.render(Context(context))
    assert rendered == expected


def test_emails_write_a_whole_hour_without_its_minutes_too() -> None:
    with translation.override("fr"):
        assert moment_format(MOMENT, "SHORT_DATETIME_FORMAT") == "30/06/2025 20 h"


def test_no_template_writes_a_month_as_an_ambiguous_abbreviation() -> None:
    # French "M" gives "jui" for both juin and juillet.
    abbreviated = re.compile(r'\|date:"(?![A-Z_]+")[^"]*M[^"]*"')
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.html")
        if abbreviated.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_time_of_day_in_a_template_goes_through_the_moment_filter() -> None:
    # |date with a time (a format name with TIME, or a pattern with hours or minutes) would
    # write « 19 h 00 »; |moment writes « 19 h ».
    with_time = re.compile(r'\|date:"(?:[A-Z_]*TIME[A-Z_]*|(?![A-Z_]+")[^"]*[GHgAaPi][^"]*)"')
    offenders = [
        str(path.relative_to(SRC))
        for path in [*SRC.rglob("*.html"), *SRC.rglob("*.txt")]
        if with_time.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
