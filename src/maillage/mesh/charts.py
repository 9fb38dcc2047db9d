"""The mesh's charts, drawn with the shared chart module; the page puts the same figures in tables.

Colour never carries the meaning alone: every heatmap cell writes its number, every bar its
value, and pooling bars are hatched where co-production bars are plain.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maillage.analysis import charts


def number(value: float) -> str:
    """Return a count as people of the page's language read it (one decimal when weighted)."""
    decimals = 0 if float(value).is_integer() else 1
    return charts.NumberFormat.for_language(get_language()).number(float(value), decimals)


def heatmap(matrix: np.ndarray, labels: list[str]) -> charts.Chart:
    """Return the sector × sector matrix of co-production links as a heatmap."""
    values = [[float(matrix[i, j]) for j in range(len(labels))] for i in range(len(labels))]
    return charts.heatmap(
        labels,
        labels,
        values,
        [[number(v) for v in row] for row in values],
        chart_id="sector-heatmap",
        title=_("Co-production links between sectors"),
        desc=_(
            "Each cell counts the co-production links between the sector of its row and that of "
            "its column; darker is more. The same numbers are in the table."
        ),
    )


def timeline(periods: list[str], pooling: list[int], coproduction: list[int]) -> charts.Chart:
    """Return per period a co-production bar (plain) and a pooling bar (hatched)."""
    return charts.grouped_bar_chart(
        periods,
        [
            charts.BarSeries(_("co-production (plain)"), tuple(coproduction), charts.SERIES[0]),
            charts.BarSeries(_("pooling (hatched)"), tuple(pooling), charts.SERIES[1], True),
        ],
        [[number(v) for v in coproduction], [number(v) for v in pooling]],
        chart_id="balance-chart",
        title=_("Links of pooling and of co-production per period"),
        desc=_(
            "For each period, a plain bar for co-production and a hatched bar for pooling, each "
            "with its number. The same numbers are in the table."
        ),
        y_title=_("Links"),
    )
