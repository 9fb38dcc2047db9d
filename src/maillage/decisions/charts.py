"""Merit-profile charts drawn as inline SVG: stacked bars with text labels, no colour alone.

Each bar is an option's merit profile (share of each grade, worst on the left); the segment
shows its percentage in text when wide enough, a dashed line marks the median (50 %), and the
majority grade is written beside the bar. The page puts the same figures in a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Worst to best; text colour chosen for a contrast ratio of at least 4.5:1 on each fill.
GRADE_FILLS = (
    ("#7f1d1d", "#ffffff"),
    ("#b91c1c", "#ffffff"),
    ("#fdba74", "#111827"),
    ("#fde68a", "#111827"),
    ("#bbf7d0", "#111827"),
    ("#4ade80", "#111827"),
    ("#166534", "#ffffff"),
)
APPROVAL_FILLS = (("#e5e7eb", "#111827"), ("#1e40af", "#ffffff"))

BAR_WIDTH = 600
BAR_HEIGHT = 28
ROW_HEIGHT = 64
MIN_LABELLED_SHARE = 0.06


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    text_fill: str
    grade: str
    count: int
    percent: str
    show_text: bool

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Bar:
    y: float
    label_y: float
    text_y: float
    label: str
    rank: int
    majority_grade: str
    gauge: str
    segments: tuple[Segment, ...]
    cells: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    median_x: float
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def merit_profile_chart(results: Any, options: list[Any]) -> Chart:
    """Return the drawing of every option's merit profile, best ranked first."""
    bars = []
    fills = GRADE_FILLS if len(results.grades) == len(GRADE_FILLS) else APPROVAL_FILLS
    for index, option in enumerate(results.majority.ranking):
        y = index * ROW_HEIGHT + 24
        x = 0.0
        segments = []
        for grade_index, (count, share) in enumerate(zip(option.tally, option.shares, strict=True)):
            width = share * BAR_WIDTH
            fill, text_fill = fills[grade_index % len(fills)]
            segments.append(
                Segment(
                    x=round(x, 2),
                    width=round(width, 2),
                    fill=fill,
                    text_fill=text_fill,
                    grade=results.grades[grade_index],
                    count=count,
                    percent=_percent(share),
                    show_text=share >= MIN_LABELLED_SHARE,
                )
            )
            x += width
        bars.append(
            Bar(
                y=y,
                label_y=y - 6,
                text_y=y + BAR_HEIGHT / 2 + 5,
                label=results.option_labels[option.option],
                rank=option.rank,
                majority_grade=option.majority_grade_label,
                gauge=option.gauge_sign,
                segments=tuple(s for s in segments if s.width > 0),
                cells=tuple(segments),
            )
        )
    return Chart(
        width=BAR_WIDTH,
        height=len(bars) * ROW_HEIGHT + 10,
        median_x=BAR_WIDTH / 2,
        bars=tuple(bars),
        legend=tuple((label, fills[i % len(fills)][0]) for i, label in enumerate(results.grades)),
    )


def approval_rows(results: Any, options: list[Any]) -> list[dict[str, Any]]:
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
