"""The merit profiles of a closed poll, drawn with the shared chart module.

Each bar is an option's merit profile (share of each grade, worst on the left); a part writes its
percentage when wide enough, a dashed line marks the median (50 %), and the option's rank and
majority grade head its bar. The page puts the same figures in a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maillage.analysis import charts

MAJORITY_GRADES = 7


@dataclass(frozen=True)
class ProfileRow:
    """An option's line of the table beside the chart."""

    rank: int
    label: str
    majority_grade: str
    cells: tuple[tuple[int, str], ...]  # per grade: voters, share as people read it


def merit_profiles(results: Any) -> tuple[charts.Chart, list[ProfileRow]]:
    """Return the chart of every option's merit profile, best ranked first, and its table."""
    numbers = charts.NumberFormat.for_language(get_language())
    rows, table = [], []
    for option in results.majority.ranking:
        label = results.option_labels[option.option]
        grade = f"{option.majority_grade_label}{option.gauge_sign}"
        segments = tuple(
            charts.Segment(count, share, numbers.percent(share))
            for count, share in zip(option.tally, option.shares, strict=True)
        )
        rows.append(charts.StackedRow(f"{option.rank}. {label} — {grade}", segments))
        table.append(
            ProfileRow(option.rank, label, grade, tuple((s.count, s.text) for s in segments))
        )
    majority = len(results.grades) == MAJORITY_GRADES
    chart = charts.stacked_bar_chart(
        rows,
        results.grades,
        colours=charts.DIVERGING if majority else charts.BINARY,
        chart_id="merit-profiles",
        title=_("Merit profiles"),
        desc=_(
            "One stacked bar per option, best ranked first: the share of each grade from Reject "
            "on the left to Excellent on the right; the dashed line marks the median. The table "
            "below gives the same figures."
        ),
        legend_name=_("Grades, from left to right:"),
    )
    return chart, table


def approval_rows(results: Any) -> list[dict[str, Any]]:
    """Return approval results as rows with the bar width in percent."""
    approval = results.approval
    return [
        {
            "label": results.option_labels[key],
            "count": approval.counts[key],
            "percent": round(approval.shares[key] * 100),
            "rank": approval.ranks[key],
        }
        for key in approval.ranking
    ]
