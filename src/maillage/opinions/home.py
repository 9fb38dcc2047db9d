"""The home page's block from opinions: the conversations open for votes on the territory."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.opinions.models import Conversation
from maillage.territories.models import Territory

SHOWN = 5


def open_conversations(territory: Territory, ids: list[int]) -> dict[str, Any] | None:
    """Return the conversations taking votes now, newest first."""
    conversations = (
        Conversation.objects.filter(territory_id__in=ids, is_open=True)
        .select_related("territory")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    items = [
        {"label": c.topic, "url": c.get_absolute_url(), "detail": c.territory.name}
        for c in conversations
    ]
    if not items:
        return None
    return {
        "key": "conversations",
        "title": _("Conversations open for votes"),
        "items": items,
        "more_url": reverse("opinions:index"),
        "more_label": _("All conversations"),
    }
