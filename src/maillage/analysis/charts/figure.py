"""What every chart shares: marker shapes, the legend, the figure around the drawing."""

from __future__ import annotations

from dataclasses import dataclass

from maillage.analysis.charts.markup import Markup, el, join, path
from maillage.analysis.charts.palette import WHITE


def marker(shape: str, x: float, y: float, r: float, fill: str, **attributes: object) -> Markup:
    """Return a marker of ``shape`` (see SHAPES) centred on ``x``, ``y``."""
    if shape == "circle":
        return el("circle", cx=x, cy=y, r=r, fill=fill, **attributes)
    if shape == "square":
        r *= 0.9
        return el("rect", x=x - r, y=y - r, width=2 * r, height=2 * r, fill=fill, **attributes)
    if shape == "triangle":
        d = path(
            ("M", x, y - r * 1.15), ("L", x + r, y + r * 0.85), ("L", x - r, y + r * 0.85), "Z"
        )
    elif shape == "triangle-down":
        d = path(
            ("M", x, y + r * 1.15), ("L", x + r, y - r * 0.85), ("L", x - r, y - r * 0.85), "Z"
        )
    elif shape == "diamond":
        r *= 1.2
        d = path(("M", x, y - r), ("L", x + r, y), ("L", x, y + r), ("L", x - r, y), "Z")
    else:  # cross
        a, b = r, r * 0.35
        d = path(
            ("M", x - a, y - b),
            ("H", x - b),
            ("V", y - a),
            ("H", x + b),
            ("V", y - b),
            ("H", x + a),
            ("V", y + b),
            ("H", x + b),
            ("V", y + a),
            ("H", x - b),
            ("V", y + b),
            ("H", x - a),
            "Z",
        )
    return el("path", d=d, fill=fill, **attributes)


def hatch_pattern(pattern_id: str, colour: str) -> Markup:
    return el(
        "pattern",
        el("rect", width=6, height=6, fill=WHITE),
        el("line", x1=0, y1=0, x2=0, y2=6, stroke=colour, stroke_width=3),
        id=pattern_id,
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )


# ---------------------------------------------------------------- the chart and its legend


@dataclass(frozen=True)
class Swatch:
    """One entry of a legend: the symbol as drawn in the chart, and what it stands for."""

    label: str
    colour: str
    shape: str = "square"  # a marker shape, "line" or "hatch"
    dash: str = ""

    @property
    def svg(self) -> Markup:
        """Return the symbol drawn small (decorative: the label says it)."""
        if self.shape == "line":
            inner = el(
                "line",
                x1=1,
                y1=7,
                x2=27,
                y2=7,
                stroke=self.colour,
                stroke_width=2.5,
                stroke_dasharray=self.dash or None,
            )
        elif self.shape == "hatch":
            stripes = [
                el("line", x1=x, y1=13, x2=x + 8, y2=1, stroke=self.colour, stroke_width=2)
                for x in (5, 10, 15)
            ]
            inner = join(
                [
                    *stripes,
                    el("rect", x=6, y=1, width=16, height=12, fill="none", stroke=self.colour),
                ]
            )
        else:
            inner = marker(self.shape, 14, 7, 5.5, self.colour)
        return el(
            "svg",
            inner,
            class_="chart-swatch",
            width=28,
            height=14,
            viewBox=(0, 0, 28, 14),
            **HIDDEN,
        )


HIDDEN = {"aria_hidden": "true", "focusable": "false"}


@dataclass(frozen=True)
class Chart:
    """A drawing and what reads beside it: the legend, and the key of numbered labels."""

    svg: Markup
    width: float
    height: float
    legend: tuple[Swatch, ...] = ()
    key: tuple[tuple[str, str], ...] = ()
    legend_name: str = ""
    key_name: str = ""

    @property
    def figure(self) -> Markup:
        """Return the chart in a figure: a box that scrolls on narrow screens, then the legend."""
        wide = " chart-wide" if self.width > WIDE else ""
        # A wide chart scrolls on a phone: the keyboard must reach it to scroll it.
        box = el("div", self.svg, class_=f"chart-box{wide}", tabindex=0 if wide else None)
        caption: list[str] = []
        if self.legend:
            if self.legend_name:
                caption.append(el("p", self.legend_name, class_="chart-caption-title"))
            items = (el("li", s.svg, " ", s.label) for s in self.legend)
            caption.append(el("ul", *items, class_="chart-legend"))
        if self.key:
            if self.key_name:
                caption.append(el("p", self.key_name, class_="chart-caption-title"))
            numbered = (
                el("li", el("span", n, class_="chart-key-number"), " ", t) for n, t in self.key
            )
            caption.append(el("ul", *numbered, class_="chart-key"))
        if caption:
            box = join([box, el("figcaption", *caption)])
        return el("figure", box, class_="chart-figure")


# Charts wider than this keep a minimum width on phones and scroll rather than shrink.
WIDE = 480


def svg_root(
    chart_id: str, width: float, height: float, title: str, desc: str, *body: str
) -> Markup:
    described = [el("desc", desc, id=f"{chart_id}-desc")] if desc else []
    return el(
        "svg",
        el("title", title, id=f"{chart_id}-title"),
        *described,
        *body,
        class_="chart",
        viewBox=(0, 0, width, height),
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{chart_id}-title" + (f" {chart_id}-desc" if desc else ""),
        xmlns="http://www.w3.org/2000/svg",
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    )
