"""Observatory charts drawn as inline SVG; each page puts the same figures in a table beside.

Themes are horizontal bars with their percentage written; weak signals are placed on Yoon's
keyword emergence map (degree of visibility across, its increase rate up), each quadrant
named and each quadrant drawn with its own marker shape, so colour is never the only cue;
term timelines are small multiples of the contributions using the term, period by period.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

WIDTH = 600
INK = "#111827"
ACCENT = "#1e40af"
GRID = "#6b7280"
# Marker fill per quadrant, each with at least 3:1 contrast on white (WCAG 1.4.11).
QUADRANT_FILLS = {
    "weak": "#b91c1c",
    "strong": "#1e40af",
    "latent": "#4b5563",
    "well-known": "#166534",
}


@dataclass(frozen=True)
class Bar:
    y: float
    text_y: float
    label: str
    width: float
    percent: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]


def theme_bars(themes: list[Any]) -> BarChart:
    """Return one bar per theme, its length the theme's share (the largest fills the width)."""
    row = 46
    largest = max([theme.share for theme in themes] or [0.0]) or 1.0
    bars = tuple(
        Bar(
            y=index * row + 22,
            text_y=index * row + 16,
            label=theme.label,
            width=round(theme.share / largest * (WIDTH - 70), 2),
            percent=f"{round(theme.share * 100)} %",
        )
        for index, theme in enumerate(themes)
    )
    return BarChart(width=WIDTH, height=len(bars) * row + 8, bars=bars)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    term: str
    quadrant: str
    fill: str
    path: str
    labelled: bool


@dataclass(frozen=True)
class QuadrantChart:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    cut_x: float
    cut_y: float
    points: tuple[Point, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]


def _marker(quadrant: str, x: float, y: float) -> str:
    """Return an SVG path: triangle (weak), diamond (strong), square (latent), cross."""
    r = 5
    if quadrant == "weak":
        return f"M{x},{y - r} L{x + r},{y + r} L{x - r},{y + r} Z"
    if quadrant == "strong":
        return f"M{x},{y - r} L{x + r},{y} L{x},{y + r} L{x - r},{y} Z"
    if quadrant == "latent":
        return f"M{x - r},{y - r} H{x + r} V{y + r} H{x - r} Z"
    return f"M{x - r},{y - 1.5} H{x + r} V{y + 1.5} H{x - r} Z M{x - 1.5},{y - r} V{y + r} H{x + 1.5} V{y - r} Z"


def quadrant_chart(signals: list[Any], labelled: int = 12) -> QuadrantChart | None:
    """Return the keyword emergence map of one period's signals, or None without signals.

    Across: the degree of visibility (how often the term is used); up: its increase rate.
    The dashed lines cut both axes at the median of the terms drawn, as in Yoon (2012).
    The ``labelled`` most rising emerging or weak terms get their name written.
    """
    if not signals:
        return None
    left, top, right, bottom, height = 64, 16, WIDTH - 12, 340, 380
    xs = [s.visibility for s in signals]
    ys = [s.visibility_increase for s in signals]
    x_low, x_high = 0.0, max(xs) * 1.05 or 1.0
    y_low, y_high = min(min(ys), 0.0), max(max(ys), 0.0)
    if y_high == y_low:
        y_high = y_low + 1.0
    span = y_high - y_low
    y_low, y_high = y_low - span * 0.05, y_high + span * 0.05

    def sx(value: float) -> float:
        return round(left + (value - x_low) / (x_high - x_low) * (right - left), 2)

    def sy(value: float) -> float:
        return round(bottom - (value - y_low) / (y_high - y_low) * (bottom - top), 2)

    ranked = sorted(
        (s for s in signals if s.quadrant in ("weak", "strong")),
        key=lambda s: (not s.emerging, -s.visibility_increase),
    )
    named = {id(s) for s in ranked[:labelled]}
    points = tuple(
        Point(
            x=sx(s.visibility),
            y=sy(s.visibility_increase),
            term=s.term,
            quadrant=s.quadrant,
            fill=QUADRANT_FILLS.get(s.quadrant, INK),
            path=_marker(s.quadrant, sx(s.visibility), sy(s.visibility_increase)),
            labelled=id(s) in named,
        )
        for s in signals
    )
    return QuadrantChart(
        width=WIDTH,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        cut_x=sx(median(xs)),
        cut_y=sy(median(ys)),
        points=points,
        x_ticks=tuple((sx(x_high * i / 4), f"{x_high * i / 4:.3f}") for i in range(5)),
        y_ticks=tuple(
            (sy(y_low + (y_high - y_low) * i / 4), f"{(y_low + (y_high - y_low) * i / 4):+.0%}")
            for i in range(5)
        ),
    )


@dataclass(frozen=True)
class Sparkline:
    term: str
    width: int
    height: int
    points: str
    dots: tuple[tuple[float, float, int], ...]
    peak: int
    values: tuple[int, ...]


def timelines(run: Any, terms: list[str]) -> list[Sparkline]:
    """Return one small line per term: contributions using it in each period of ``run``."""
    width, height, pad = 260, 70, 8
    lines = []
    for term in terms:
        values = run.timelines.get(term, [])
        if not values:
            continue
        peak = max(values) or 1
        step = (width - 2 * pad) / max(len(values) - 1, 1)
        dots = tuple(
            (
                round(pad + i * step, 2),
                round(height - pad - value / peak * (height - 2 * pad), 2),
                value,
            )
            for i, value in enumerate(values)
        )
        lines.append(
            Sparkline(
                term=term,
                width=width,
                height=height,
                points=" ".join(f"{x},{y}" for x, y, _ in dots),
                dots=dots,
                peak=max(values),
                values=tuple(values),
            )
        )
    return lines
