"""Line charts of self-observation scores, drawn with the shared chart module.

Each dimension has its own line style and marker shape, so the chart does not rely on colour;
the page puts the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maillage.analysis import charts

STYLES = {  # dimension: (colour, dash, marker shape)
    "je": (charts.SERIES[0], "", "circle"),
    "nous": (charts.SERIES[1], "8 4", "square"),
    "dans": (charts.SERIES[2], "2 4", "triangle"),
}


def _names() -> dict[str, str]:
    return {
        "je": _("I (je): solid line, circles"),
        "nous": _("we (nous): dashed line, squares"),
        "dans": _("within (dans): dotted line, triangles"),
    }


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    low: int,
    high: int,
    chart_id: str,
    title: str,
) -> charts.Chart:
    """Return one line per dimension across the rounds, on the questionnaire's scale."""
    numbers = charts.NumberFormat.for_language(get_language())
    ticks = [float(v) for v in range(low, high + 1)]
    names = _names()
    return charts.line_chart(
        labels,
        [
            charts.Series(names.get(name, name), tuple(values), *STYLES.get(name, STYLES["je"]))
            for name, values in series.items()
        ],
        charts.Axis("", ticks, [numbers.number(t) for t in ticks]),
        chart_id=chart_id,
        title=title,
        desc=_(
            "One line per dimension: the I (solid line, circles), the we (dashed line, squares), "
            "the within (dotted line, triangles). The table below gives the same figures."
        ),
        legend_name=_("Legend:"),
    )
