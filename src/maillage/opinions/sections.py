"""The territory page lists its conversations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from maillage.opinions.models import Conversation


def conversations_section(territory, ids: list[int]) -> dict | None:
    conversations = list(
        Conversation.objects.filter(territory_id__in=ids).order_by("-created_at")[:10]
    )
    if not conversations:
        return None
    return {
        "title": _("Conversations"),
        "template": "opinions/_section.html",
        "context": {"conversations": conversations},
    }
