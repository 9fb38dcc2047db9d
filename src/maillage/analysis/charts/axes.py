"""Scales, round ticks and the axes drawn from them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from maillage.analysis.charts.markup import el
from maillage.analysis.charts.palette import GRID, INK, MUTED


@dataclass(frozen=True)
class Scale:
    """A linear map from data values (``low``…``high``) to drawing positions (``start``…``end``)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return round(self.start + (value - self.low) / span * (self.end - self.start), 2)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Return round tick values covering ``low``…``high`` (about ``count`` of them)."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1.0
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def decimals_for(ticks: Sequence[float]) -> int:
    """Return the fewest decimals that write every tick exactly (0.25 needs two)."""
    for decimals in range(7):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-6 for t in ticks):
            return decimals
    return 6


@dataclass(frozen=True)
class Axis:
    """What an axis reads: its title and how its tick values are written."""

    title: str = ""
    ticks: Sequence[float] = ()
    labels: Sequence[str] = ()  # one per tick, as people read them


def y_axis_marks(axis: Axis, scale: Scale, left: float, right: float, size: float) -> list[str]:
    body: list[str] = []
    for value, label in zip(axis.ticks, axis.labels, strict=True):
        y = scale(value)
        body.append(el("line", x1=left, x2=right, y1=y, y2=y, stroke=GRID))
        body.append(
            el(
                "text",
                label,
                x=left - 6,
                y=round(y + size * 0.35, 2),
                font_size=size,
                text_anchor="end",
                fill=MUTED,
            )
        )
    return body


def y_axis_title(title: str, left_edge: float, size: float) -> str:
    """Return the y axis title on its own line above the plot (never over a tick label)."""
    return el("text", title, x=left_edge, y=size, font_size=size, fill=INK)
