"""The home page's block from co-writing: the texts last published on the territory."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.cowriting.models import PublishedVersion
from maillage.territories.models import Territory

SHOWN = 5


def last_published(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the versions last published by organizations of the territory (public by nature)."""
    versions = (
        PublishedVersion.objects.filter(work__organization__territories__in=ids)
        .distinct()
        .select_related("work__organization")
        .order_by("-published_at", "-id")[:SHOWN]
    )
    items = [
        {
            "label": v.title,
            "url": v.get_absolute_url(),
            "detail": v.work.organization.name if v.work.organization else "",
            "when": v.published_at,
        }
        for v in versions
    ]
    if not items:
        return None
    return {
        "key": "published",
        "title": _("Last published works"),
        "items": items,
        "more_url": reverse("cowriting:published_list"),
        "more_label": _("All publications"),
    }
