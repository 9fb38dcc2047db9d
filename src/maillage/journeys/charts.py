"""Inline SVG line charts of self-observation scores, drawn on the server (no JavaScript).

Each dimension has its own line style and marker shape, so the chart does not rely on colour;
the page puts the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
STYLES = {
    "je": {"dash": "", "marker": "circle", "color": "#1e40af"},
    "nous": {"dash": "8 4", "marker": "square", "color": "#9a3412"},
    "dans": {"dash": "2 4", "marker": "triangle", "color": "#166534"},
}


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    low: int,
    high: int,
) -> dict[str, Any]:
    """Return what the SVG template draws: axes, one polyline and markers per series."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(labels)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n if n else 0)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    lines = []
    for name, values in series.items():
        points = [(round(x(i), 1), round(y(v), 1)) for i, v in enumerate(values) if v is not None]
        style = STYLES.get(name, STYLES["je"])
        lines.append(
            {
                "name": name,
                "points": " ".join(f"{px},{py}" for px, py in points),
                "markers": [
                    {
                        "x": px,
                        "y": py,
                        "square_x": round(px - 5, 1),
                        "square_y": round(py - 5, 1),
                        "triangle": f"{px},{py - 6} {px - 6},{py + 5} {px + 6},{py + 5}",
                    }
                    for px, py in points
                ],
                **style,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "tick_x": LEFT - 8,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 20,
        "ticks": [{"value": v, "y": round(y(v), 1)} for v in range(low, high + 1)],
        "columns": [{"label": label, "x": round(x(i), 1)} for i, label in enumerate(labels)],
        "lines": lines,
    }
