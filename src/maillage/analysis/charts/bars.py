"""Bar charts: horizontal bars, stacked bars (merit profiles), grouped bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maillage.analysis.charts.axes import Scale, y_axis_title
from maillage.analysis.charts.figure import Chart, Swatch, hatch_pattern, svg_root
from maillage.analysis.charts.markup import el
from maillage.analysis.charts.palette import DIVERGING, INK, MUTED, SERIES, WHITE, text_colour_on
from maillage.analysis.charts.text import fit, text_width


@dataclass(frozen=True)
class BarRow:
    label: str
    value: float
    text: str  # the value as people read it, written after the bar


def bar_chart(
    rows: Sequence[BarRow],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: float = 600,
    colour: str = SERIES[0],
) -> Chart:
    """Return one bar per row, its label above it and its value written after it."""
    size, row_height, bar_height = 15, 50, 18
    longest = max((text_width(r.text, size - 1) for r in rows), default=0.0)
    scale = Scale(0, max([r.value for r in rows] or [0]) or 1.0, 0, width - longest - 12)
    body = []
    for i, row in enumerate(rows):
        top = i * row_height
        end = scale(row.value)
        body.append(
            el("text", fit(row.label, size, width), x=0, y=top + 16, font_size=size, fill=INK)
        )
        body.append(el("rect", x=0, y=top + 23, width=end, height=bar_height, fill=colour))
        body.append(el("text", row.text, x=end + 6, y=top + 37, font_size=size - 1, fill=INK))
    height = len(rows) * row_height + 4
    return Chart(svg_root(chart_id, width, height, title, desc, *body), width, height)


# ---------------------------------------------------------------- stacked bars


@dataclass(frozen=True)
class Segment:
    count: int
    share: float
    text: str  # the share as people read it


@dataclass(frozen=True)
class StackedRow:
    label: str
    segments: tuple[Segment, ...]


def stacked_bar_chart(
    rows: Sequence[StackedRow],
    categories: Sequence[str],
    *,
    chart_id: str,
    title: str,
    desc: str,
    colours: Sequence[str] = DIVERGING,
    median: bool = True,
    legend_name: str = "",
    width: float = 600,
) -> Chart:
    """Return one bar per row split by category, each part's share written when it fits.

    A dashed line marks the median (half the total) when ``median`` is set.
    """
    size, row_height, bar_height = 15, 64, 28
    body = []
    for i, row in enumerate(rows):
        top = i * row_height
        body.append(
            el("text", fit(row.label, size, width), x=0, y=top + 18, font_size=size, fill=INK)
        )
        x = 0.0
        for j, segment in enumerate(row.segments):
            part = segment.share * width
            if part <= 0:
                continue
            fill = colours[j % len(colours)]
            body.append(
                el(
                    "rect",
                    el("title", f"{categories[j]} : {segment.count} ({segment.text})"),
                    x=round(x, 2),
                    y=top + 26,
                    width=round(part, 2),
                    height=bar_height,
                    fill=fill,
                    stroke=WHITE,
                    stroke_width=1.5,
                )
            )
            if text_width(segment.text, size - 2) + 6 <= part:
                body.append(
                    el(
                        "text",
                        segment.text,
                        x=round(x + part / 2, 2),
                        y=top + 26 + bar_height / 2 + 5,
                        font_size=size - 2,
                        text_anchor="middle",
                        fill=text_colour_on(fill),
                    )
                )
            x += part
        if median:  # over the bar only, never across the label above it
            body.append(
                el(
                    "line",
                    x1=width / 2,
                    x2=width / 2,
                    y1=top + 22,
                    y2=top + 30 + bar_height,
                    stroke=INK,
                    stroke_width=2,
                    stroke_dasharray="4 3",
                )
            )
    height = len(rows) * row_height + 6
    legend = tuple(Swatch(label, colours[i % len(colours)]) for i, label in enumerate(categories))
    return Chart(
        svg_root(chart_id, width, height, title, desc, *body),
        width,
        height,
        legend=legend,
        legend_name=legend_name,
    )


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: tuple[float, ...]
    colour: str
    hatched: bool = False


def grouped_bar_chart(
    x_labels: Sequence[str],
    series: Sequence[BarSeries],
    value_text: Sequence[Sequence[str]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_title: str = "",
    legend_name: str = "",
    plot_height: float = 170,
) -> Chart:
    """Return, per x label, one bar per series side by side, each with its value written above.

    ``value_text[s][i]`` is the value of series ``s`` at ``x_labels[i]`` as people read it.
    Hatched series are told apart from plain ones without colour.
    """
    size, bar, gap = 13, 18, 2
    group: float = len(series) * (bar + gap) + 12
    label_width = max((text_width(label, size) for label in x_labels), default=0.0)
    group = max(group, label_width + 10)
    left = 8
    width = max(left + group * len(x_labels) + 8, 240)
    top = size * 2 + 14 if y_title else size + 10
    bottom = top + plot_height
    peak = max([v for s in series for v in s.values] or [0]) or 1
    ys = Scale(0, peak, bottom, top)
    body: list[str] = []
    defs = [
        hatch_pattern(f"{chart_id}-hatch-{k}", s.colour) for k, s in enumerate(series) if s.hatched
    ]
    if defs:
        body.append(el("defs", *defs))
    if y_title:
        body.append(y_axis_title(y_title, 0, size))
    body.append(el("line", x1=0, x2=width, y1=bottom, y2=bottom, stroke=MUTED))
    for i, label in enumerate(x_labels):
        x0 = left + i * group + (group - len(series) * (bar + gap)) / 2
        for k, s in enumerate(series):
            x = round(x0 + k * (bar + gap), 2)
            y = ys(s.values[i])
            fill = f"url(#{chart_id}-hatch-{k})" if s.hatched else s.colour
            body.append(
                el(
                    "rect",
                    x=x,
                    y=y,
                    width=bar,
                    height=round(bottom - y, 2),
                    fill=fill,
                    stroke=s.colour,
                )
            )
            body.append(
                el(
                    "text",
                    value_text[k][i],
                    x=x + bar / 2,
                    y=y - 4,
                    font_size=size - 1,
                    text_anchor="middle",
                    fill=INK,
                )
            )
        body.append(
            el(
                "text",
                label,
                x=round(left + i * group + group / 2, 2),
                y=bottom + size + 6,
                font_size=size,
                text_anchor="middle",
                fill=INK,
            )
        )
    height = bottom + size + 10
    legend = tuple(Swatch(s.name, s.colour, "hatch" if s.hatched else "square") for s in series)
    return Chart(
        svg_root(chart_id, width, height, title, desc, *body),
        width,
        height,
        legend=legend,
        legend_name=legend_name,
    )
