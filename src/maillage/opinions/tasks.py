"""Queue tasks of opinions: the opinion map of a conversation recomputed by a worker."""

from __future__ import annotations

from maillage.core.queue import queued
from maillage.opinions.models import Conversation
from maillage.opinions.services import analysis_compute


@queued()
def recompute(*, conversation_id: int) -> int:
    """Recompute the map of a conversation (its votes since the last one); 0 when it is gone."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    analysis = analysis_compute(conversation)
    return analysis.vote_count if analysis is not None else 0
