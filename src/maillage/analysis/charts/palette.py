"""The one palette of the charts: colours that meet WCAG 2.1 AA on the white background."""

from __future__ import annotations

BACKGROUND = "#ffffff"
INK = "#111827"
MUTED = "#4b5563"
GRID = "#d1d5db"  # decorative lines only: every figure is written or in the table
WHITE = "#ffffff"
BLACK = "#000000"
# Categorical colours, in the order series take them; each ≥ 4.5:1 on BACKGROUND.
SERIES = (
    "#1e40af",  # blue
    "#9a3412",  # rust
    "#166534",  # green
    "#6b21a8",  # purple
    "#b91c1c",  # red
    "#0f766e",  # teal
    "#9d174d",  # raspberry
    "#4b5563",  # slate
)
# Seven grades from worst to best (majority judgment); white text reads on each (≥ 4.5:1).
DIVERGING = ("#7f1d1d", "#dc2626", "#b45309", "#57534e", "#4d7c0f", "#15803d", "#14532d")
# Approval: not approved, approved.
BINARY = ("#6b7280", "#1e40af")
# Intensity from none to the most (heatmaps); the text colour follows :func:`text_colour_on`.
SEQUENTIAL = ("#eff6ff", "#1e3a8a")
# Marker shapes in the order series take them, so that shape tells series apart without colour.
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "triangle-down")


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """Return the relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    r, g, b = (_channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(fill: str) -> str:
    """Return black or white, whichever contrasts more with ``fill`` (at least 4.58:1)."""
    return BLACK if contrast_ratio(BLACK, fill) >= contrast_ratio(WHITE, fill) else WHITE


def shade(t: float, scale: tuple[str, str] = SEQUENTIAL) -> str:
    """Return the colour at ``t`` in [0, 1] between the two ends of ``scale``."""
    t = min(max(t, 0.0), 1.0)
    low, high = rgb(scale[0]), rgb(scale[1])
    mixed = (round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)
