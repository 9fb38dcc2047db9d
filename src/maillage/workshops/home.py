"""The home page's block from workshops: the next ones on the visitor's territory."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.territories.models import Territory
from maillage.workshops.models import Workshop

SHOWN = 5


def next_workshops(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the workshops not over yet, soonest first."""
    workshops = (
        Workshop.objects.filter(
            territory_id__in=ids, ends_at__gte=timezone.now(), is_cancelled=False
        )
        .select_related("territory")
        .order_by("starts_at", "id")[:SHOWN]
    )
    items = [
        {
            "label": w.title,
            "url": w.get_absolute_url(),
            "detail": w.territory.name,
            "when": w.starts_at,
            "when_format": "DATETIME_FORMAT",
        }
        for w in workshops
    ]
    if not items:
        return None
    return {
        "key": "workshops",
        "title": _("Next workshops"),
        "items": items,
        "more_url": reverse("workshops:index"),
        "more_label": _("All workshops"),
    }
