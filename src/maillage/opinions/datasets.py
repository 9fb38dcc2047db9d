"""Open data of conversations, in the Polis openData column format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.opinions.models import Statement, VoteEvent
from maillage.opinions.selectors import public_statement_q


def _comments() -> Iterator[dict[str, Any]]:
    qs = (
        Statement.objects.filter(public_statement_q())
        .order_by("id")
        .annotate(
            agrees=Count("votes", filter=Q(votes__value=1)),
            disagrees=Count("votes", filter=Q(votes__value=-1)),
        )
        .values(
            "id",
            "conversation__slug",
            "author_id",
            "moderation",
            "is_meta",
            "text",
            "created_at",
            "agrees",
            "disagrees",
        )
    )
    for row in qs.iterator(chunk_size=2000):
        yield {
            "conversation": row["conversation__slug"],
            "timestamp": int(row["created_at"].timestamp() * 1000),
            "comment-id": row["id"],
            "author-id": row["author_id"],
            "agrees": row["agrees"],
            "disagrees": row["disagrees"],
            "moderated": row["moderation"],
            "is-meta": row["is_meta"],
            "comment-body": row["text"],
        }


def _votes() -> Iterator[dict[str, Any]]:
    qs = VoteEvent.objects.order_by("id").values(
        "id",
        "statement__conversation__slug",
        "created_at",
        "statement_id",
        "participant_id",
        "value",
    )
    for row in qs.iterator(chunk_size=5000):
        yield {
            "conversation": row["statement__conversation__slug"],
            "timestamp": int(row["created_at"].timestamp() * 1000),
            "comment-id": row["statement_id"],
            "voter-id": row["participant_id"],
            "vote": row["value"],
        }


DATASETS = (
    Dataset(
        name="opinion-statements",
        title=_("Conversation statements"),
        description=_(
            "Statements of opinion-mapping conversations with their vote counts, in the Polis openData comments.csv columns (agree = +1)."
        ),
        fields=(
            Field("conversation", "string", _("Conversation slug"), required=True),
            Field("timestamp", "integer", _("Creation time, ms since 1970 (UTC)"), required=True),
            Field("comment-id", "integer", _("Statement identifier"), required=True),
            Field("author-id", "integer", _("Pseudonymous participant identifier of the author")),
            Field("agrees", "integer", _("Current agree votes")),
            Field("disagrees", "integer", _("Current disagree votes")),
            Field("moderated", "integer", _("-1 rejected, 0 unmoderated, 1 accepted")),
            Field("is-meta", "boolean", _("Meta statement (about the conversation itself)")),
            Field("comment-body", "string", _("Text")),
        ),
        rows=_comments,
        primary_key="comment-id",
        pseudonymization=_(
            "Participants appear only as per-conversation numbers; no name, email or IP."
        ),
        keywords=("opinion", "polis", "concertation"),
    ),
    Dataset(
        name="opinion-votes",
        title=_("Conversation votes"),
        description=_(
            "Every vote event (re-votes included; the latest per voter and statement counts), in the Polis openData votes.csv columns: agree = +1, disagree = -1, pass = 0."
        ),
        fields=(
            Field("conversation", "string", _("Conversation slug"), required=True),
            Field("timestamp", "integer", _("Vote time, ms since 1970 (UTC)"), required=True),
            Field("comment-id", "integer", _("Statement identifier"), required=True),
            Field("voter-id", "integer", _("Pseudonymous participant identifier"), required=True),
            Field("vote", "integer", _("+1 agree, -1 disagree, 0 pass"), required=True),
        ),
        rows=_votes,
        primary_key=None,
        pseudonymization=_("Voters appear only as per-conversation numbers; no name, email or IP."),
        keywords=("opinion", "polis", "vote"),
    ),
)
