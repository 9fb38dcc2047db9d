"""The mesh's charts as inline SVG, each with a table of the same figures on the page.

Colour never carries the meaning alone: every heatmap cell writes its number, every bar its
value, and pooling bars are hatched where co-production bars are plain. Text on a fill is black
or white, whichever contrasts more (at least 4.58:1 whatever the fill, WCAG 2.1 formula).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LIGHT = (239, 246, 255)
DARK = (30, 58, 138)
CELL = 56
LABEL_WIDTH = 104
HEADER_HEIGHT = 96


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def fill_and_text(t: float) -> tuple[str, str]:
    """Return the fill for a share ``t`` in [0, 1] and the text colour that reads on it."""
    rgb = tuple(round(lo + (hi - lo) * t) for lo, hi in zip(LIGHT, DARK, strict=True))
    lum = _luminance(rgb)  # type: ignore[arg-type]
    text = "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"
    return "#{:02x}{:02x}{:02x}".format(*rgb), text


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    value: str
    fill: str
    text_fill: str
    row: str
    column: str


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    cells: tuple[Cell, ...]
    rows: tuple[tuple[int, str], ...]
    columns: tuple[tuple[int, str], ...]
    cell: int = CELL


def heatmap(matrix: np.ndarray, labels: list[str]) -> Heatmap:
    """Return the drawing of a sector × sector matrix of link counts."""
    top = float(matrix.max()) if matrix.size else 0.0
    cells = []
    for i, row in enumerate(labels):
        for j, column in enumerate(labels):
            value = float(matrix[i, j])
            fill, text = fill_and_text(value / top if top else 0.0)
            cells.append(
                Cell(
                    x=LABEL_WIDTH + j * CELL,
                    y=HEADER_HEIGHT + i * CELL,
                    value=number(value),
                    fill=fill,
                    text_fill=text,
                    row=row,
                    column=column,
                )
            )
    return Heatmap(
        width=LABEL_WIDTH + CELL * len(labels) + 64,
        height=HEADER_HEIGHT + CELL * len(labels) + 4,
        cells=tuple(cells),
        rows=tuple((HEADER_HEIGHT + i * CELL + CELL // 2, label) for i, label in enumerate(labels)),
        columns=tuple(
            (LABEL_WIDTH + j * CELL + CELL // 2, label) for j, label in enumerate(labels)
        ),
    )


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    hatched: bool
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]


BAR = 22
GROUP = 64
PLOT_HEIGHT = 160
TOP = 24


def timeline(periods: list[str], pooling: list[int], coproduction: list[int]) -> Timeline:
    """Return per period a co-production bar (plain) and a pooling bar (hatched)."""
    top = max([*pooling, *coproduction, 1])
    bars = []
    ticks = []
    for i, period in enumerate(periods):
        x = 16 + i * GROUP
        for offset, value, hatched, label in (
            (0, coproduction[i], False, "co-production"),
            (BAR + 2, pooling[i], True, "pooling"),
        ):
            height = PLOT_HEIGHT * value / top
            bars.append(
                Bar(x + offset, TOP + PLOT_HEIGHT - height, BAR, height, value, hatched, label)
            )
        ticks.append((x + BAR + 1, period))
    return Timeline(
        width=max(32 + GROUP * len(periods), 200),
        height=TOP + PLOT_HEIGHT + 40,
        baseline=TOP + PLOT_HEIGHT,
        bars=tuple(bars),
        ticks=tuple(ticks),
    )
