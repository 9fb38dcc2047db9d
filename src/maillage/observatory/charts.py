"""Observatory charts, drawn with the shared chart module; each page puts the same figures in a
table beside.

Themes are horizontal bars with their percentage written; weak signals are placed on Yoon's
keyword emergence map (degree of visibility across, its increase rate up), each quadrant named
and drawn with its own marker shape, so colour is never the only cue; term timelines are small
multiples of the contributions using the term, period by period.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maillage.analysis import charts

QUADRANTS = {  # quadrant: (corner of the map, colour, marker shape)
    "weak": ("top-left", charts.SERIES[4], "triangle"),
    "strong": ("top-right", charts.SERIES[0], "diamond"),
    "latent": ("bottom-left", charts.SERIES[7], "square"),
    "well-known": ("bottom-right", charts.SERIES[2], "cross"),
}


def _numbers() -> charts.NumberFormat:
    return charts.NumberFormat.for_language(get_language())


def theme_bars(themes: list[Any]) -> charts.Chart:
    """Return one bar per theme, its length the theme's share (the largest fills the width)."""
    numbers = _numbers()
    return charts.bar_chart(
        [charts.BarRow(t.label, t.share, numbers.percent(t.share)) for t in themes],
        chart_id="themes-chart",
        title=_("Share of each theme"),
        desc=_(
            "One bar per theme, largest first, its length the share of the analysed "
            "contributions; the table below gives the same figures."
        ),
    )


def _names() -> dict[str, str]:
    return {
        "weak": _("Weak signals"),
        "strong": _("Strong signals"),
        "latent": _("Latent signals"),
        "well-known": _("Well-known"),
    }


def quadrant_chart(signals: list[Any], period: str, labelled: int = 12) -> charts.Chart | None:
    """Return the keyword emergence map of one period's signals, or None without signals.

    Across: the degree of visibility (how often the term is used); up: its increase rate.
    The dashed lines cut both axes at the median of the terms drawn, as in Yoon (2012).
    The ``labelled`` most rising emerging, weak or strong terms get their name written.
    """
    if not signals:
        return None
    numbers = _numbers()
    xs = [s.visibility for s in signals]
    ys = [s.visibility_increase for s in signals]
    x_ticks = charts.nice_ticks(0.0, max(xs) or 1.0)
    y_ticks = charts.nice_ticks(min(min(ys), 0.0), max(max(ys), 0.0))
    ranked = sorted(
        (s for s in signals if s.quadrant in ("weak", "strong")),
        key=lambda s: (not s.emerging, -s.visibility_increase),
    )
    priority = {id(s): rank for rank, s in enumerate(ranked[:labelled])}
    names = _names()
    return charts.quadrant_chart(
        [
            charts.Point(
                s.visibility, s.visibility_increase, s.term, s.quadrant, priority.get(id(s))
            )
            for s in signals
        ],
        [charts.Group(q, names[q], colour, shape) for q, (_c, colour, shape) in QUADRANTS.items()],
        charts.Axis(
            _("Degree of visibility →"),
            x_ticks,
            [numbers.number(t, charts.decimals_for(x_ticks)) for t in x_ticks],
        ),
        charts.Axis(_("↑ Increase rate"), y_ticks, [numbers.signed_percent(t) for t in y_ticks]),
        cut=(median(xs), median(ys)),
        corners={corner: names[q] for q, (corner, _colour, _shape) in QUADRANTS.items()},
        chart_id="kem",
        title=_("Keyword emergence map, period %(period)s") % {"period": period},
        desc=_(
            "Across: degree of visibility; up: its increase rate. Dashed lines at the medians "
            "split weak signals (top left, triangles), strong signals (top right, diamonds), "
            "latent signals (bottom left, squares) and well-known terms (bottom right, crosses). "
            "The table below lists every term."
        ),
        legend_name=_("Quadrants:"),
        key_name=_("Terms numbered on the map:"),
    )


@dataclass(frozen=True)
class Timeline:
    term: str
    peak: int
    values: tuple[int, ...]
    chart: charts.Chart


def timelines(run: Any, terms: list[str]) -> list[Timeline]:
    """Return one small line per term: contributions using it in each period of ``run``."""
    lines = []
    periods = list(run.periods or [])
    for index, term in enumerate(terms):
        values = run.timelines.get(term, [])
        if not values:
            continue
        lines.append(
            Timeline(
                term=term,
                peak=max(values),
                values=tuple(values),
                chart=charts.sparkline(
                    values,
                    chart_id=f"timeline-{index}",
                    title=_(
                        "Contributions using « %(term)s » per period; the table below gives "
                        "the figures."
                    )
                    % {"term": term},
                    desc="",
                    first_label=periods[0] if periods else "",
                    last_label=periods[-1] if len(periods) > 1 else "",
                ),
            )
        )
    return lines
