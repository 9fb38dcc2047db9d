"""Dates read as people write them: « 30 juin 2025 à 20 h 00 », never « 30 Jui 2025 »."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

SRC = Path(__file__).resolve().parents[2]
MOMENT = dt.datetime(2025, 6, 30, 18, 0, tzinfo=dt.UTC)  # 20:00 in Paris


@pytest.mark.parametrize(
    ("language", "date", "moment", "short"),
    [
        ("fr", "30 juin 2025", "30 juin 2025 à 20 h 00", "30/06/2025 20 h 00"),
        ("en", "30 June 2025", "30 June 2025, 8 p.m.", "30/06/2025 8 p.m."),
    ],
)
def test_dates_and_times_are_written_in_the_language_and_the_territorys_time_zone(
    language: str, date: str, moment: str, short: str
) -> None:
    template = Template(
        '{{ d|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}'
    )
    with translation.override(language):
        rendered = template.render(Context({"d": MOMENT.date(), "m": MOMENT}))
    assert rendered == f"{date}|{moment}|{short}"


def test_no_template_writes_a_month_as_an_ambiguous_abbreviation() -> None:
    # French "M" gives "jui" for both juin and juillet.
    abbreviated = re.compile(r'\|date:"(?![A-Z_]+")[^"]*M[^"]*"')
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.html")
        if abbreviated.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
