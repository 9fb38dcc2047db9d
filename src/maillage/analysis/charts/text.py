"""Text in a drawing: its estimated width, fitting and wrapping it, placing labels apart."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from maillage.analysis.charts.markup import el

# Advance widths of DejaVu Sans (units per em), the font Debian's browsers use for system-ui
# and wider than Segoe UI, Roboto or San Francisco: an estimate that errs on the wide side.
_WIDTHS = {
    **dict.fromkeys("abdghnopqu", 0.635),
    **dict.fromkeys("ce", 0.6),
    **dict.fromkeys("ijl", 0.278),
    **dict.fromkeys("vxyk", 0.592),
    **dict.fromkeys("sz", 0.53),
    "f": 0.352,
    "m": 0.974,
    "r": 0.411,
    "t": 0.392,
    "w": 0.818,
    **dict.fromkeys("ABKRVXZ", 0.69),
    **dict.fromkeys("CDGHNOQU", 0.77),
    **dict.fromkeys("EFLPSTY", 0.63),
    **dict.fromkeys("IJ", 0.295),
    "M": 0.863,
    "W": 0.989,
    **dict.fromkeys("0123456789", 0.636),
    **dict.fromkeys(" .,:;'’!|", 0.318),
    **dict.fromkeys("-()[]", 0.39),
    **dict.fromkeys("+=<>→←↑↓×", 0.838),
    **dict.fromkeys("%@", 0.95),
    **dict.fromkeys("«»", 0.557),
    "\u202f": 0.2,
    "\u2212": 0.838,
    "·": 0.318,
    "…": 1.0,
}


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Return the estimated width of ``text`` at font size ``size`` (user units)."""
    total = 0.0
    for char in text:
        width = _WIDTHS.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = _WIDTHS.get(base, 0.7 if base.isupper() else 0.62)
        total += width
    return total * size * (1.1 if bold else 1.0)


def fit(text: str, size: float, width: float, *, bold: bool = False) -> str:
    """Return ``text``, shortened with an ellipsis if it is wider than ``width``."""
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: float, width: float, *, lines: int = 2) -> list[str]:
    """Return ``text`` broken into at most ``lines`` lines no wider than ``width``."""
    words, out, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size) <= width or not current:
            current = candidate
        else:
            out.append(current)
            current = word
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [fit(line, size, width) for line in out]


def multiline(lines: Sequence[str], x: float, y: float, size: float, **attributes: object) -> str:
    """Return a text element of several lines, the first on ``y``."""
    if len(lines) == 1:
        return el("text", lines[0], x=x, y=y, font_size=size, **attributes)
    spans = [
        el("tspan", line, x=x, dy=0 if i == 0 else round(size * 1.2, 2))
        for i, line in enumerate(lines)
    ]
    return el("text", *spans, x=x, y=y, font_size=size, **attributes)


@dataclass(frozen=True)
class Box:
    """A rectangle of the drawing, to keep labels apart."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, gap: float = 1.0) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.bottom + gap <= other.top
            or other.bottom + gap <= self.top
        )

    def inside(self, other: Box) -> bool:
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.top >= other.top
            and self.bottom <= other.bottom
        )


def text_box(text: str, x: float, y: float, size: float, anchor: str = "start") -> Box:
    """Return the box of a one-line text whose baseline starts at ``x``, ``y``."""
    width = text_width(text, size)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, y - size * 0.8, left + width, y + size * 0.25)


@dataclass(frozen=True)
class Placed:
    x: float
    y: float
    anchor: str


def place_label(
    text: str,
    x: float,
    y: float,
    *,
    size: float,
    bounds: Box,
    taken: list[Box],
    offset: float = 7.0,
) -> Placed | None:
    """Place ``text`` near the point ``x``, ``y`` where it overlaps nothing in ``taken``.

    Eight spots around the point are tried in turn; the first free one inside ``bounds`` is
    taken (its box joins ``taken``). ``None`` means no spot was free.
    """
    candidates = (
        (x + offset, y + size * 0.35, "start"),
        (x - offset, y + size * 0.35, "end"),
        (x + offset * 0.6, y - offset, "start"),
        (x - offset * 0.6, y - offset, "end"),
        (x + offset * 0.6, y + offset + size * 0.7, "start"),
        (x - offset * 0.6, y + offset + size * 0.7, "end"),
        (x, y - offset - 2, "middle"),
        (x, y + offset + size * 0.9, "middle"),
    )
    for cx, cy, anchor in candidates:
        box = text_box(text, cx, cy, size, anchor)
        if box.inside(bounds) and not any(box.overlaps(t) for t in taken):
            taken.append(box)
            return Placed(round(cx, 2), round(cy, 2), anchor)
    return None
