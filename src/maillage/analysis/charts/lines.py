"""Line charts: one line per series across columns, and the small sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maillage.analysis.charts.axes import Axis, Scale, y_axis_marks, y_axis_title
from maillage.analysis.charts.figure import Chart, Swatch, marker, svg_root
from maillage.analysis.charts.markup import el, points
from maillage.analysis.charts.palette import GRID, INK, MUTED, SERIES
from maillage.analysis.charts.text import multiline, text_width, wrap


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    colour: str
    dash: str = ""
    shape: str = "circle"


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_axis: Axis,
    *,
    chart_id: str,
    title: str,
    desc: str,
    legend_name: str = "",
    width: float = 600,
    plot_height: float = 200,
) -> Chart:
    """Return one line per series across the ``x_labels`` columns, with markers at each value.

    A missing value (None) breaks the line. The y axis ticks come from ``y_axis``.
    """
    size = 14
    tick_width = max((text_width(t, size) for t in y_axis.labels), default=0.0)
    left, right = tick_width + 12, width - 8
    top = size * 2 if y_axis.title else 10
    bottom = top + plot_height
    columns = max(len(x_labels), 1)
    column_width = (right - left) / columns
    label_lines = [wrap(label, size - 1, column_width - 4) for label in x_labels]
    lines_needed = max((len(lines) for lines in label_lines), default=1)
    height = bottom + 10 + lines_needed * (size - 1) * 1.2 + 6
    ys = Scale(min(y_axis.ticks), max(y_axis.ticks), bottom, top)

    def x(index: int) -> float:
        return round(left + column_width * (index + 0.5), 2)

    body = [y_axis_title(y_axis.title, 0, size)] if y_axis.title else []
    body += y_axis_marks(y_axis, ys, left, right, size)
    for i, lines in enumerate(label_lines):
        body.append(
            multiline(lines, x(i), bottom + 10 + size, size - 1, text_anchor="middle", fill=INK)
        )
    for s in series:
        run: list[tuple[float, float]] = []
        runs = [run]
        for i, value in enumerate(s.values):
            if value is None:
                run = []
                runs.append(run)
            else:
                run.append((x(i), ys(value)))
        for part in runs:
            if len(part) > 1:
                body.append(
                    el(
                        "polyline",
                        points=points(part),
                        fill="none",
                        stroke=s.colour,
                        stroke_width=2.5,
                        stroke_dasharray=s.dash or None,
                    )
                )
        body += [marker(s.shape, px, py, 5, s.colour) for part in runs for px, py in part]
    legend = tuple(Swatch(s.name, s.colour, "line", s.dash) for s in series)
    return Chart(
        svg_root(chart_id, width, height, title, desc, *body),
        width,
        height,
        legend=legend if len(series) > 1 else (),
        legend_name=legend_name,
    )


def sparkline(
    values: Sequence[float],
    *,
    chart_id: str,
    title: str,
    desc: str,
    first_label: str = "",
    last_label: str = "",
    width: float = 260,
    colour: str = SERIES[0],
) -> Chart:
    """Return a small line of ``values`` with a dot each; its first and last x labels below."""
    size, pad, plot = 12, 6, 52
    peak = max(values, default=0) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    dots = [
        (round(pad + i * step, 2), round(pad + plot - v / peak * plot, 2))
        for i, v in enumerate(values)
    ]
    body: list[str] = [
        el("line", x1=pad, x2=width - pad, y1=pad + plot, y2=pad + plot, stroke=GRID)
    ]
    if len(dots) > 1:
        body.append(el("polyline", points=points(dots), fill="none", stroke=colour, stroke_width=2))
    body += [el("circle", cx=x, cy=y, r=3, fill=colour) for x, y in dots]
    height = pad + plot + 6
    if first_label or last_label:
        height += size + 2
        body.append(el("text", first_label, x=0, y=height - 4, font_size=size, fill=MUTED))
        body.append(
            el(
                "text",
                last_label,
                x=width,
                y=height - 4,
                font_size=size,
                text_anchor="end",
                fill=MUTED,
            )
        )
    return Chart(svg_root(chart_id, width, height, title, desc, *body), width, height)
