"""Charts placed on a plane: a heatmap of cells, a scatter cut in quadrants, a point map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maillage.analysis.charts.axes import Axis, Scale, y_axis_marks, y_axis_title
from maillage.analysis.charts.figure import Chart, Swatch, marker, svg_root
from maillage.analysis.charts.markup import el
from maillage.analysis.charts.numbers import markup_number
from maillage.analysis.charts.palette import (
    INK,
    MUTED,
    SERIES,
    SHAPES,
    WHITE,
    shade,
    text_colour_on,
)
from maillage.analysis.charts.text import Box, Placed, place_label, text_box, text_width


def heatmap(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    cell_text: Sequence[Sequence[str]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    cell: float = 56,
) -> Chart:
    """Return a grid of cells shaded by value, each writing its value; labels are never cut.

    Row labels sit left, column labels are slanted above; the margins are as wide as the
    longest labels need.
    """
    size = 13
    left = max((text_width(label, size) for label in row_labels), default=0.0) + 10
    slant = math.sqrt(0.5)
    longest_column = max((text_width(label, size) for label in column_labels), default=0.0)
    top = longest_column * slant + size + 8
    width = left + cell * len(column_labels) + longest_column * slant + 4
    height = top + cell * len(row_labels) + 4
    peak = max([v for row in values for v in row] or [0]) or 1
    body: list[str] = []
    for j, label in enumerate(column_labels):
        x = left + j * cell + cell / 2
        y = top - 6
        body.append(
            el(
                "text",
                label,
                x=x,
                y=y,
                transform=f"rotate(-45 {markup_number(x)} {markup_number(y)})",
                font_size=size,
                fill=INK,
            )
        )
    for i, label in enumerate(row_labels):
        y = top + i * cell + cell / 2
        body.append(
            el(
                "text",
                label,
                x=left - 8,
                y=y + size * 0.35,
                font_size=size,
                text_anchor="end",
                fill=INK,
            )
        )
        for j in range(len(column_labels)):
            fill = shade(values[i][j] / peak)
            x = left + j * cell
            body.append(
                el(
                    "rect",
                    el("title", f"{label} × {column_labels[j]} : {cell_text[i][j]}"),
                    x=round(x, 2),
                    y=round(top + i * cell, 2),
                    width=cell,
                    height=cell,
                    fill=fill,
                    stroke=WHITE,
                    stroke_width=2,
                )
            )
            body.append(
                el(
                    "text",
                    cell_text[i][j],
                    x=round(x + cell / 2, 2),
                    y=round(y + 5, 2),
                    font_size=size + 1,
                    text_anchor="middle",
                    fill=text_colour_on(fill),
                )
            )
    width, height = math.ceil(width), math.ceil(height)
    return Chart(svg_root(chart_id, width, height, title, desc, *body), width, height)


# ---------------------------------------------------------------- scatter with quadrants


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    group: str  # which of the ``groups`` it belongs to
    priority: int | None = None  # named in this order (0 first); None: not named


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    colour: str
    shape: str


def quadrant_chart(
    chart_points: Sequence[Point],
    groups: Sequence[Group],
    x_axis: Axis,
    y_axis: Axis,
    *,
    cut: tuple[float, float],
    corners: Mapping[str, str],
    chart_id: str,
    title: str,
    desc: str,
    legend_name: str = "",
    key_name: str = "",
    width: float = 600,
    plot_height: float = 340,
) -> Chart:
    """Return a scatter plot cut in four by dashed lines at ``cut`` (x, y), corners named.

    ``corners`` maps ``top-left``, ``top-right``, ``bottom-left`` and ``bottom-right`` to the
    name written in that corner, in the colour of the group of the same key when there is one.
    Points with a priority get their label beside them where it fits, else a number listed
    in the key.
    """
    size = 13
    tick_width = max((text_width(t, size) for t in y_axis.labels), default=0.0)
    left = tick_width + 12
    last_tick = text_width(x_axis.labels[-1], size) if x_axis.labels else 0.0
    right = width - last_tick / 2 - 4
    top = size * 2 + 6
    bottom = top + plot_height
    height = bottom + size * 3 + 10
    xs = Scale(min(x_axis.ticks), max(x_axis.ticks), left, right)
    ys = Scale(min(y_axis.ticks), max(y_axis.ticks), bottom, top)
    body: list[str] = [y_axis_title(y_axis.title, 0, size)]
    body += y_axis_marks(y_axis, ys, left, right, size)
    for value, label in zip(x_axis.ticks, x_axis.labels, strict=True):
        body.append(
            el(
                "text",
                label,
                x=xs(value),
                y=bottom + size + 6,
                font_size=size,
                text_anchor="middle",
                fill=MUTED,
            )
        )
    body.append(
        el(
            "text",
            x_axis.title,
            x=width,
            y=height - 6,
            font_size=size,
            text_anchor="end",
            fill=INK,
        )
    )
    body.append(el("line", x1=left, x2=right, y1=bottom, y2=bottom, stroke=MUTED))
    body.append(el("line", x1=left, x2=left, y1=top, y2=bottom, stroke=MUTED))
    cut_x, cut_y = xs(cut[0]), ys(cut[1])
    dashed = {"stroke": INK, "stroke_dasharray": "5 4"}
    body.append(el("line", x1=cut_x, x2=cut_x, y1=top, y2=bottom, **dashed))
    body.append(el("line", x1=left, x2=right, y1=cut_y, y2=cut_y, **dashed))
    colour_of = {g.key: g.colour for g in groups}
    shape_of = {g.key: g.shape for g in groups}
    obstacles = []
    corner_places = {
        "top-left": (left + 6, top + size + 2, "start"),
        "top-right": (right - 6, top + size + 2, "end"),
        "bottom-left": (left + 6, bottom - 8, "start"),
        "bottom-right": (right - 6, bottom - 8, "end"),
    }
    placed_points = [(xs(p.x), ys(p.y), p) for p in chart_points]
    obstacles += [Box(x - 6, y - 6, x + 6, y + 6) for x, y, _p in placed_points]
    for x, y, p in placed_points:
        body.append(
            marker(
                shape_of.get(p.group, "circle"),
                x,
                y,
                5,
                colour_of.get(p.group, INK),
            )
        )
    # Quadrant names go over the markers, haloed, so that a crowded corner stays readable.
    for where, name in corners.items():
        x, y, anchor = corner_places[where]
        group = next((g for g in groups if g.name == name), None)
        body.append(
            el(
                "text",
                name,
                x=x,
                y=y,
                font_size=size + 1,
                font_weight="bold",
                text_anchor=anchor,
                fill=group.colour if group else INK,
                paint_order="stroke",
                stroke=WHITE,
                stroke_width=4,
            )
        )
        obstacles.append(text_box(name, x, y, (size + 1) * 1.1, anchor))
    # Named points on one spot share one label ("lire · midi"), most important first.
    spots: dict[tuple[float, float], list[Point]] = {}
    named = [item for item in placed_points if item[2].priority is not None]
    for x, y, p in sorted(named, key=lambda item: item[2].priority or 0):
        spots.setdefault((x, y), []).append(p)
    bounds = Box(left + 1, top, right, bottom - 1)
    halo = {"fill": INK, "paint_order": "stroke", "stroke": WHITE, "stroke_width": 3}
    crowded = []
    for (x, y), here in spots.items():
        label = " · ".join(p.label for p in here)
        place = place_label(label, x, y, size=size, bounds=bounds, taken=obstacles)
        if place is None:
            crowded.append((x, y, here))
            continue
        body.append(
            el(
                "text",
                label,
                x=place.x,
                y=place.y,
                font_size=size,
                text_anchor=place.anchor,
                **halo,
            )
        )
    # Where a name finds no room, a number does, and the key beside the chart names it.
    key: list[tuple[str, str]] = []
    for x, y, here in crowded:
        numbers = [str(len(key) + i + 1) for i in range(len(here))]
        key += [(n, p.label) for n, p in zip(numbers, here, strict=True)]
        text = ", ".join(numbers)
        for reach in (7.0, 14.0, 22.0, 32.0, 44.0):
            place = place_label(text, x, y, size=size, bounds=bounds, taken=obstacles, offset=reach)
            if place is not None:
                break
        else:  # nowhere free: on its point rather than lost
            place, reach = Placed(x + 6, y - 6, "start"), 7.0
        if reach > 7:  # a number set apart is tied to its point
            body.append(el("line", x1=x, y1=y, x2=place.x, y2=place.y - size * 0.35, stroke=MUTED))
        body.append(
            el(
                "text",
                text,
                x=place.x,
                y=place.y,
                font_size=size,
                font_weight="bold",
                text_anchor=place.anchor,
                **halo,
            )
        )
    legend = tuple(Swatch(g.name, g.colour, g.shape) for g in groups)
    return Chart(
        svg_root(chart_id, width, height, title, desc, *body),
        width,
        height,
        legend=legend,
        key=tuple(key),
        legend_name=legend_name,
        key_name=key_name,
    )


# ---------------------------------------------------------------- map of points


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    group: str | None


@dataclass(frozen=True)
class MapGroup:
    key: str
    label: str  # written at the group's centre
    name: str  # in the legend


def point_map(
    map_points: Sequence[MapPoint],
    groups: Sequence[MapGroup],
    *,
    chart_id: str,
    title: str,
    desc: str,
    highlight: int | None = None,
    highlight_label: str = "",
    outside_name: str = "",
    legend_name: str = "",
    width: float = 360,
    height: float = 250,
) -> Chart:
    """Return points placed by their coordinates (scaled to fit), a colour and shape per group.

    Each group's label is written at its centre; ``highlight`` rings the point of that index.
    """
    pad = 14
    xs_ = [p.x for p in map_points] or [0.0]
    ys_ = [p.y for p in map_points] or [0.0]
    sx = Scale(min(xs_), max(xs_) if max(xs_) > min(xs_) else min(xs_) + 1, pad, width - pad)
    sy = Scale(min(ys_), max(ys_) if max(ys_) > min(ys_) else min(ys_) + 1, pad, height - pad)
    style = {
        g.key: (SERIES[i % len(SERIES)], SHAPES[i % len(SHAPES)]) for i, g in enumerate(groups)
    }
    body: list[str] = [
        el("rect", x=0, y=0, width=width, height=height, fill="#f8fafc", stroke=MUTED)
    ]
    for p in map_points:
        colour, shape = style.get(p.group or "", (MUTED, "circle"))
        body.append(marker(shape, sx(p.x), sy(p.y), 2.8, colour))
    for g in groups:
        members = [(sx(p.x), sy(p.y)) for p in map_points if p.group == g.key]
        if not members:
            continue
        cx = sum(m[0] for m in members) / len(members)
        cy = sum(m[1] for m in members) / len(members)
        body.append(
            el(
                "text",
                g.label,
                x=round(cx, 2),
                y=round(cy + 6, 2),
                font_size=18,
                font_weight="bold",
                text_anchor="middle",
                fill=INK,
                paint_order="stroke",
                stroke=WHITE,
                stroke_width=4,
            )
        )
    if highlight is not None:
        me = map_points[highlight]
        x, y = sx(me.x), sy(me.y)
        body.append(
            el(
                "circle",
                class_="chart-highlight",
                cx=x,
                cy=y,
                r=8,
                fill="none",
                stroke=INK,
                stroke_width=2.5,
            )
        )
        label_y = y - 12 if y > 24 else y + 24
        body.append(
            el(
                "text",
                highlight_label,
                x=x,
                y=label_y,
                font_size=13,
                text_anchor="middle",
                fill=INK,
                paint_order="stroke",
                stroke=WHITE,
                stroke_width=3,
            )
        )
    legend = [Swatch(g.name, *style[g.key]) for g in groups]
    if outside_name and any(p.group is None for p in map_points):
        legend.append(Swatch(outside_name, MUTED, "circle"))
    return Chart(
        svg_root(chart_id, width, height, title, desc, *body),
        width,
        height,
        legend=tuple(legend),
        legend_name=legend_name,
    )
