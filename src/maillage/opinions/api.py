"""API endpoints for conversations and votes."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut
from maillage.opinions import selectors, services
from maillage.opinions.models import Conversation, Statement

router = Router(tags=["opinions"])


class ConversationOut(Schema):
    slug: str
    topic: str
    description: str
    territory: str
    is_open: bool


class StatementOut(Schema):
    id: int
    text: str
    is_meta: bool


class ConversationDetailOut(ConversationOut):
    statements: list[StatementOut]
    analysis: dict | None


class VoteIn(Schema):
    statement: int
    value: int


class VoteOut(Schema):
    statement: int
    value: int


def _out(conversation: Conversation) -> dict:
    return {
        "slug": conversation.slug,
        "topic": conversation.topic,
        "description": conversation.description,
        "territory": conversation.territory.slug,
        "is_open": conversation.is_open,
    }


@router.get("/conversations", response=list[ConversationOut])
def conversation_list(request: HttpRequest):
    return [_out(c) for c in selectors.conversation_list()]


@router.get("/conversations/{slug}", response=ConversationDetailOut)
def conversation_detail(request: HttpRequest, slug: str):
    conversation = get_object_or_404(Conversation.objects.select_related("territory"), slug=slug)
    return {
        **_out(conversation),
        "statements": list(
            selectors.visible_statements(conversation).values("id", "text", "is_meta")
        ),
        "analysis": selectors.public_analysis(conversation),
    }


@router.post(
    "/conversations/{slug}/votes",
    response={200: VoteOut, 409: ErrorOut},
    auth=AUTHENTICATED,
)
def vote_create(request: HttpRequest, slug: str, payload: VoteIn):
    """Vote on a statement: value 1 = agree, -1 = disagree, 0 = pass (422 otherwise)."""
    conversation = get_object_or_404(Conversation, slug=slug)
    statement = get_object_or_404(Statement, pk=payload.statement, conversation=conversation)
    try:
        participant = services.participant_get_or_create(
            conversation=conversation, person=request.user
        )
        vote = services.vote_cast(participant=participant, statement=statement, value=payload.value)
    except services.ConversationConflict as error:
        return 409, {"detail": str(error)}
    return 200, {"statement": statement.pk, "value": vote.value}
