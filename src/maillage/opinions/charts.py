"""The opinion map of a conversation, drawn with the shared chart module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from maillage.analysis import charts


def opinion_map_chart(
    participants: list[dict[str, Any]], letters: dict[Any, str], me: int | None
) -> charts.Chart:
    """Return the participants placed by their votes, a colour and a shape per opinion group.

    ``participants`` are the analysis's (x, y, group); ``letters`` names each group; ``me`` is
    the index of the viewer's own point, ringed and labelled.
    """
    return charts.point_map(
        [charts.MapPoint(p["x"], p["y"], letters.get(p["group"])) for p in participants],
        [
            charts.MapGroup(letter, letter, _("Group %(letter)s") % {"letter": letter})
            for letter in letters.values()
        ],
        chart_id="opinion-map",
        title=_("Opinion map"),
        desc=_(
            "Each dot is a participant; participants close to each other voted alike. The "
            "letters mark the groups, described below."
        ),
        highlight=me,
        highlight_label=_("you"),
        outside_name=_("in no group"),
        legend_name=_("Legend:"),
    )
