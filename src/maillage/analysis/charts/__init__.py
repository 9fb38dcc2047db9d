"""Charts drawn as inline SVG: the one package every page and report draws its charts with.

Django-free, so that the analysis reports and the pages share it. Three rules hold everywhere:

- A number written into markup (an SVG coordinate, a CSS width, a data attribute) goes through
  :func:`markup_number`: a dot before the decimals, never localized. Browsers reject the French
  decimal comma (``cx="253,1"``) and draw nothing.
- A number shown to people goes through a :class:`NumberFormat` of the page's language
  (``0,65`` and ``65 %`` in French).
- Colours come from the one palette (:mod:`.palette`); each meets WCAG 2.1 AA against the
  white chart background (4.5:1, so that it also serves as text colour), and colour is never
  the only cue: shapes, dashes, hatching or written values say the same.

Texts are measured (:func:`text_width`, DejaVu Sans metrics, the widest of the usual system
fonts) to size margins so that nothing is clipped, and to place labels apart from each other;
a label that finds no free place gets a number and goes to the key beside the chart.

Callers use this package's names (``charts.bar_chart``, ``charts.NumberFormat``…); the modules
split the work: palette, numbers, markup, text, axes, figure (legend and the figure around a
drawing), and the chart kinds in bars, lines and maps.
"""

from maillage.analysis.charts.axes import Axis, Scale, decimals_for, nice_ticks
from maillage.analysis.charts.bars import (
    BarRow,
    BarSeries,
    Segment,
    StackedRow,
    bar_chart,
    grouped_bar_chart,
    stacked_bar_chart,
)
from maillage.analysis.charts.figure import Chart, Swatch
from maillage.analysis.charts.lines import Series, line_chart, sparkline
from maillage.analysis.charts.maps import (
    Group,
    MapGroup,
    MapPoint,
    Point,
    heatmap,
    point_map,
    quadrant_chart,
)
from maillage.analysis.charts.markup import Markup, el
from maillage.analysis.charts.numbers import NumberFormat, markup_number
from maillage.analysis.charts.palette import (
    BACKGROUND,
    BINARY,
    DIVERGING,
    INK,
    MUTED,
    SEQUENTIAL,
    SERIES,
    SHAPES,
    contrast_ratio,
    shade,
    text_colour_on,
)
from maillage.analysis.charts.text import Box, text_box, text_width

__all__ = [
    "BACKGROUND",
    "BINARY",
    "DIVERGING",
    "INK",
    "MUTED",
    "SEQUENTIAL",
    "SERIES",
    "SHAPES",
    "Axis",
    "BarRow",
    "BarSeries",
    "Box",
    "Chart",
    "Group",
    "MapGroup",
    "MapPoint",
    "Markup",
    "NumberFormat",
    "Point",
    "Scale",
    "Segment",
    "Series",
    "StackedRow",
    "Swatch",
    "bar_chart",
    "contrast_ratio",
    "decimals_for",
    "el",
    "grouped_bar_chart",
    "heatmap",
    "line_chart",
    "markup_number",
    "nice_ticks",
    "point_map",
    "quadrant_chart",
    "shade",
    "sparkline",
    "stacked_bar_chart",
    "text_box",
    "text_colour_on",
    "text_width",
]
