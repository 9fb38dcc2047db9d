"""The home page's block from decisions: proposals of public circles on their way to consent."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.decisions.models import Decision
from maillage.territories.models import Territory

SHOWN = 5
IN_PROGRESS = (
    Decision.State.CLARIFYING,
    Decision.State.REACTIONS,
    Decision.State.CONSENT,
    Decision.State.AMEND,
)


def decisions_in_progress(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the decisions being made now by public circles of the territory, newest first."""
    decisions = (
        Decision.objects.filter(circle__is_public=True, state__in=IN_PROGRESS)
        .filter(Q(circle__territory_id__in=ids) | Q(circle__organization__territories__in=ids))
        .distinct()
        .select_related("circle")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    items = [
        {
            "label": d.title,
            "url": d.get_absolute_url(),
            "detail": d.circle.name,
            "badge": d.get_state_display(),
            "tone": "progress",
        }
        for d in decisions
    ]
    if not items:
        return None
    return {
        "key": "decisions",
        "title": _("Decisions in progress"),
        "items": items,
        "more_url": reverse("decisions:index"),
        "more_label": _("All circles"),
    }
