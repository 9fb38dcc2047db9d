"""The home page's blocks from consultations: campaigns open now, and the latest answers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.consultations.models import Campaign, Response
from maillage.territories.models import Territory

SHOWN = 5


def open_campaigns(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the campaigns taking ideas now on the territory, those ending soonest first."""
    campaigns = (
        Campaign.objects.filter(status=Campaign.Status.OPEN, territory_id__in=ids)
        .select_related("territory")
        .order_by("ends_on", "id")[:SHOWN]
    )
    items = [
        {
            "label": c.title,
            "url": c.get_absolute_url(),
            "detail": c.territory.name,
            "when": c.ends_on,
            "when_prefix": _("until"),
            "badge": c.get_status_display(),
            "tone": "open",
        }
        for c in campaigns
    ]
    if not items:
        return None
    return {
        "key": "consultations",
        "title": _("Open consultations"),
        "items": items,
        "more_url": reverse("consultations:index"),
        "more_label": _("All consultations"),
    }


def latest_responses(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the latest answers given to inhabitants' ideas, on public campaigns."""
    responses = (
        Response.objects.filter(campaign__territory_id__in=ids)
        .exclude(campaign__status=Campaign.Status.DRAFT)
        .select_related("campaign")
        .order_by("-updated_at", "-id")[:SHOWN]
    )
    tones = {
        Response.Status.DONE.value: "done",
        Response.Status.RETAINED.value: "done",
        Response.Status.NOT_RETAINED.value: "closed",
    }
    items = [
        {
            "label": r.title,
            "url": reverse("consultations:follow_up", args=[r.campaign.slug]),
            "detail": r.campaign.title,
            "when": r.updated_at,
            "badge": r.get_status_display(),
            "tone": tones.get(r.status, "progress"),
        }
        for r in responses
    ]
    if not items:
        return None
    return {
        "key": "responses",
        "title": _("Latest answers to ideas"),
        "items": items,
        "more_url": reverse("consultations:index"),
        "more_label": _("Follow-up of every consultation"),
    }
