"""API endpoints for conversations and votes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.opinions import selectors, services
from maillage.opinions.models import Conversation, Statement
from maillage.territories.models import Territory

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
def vote_create(request: AuthenticatedRequest, slug: str, payload: VoteIn):
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


class ConversationIn(Schema):
    territory: str
    topic: str
    description: str = ""
    seed_statements: list[str]
    allow_anonymous: bool = True
    participant_statements: bool = True
    statements_need_moderation: bool = False


class ConversationUpdateIn(Schema):
    topic: str | None = None
    description: str | None = None
    allow_anonymous: bool | None = None
    participant_statements: bool | None = None
    statements_need_moderation: bool | None = None


class StatementIn(Schema):
    text: str


class DuplicateOut(Schema):
    detail: str
    existing: int


def _facilitated(request: HttpRequest, slug: str) -> Conversation:
    conversation = get_object_or_404(Conversation.objects.select_related("territory"), slug=slug)
    if not request.user.has_perm("opinions.moderate_conversation", conversation):
        raise PermissionDenied("opinions.moderate_conversation")
    return conversation


@router.post("/conversations", response={201: ConversationOut}, auth=AUTHENTICATED)
def conversation_create(request: AuthenticatedRequest, payload: ConversationIn):
    """Open a conversation on a territory you facilitate, with its seed statements (at least one)."""
    hit_person("write", request.user)
    territory = Territory.objects.filter(slug=payload.territory).first()
    if territory is None:
        raise ValidationError({"territory": _("No territory has this slug.")})
    conversation = services.conversation_create(
        actor=request.user,
        territory=territory,
        topic=payload.topic,
        description=payload.description,
        seed_statements=payload.seed_statements,
        allow_anonymous=payload.allow_anonymous,
        participant_statements=payload.participant_statements,
        statements_need_moderation=payload.statements_need_moderation,
    )
    return 201, _out(conversation)


@router.patch("/conversations/{slug}", response=ConversationOut, auth=AUTHENTICATED)
def conversation_update(request: AuthenticatedRequest, slug: str, payload: ConversationUpdateIn):
    """Change the question and how people take part (its facilitators)."""
    hit_person("write", request.user)
    conversation = _facilitated(request, slug)
    changes = payload.dict(exclude_none=True)
    current = {
        "topic": conversation.topic,
        "description": conversation.description,
        "allow_anonymous": conversation.allow_anonymous,
        "participant_statements": conversation.participant_statements,
        "statements_need_moderation": conversation.statements_need_moderation,
    }
    services.conversation_update(
        conversation=conversation, actor=request.user, **{**current, **changes}
    )
    return _out(conversation)


@router.post(
    "/conversations/{slug}/close",
    response={200: ConversationOut, 409: ErrorOut},
    auth=AUTHENTICATED,
)
def conversation_close(request: AuthenticatedRequest, slug: str):
    """Close the conversation: no more votes or statements (409 if already closed)."""
    hit_person("write", request.user)
    conversation = _facilitated(request, slug)
    try:
        services.conversation_close(conversation=conversation, actor=request.user)
    except services.ConversationConflict as error:
        return 409, {"detail": str(error)}
    return 200, _out(conversation)


@router.post(
    "/conversations/{slug}/reopen",
    response={200: ConversationOut, 409: ErrorOut},
    auth=AUTHENTICATED,
)
def conversation_reopen(request: AuthenticatedRequest, slug: str):
    """Reopen a closed conversation (409 if it is open)."""
    hit_person("write", request.user)
    conversation = _facilitated(request, slug)
    try:
        services.conversation_reopen(conversation=conversation, actor=request.user)
    except services.ConversationConflict as error:
        return 409, {"detail": str(error)}
    return 200, _out(conversation)


@router.post(
    "/conversations/{slug}/statements",
    response={201: StatementOut, 409: ErrorOut | DuplicateOut},
    auth=AUTHENTICATED,
)
def statement_create(request: AuthenticatedRequest, slug: str, payload: StatementIn):
    """Add a statement; the same one already there (case, accents, spacing aside) answers 409
    with the existing statement's id."""
    conversation = get_object_or_404(Conversation, slug=slug)
    try:
        participant = services.participant_get_or_create(
            conversation=conversation, person=request.user
        )
        statement = services.statement_submit(participant=participant, text=payload.text)
    except services.DuplicateStatement as error:
        return 409, {"detail": error.messages[0], "existing": error.existing.pk}
    except services.ConversationConflict as error:
        return 409, {"detail": str(error)}
    return 201, {"id": statement.pk, "text": statement.text, "is_meta": statement.is_meta}
