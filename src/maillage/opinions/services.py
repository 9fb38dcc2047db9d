"""Writes on conversations: statements, moderation, votes, and the background recomputation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis.opinions.duplicates import statement_key
from maillage.core import ratelimit
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.opinions.models import Analysis, Conversation, Participant, Statement, Vote, VoteEvent

if TYPE_CHECKING:
    from maillage.people.models import Person


logger = logging.getLogger(__name__)
VOTE_VALUES = {-1: "disagree", 0: "pass", 1: "agree"}
VOTE_RATE = "120/m"
STATEMENT_RATE = "10/h"
STATEMENT_MAX = 1000


class ConversationConflict(Exception):
    """The action is impossible in the current state (HTTP 409); the message says why."""


class DuplicateStatement(ValidationError):
    """The statement says what an existing one already says; ``existing`` is that one."""

    def __init__(self, existing: Statement) -> None:
        super().__init__(
            {"text": _("This statement is already in the conversation: vote on it instead.")}
        )
        self.existing = existing


def _seed_statements(texts: list[str]) -> list[str]:
    """Return the seed statements, stripped; refuse none, an overlong one, or a repeat."""
    seeds = [text.strip() for text in texts if text.strip()]
    if not seeds:
        raise ValidationError(
            {
                "seed_statements": _(
                    "Give at least one statement to vote on: participants start from them."
                )
            }
        )
    keys: dict[str, str] = {}
    for text in seeds:
        if len(text) > STATEMENT_MAX:
            raise ValidationError(
                {
                    "seed_statements": _(
                        "A statement has %(count)s characters; the limit is %(limit)s."
                    )
                    % {"count": len(text), "limit": STATEMENT_MAX}
                }
            )
        key = statement_key(text)
        if key in keys:
            raise ValidationError(
                {"seed_statements": _("“%(text)s” is given twice.") % {"text": keys[key][:120]}}
            )
        keys[key] = text
    return seeds


@transaction.atomic
def conversation_create(
    *,
    territory: Any,
    topic: str,
    actor: Person,
    description: str = "",
    seed_statements: list[str] | None = None,
    allow_anonymous: bool = True,
    participant_statements: bool = True,
    statements_need_moderation: bool = False,
    slug: str | None = None,
) -> Conversation:
    """Open a conversation on ``territory`` with its seed statements (facilitators only)."""
    require(actor, "opinions.add_conversation", territory)
    if not topic.strip():
        raise ValidationError({"topic": _("Ask the question the conversation is about.")})
    seeds = _seed_statements(seed_statements or [])
    conversation = Conversation.objects.create(
        territory=territory,
        topic=topic.strip(),
        description=description.strip(),
        facilitator=actor,
        allow_anonymous=allow_anonymous,
        participant_statements=participant_statements,
        statements_need_moderation=statements_need_moderation,
        slug=slug or unique_slug(topic, Conversation),
    )
    Statement.objects.bulk_create(
        Statement(
            conversation=conversation,
            text=text,
            text_key=statement_key(text),
            is_seed=True,
            moderation=Statement.Moderation.ACCEPTED,
        )
        for text in seeds
    )
    audit_record(
        actor=actor,
        action="conversation.create",
        target=conversation,
        data={"seed_statements": len(seeds)},
    )
    return conversation


@transaction.atomic
def conversation_update(
    *,
    conversation: Conversation,
    actor: Person,
    topic: str,
    description: str,
    allow_anonymous: bool,
    participant_statements: bool,
    statements_need_moderation: bool,
) -> Conversation:
    """Change a conversation's question and how people take part (its facilitators)."""
    require(actor, "opinions.moderate_conversation", conversation)
    if not topic.strip():
        raise ValidationError({"topic": _("Ask the question the conversation is about.")})
    conversation.topic = topic.strip()
    conversation.description = description.strip()
    conversation.allow_anonymous = allow_anonymous
    conversation.participant_statements = participant_statements
    conversation.statements_need_moderation = statements_need_moderation
    fields = [
        "topic",
        "description",
        "allow_anonymous",
        "participant_statements",
        "statements_need_moderation",
    ]
    conversation.save(update_fields=fields)
    audit_record(actor=actor, action="conversation.update", target=conversation)
    return conversation


def cookie_hash(key: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()


def participant_get_or_create(
    *, conversation: Conversation, person: Any = None, cookie_key: str = ""
) -> Participant:
    """Return the participant for a person, else for a pseudonymous browser cookie."""
    if person is not None and getattr(person, "is_authenticated", False):
        lookup = {"conversation": conversation, "person": person}
    elif conversation.allow_anonymous and cookie_key:
        lookup = {"conversation": conversation, "cookie_hash": cookie_hash(cookie_key)}
    else:
        raise ConversationConflict("this conversation needs an account to take part")
    found = Participant.objects.filter(**lookup).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Participant.objects.create(**lookup)
    except IntegrityError:
        return Participant.objects.get(**lookup)


@transaction.atomic
def statement_submit(*, participant: Participant, text: str) -> Statement:
    """Add a participant's statement (shown at once unless the conversation moderates first).

    The same statement sent again, whatever its case, accents or spacing, is refused with the
    existing one (:class:`DuplicateStatement`); submissions to one conversation take its row's
    lock so that two identical ones sent at once cannot both pass.
    """
    conversation = Conversation.objects.select_for_update().get(pk=participant.conversation_id)
    if not conversation.is_open:
        raise ConversationConflict("the conversation is closed")
    if not conversation.participant_statements:
        raise ConversationConflict("this conversation does not take statements from participants")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "the statement is empty"})
    if len(text) > 1000:
        raise ValidationError(
            {"text": f"the statement has {len(text)} characters; the limit is 1000"}
        )
    existing = (
        conversation.statements.filter(text_key=statement_key(text))
        .exclude(moderation=Statement.Moderation.REJECTED)
        .first()
    )
    if existing is not None:
        raise DuplicateStatement(existing)
    ratelimit.hit("statement", f"{conversation.pk}:{participant.pk}", rate=STATEMENT_RATE)
    moderation = 0 if conversation.statements_need_moderation else 1
    return Statement.objects.create(
        conversation=conversation, text=text, author=participant, moderation=moderation
    )


@transaction.atomic
def statement_moderate(
    *, statement: Statement, actor: Person, moderation: int, is_meta: bool | None = None
) -> Statement:
    """Accept or reject a statement, or mark it meta (facilitators only); schedule a recompute."""
    require(actor, "opinions.moderate_conversation", statement.conversation)
    if moderation not in (-1, 0, 1):
        raise ValidationError(
            {"moderation": "expected -1 (rejected), 0 (unmoderated) or 1 (accepted)"}
        )
    statement.moderation = moderation
    fields = ["moderation"]
    if is_meta is not None:
        statement.is_meta = is_meta
        fields.append("is_meta")
    statement.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="statement.moderate",
        target=statement,
        data={"moderation": moderation, "is_meta": statement.is_meta},
    )
    transaction.on_commit(lambda: schedule_recompute(statement.conversation_id))
    return statement


def vote_cast(*, participant: Participant, statement: Statement, value: Any) -> Vote:
    """Record a vote; a later vote replaces the earlier one and the history keeps both.

    Identical concurrent votes record one: the unique constraint decides who inserts, and a
    history event is written only when the stored value actually changes.
    """
    if isinstance(value, bool) or value not in VOTE_VALUES:
        raise ValidationError(
            {
                "value": f"{value!r} is not a vote: allowed values are -1 (disagree), 0 (pass), 1 (agree)"
            }
        )
    if statement.conversation_id != participant.conversation_id:
        raise ValidationError({"statement": "the statement belongs to another conversation"})
    if not statement.conversation.is_open:
        raise ConversationConflict("the conversation is closed: votes are no longer taken")
    if statement.moderation == Statement.Moderation.REJECTED:
        raise ConversationConflict("the statement was rejected by moderation: it takes no votes")
    if (
        statement.moderation == Statement.Moderation.UNMODERATED
        and statement.conversation.statements_need_moderation
    ):
        raise ConversationConflict("the statement awaits moderation: it takes no votes yet")
    ratelimit.hit("vote", str(participant.pk), rate=VOTE_RATE)
    now = timezone.now()
    with transaction.atomic():
        changed = (
            Vote.objects.filter(participant=participant, statement=statement)
            .exclude(value=value)
            .update(value=value, updated_at=now)
        )
        if (
            not changed
            and not Vote.objects.filter(participant=participant, statement=statement).exists()
        ):
            try:
                with transaction.atomic():
                    Vote.objects.create(
                        participant=participant, statement=statement, value=value, updated_at=now
                    )
                changed = 1
            except IntegrityError:
                changed = (
                    Vote.objects.filter(participant=participant, statement=statement)
                    .exclude(value=value)
                    .update(value=value, updated_at=now)
                )
        if changed:
            VoteEvent.objects.create(
                participant=participant, statement=statement, value=value, created_at=now
            )
    transaction.on_commit(lambda: schedule_recompute(participant.conversation_id))
    return Vote.objects.get(participant=participant, statement=statement)


@transaction.atomic
def conversation_close(*, conversation: Conversation, actor: Person) -> Conversation:
    """Close a conversation: no more votes or statements; the map stays readable."""
    require(actor, "opinions.moderate_conversation", conversation)
    if not conversation.is_open:
        raise ConversationConflict(_("The conversation is already closed."))
    conversation.is_open = False
    conversation.save(update_fields=["is_open"])
    audit_record(actor=actor, action="conversation.close", target=conversation)
    return conversation


@transaction.atomic
def conversation_reopen(*, conversation: Conversation, actor: Person) -> Conversation:
    """Reopen a closed conversation for votes and statements."""
    require(actor, "opinions.moderate_conversation", conversation)
    if conversation.is_open:
        raise ConversationConflict(_("The conversation is already open."))
    conversation.is_open = True
    conversation.save(update_fields=["is_open"])
    audit_record(actor=actor, action="conversation.reopen", target=conversation)
    return conversation


def analysis_compute(conversation: Conversation, *, seed: int = 0) -> Analysis | None:
    """Recompute the opinion map of ``conversation`` from its current votes and store it."""
    from maillage.analysis.blocs import detect_blocs
    from maillage.analysis.opinions import VoteTable, analyze

    rows = list(
        VoteEvent.objects.filter(statement__conversation=conversation)
        .order_by("created_at", "id")
        .values_list("participant_id", "statement_id", "value", "created_at")
    )
    if not rows:
        return None
    votes = VoteTable(
        participant_ids=np.array([r[0] for r in rows], dtype=np.int64),
        statement_ids=np.array([r[1] for r in rows], dtype=np.int64),
        values=np.array([r[2] for r in rows], dtype=np.int64),
        timestamps=np.array([r[3].timestamp() * 1000 for r in rows], dtype=np.float64),
    )
    statements = Statement.objects.filter(conversation=conversation)
    mod_out = statements.filter(moderation=-1).values_list("id", flat=True)
    meta = statements.filter(is_meta=True).values_list("id", flat=True)
    result = analyze(votes, mod_out_ids=list(mod_out), meta_ids=list(meta), mode="cold", seed=seed)
    projection = result.pca.participant_projection
    participants = [
        {
            "id": int(pid),
            "group": (None if result.group[i] < 0 else int(result.group_ids[result.group[i]])),
            "x": float(projection[i, 0]),
            "y": float(projection[i, 1]),
            "n_votes": int(result.n_votes[i]),
        }
        for i, pid in enumerate(result.participant_ids)
    ]
    agree, disagree, seen = (
        result.group_votes.agree,
        result.group_votes.disagree,
        result.group_votes.seen,
    )
    groups = [
        {
            "id": int(gid),
            "size": int(result.group_sizes()[gid]),
            "representative": [asdict(r) for r in result.representative.get(gid, [])],
            "votes": {
                str(int(sid)): [int(agree[g, j]), int(disagree[g, j]), int(seen[g, j])]
                for j, sid in enumerate(result.statement_ids)
            },
        }
        for g, gid in enumerate(result.group_ids)
    ]
    created = dict(
        Participant.objects.filter(conversation=conversation).values_list("id", "created_at")
    )
    per_participant: dict[int, dict[int, int]] = {}
    for pid, sid, value in Vote.objects.filter(participant__conversation=conversation).values_list(
        "participant_id", "statement_id", "value"
    ):
        per_participant.setdefault(pid, {})[sid] = value
    ids = np.array(sorted(created), dtype=np.int64)
    blocs = detect_blocs(ids, np.array([created[i].timestamp() for i in ids]), per_participant)
    data = {
        "participants": participants,
        "groups": groups,
        "statements": [
            {
                "id": int(sid),
                "group_informed_consensus": float(result.group_informed_consensus[j]),
                "priority": float(result.priority[j]),
            }
            for j, sid in enumerate(result.statement_ids)
        ],
        "consensus": {k: [asdict(c) for c in v] for k, v in result.consensus.items()},
        "blocs": [asdict(b) for b in blocs],
        "timings": result.timings,
    }
    analysis, _ = Analysis.objects.update_or_create(
        conversation=conversation,
        defaults={"computed_at": timezone.now(), "vote_count": len(rows), "result": data},
    )
    return analysis


# Debounced background recomputation: a vote enqueues the conversation's recomputation a few
# seconds later, unless one is already waiting; a queue worker computes it (opinions.tasks).
DEBOUNCE_SECONDS = 3.0


def schedule_recompute(conversation_id: int) -> None:
    """Enqueue the recomputation of a conversation's map; never computes in the caller."""
    if getattr(settings, "OPINIONS_RECOMPUTE_EAGER", False):
        conversation = Conversation.objects.get(pk=conversation_id)
        analysis_compute(conversation)
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from maillage.opinions.tasks import recompute

    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=recompute.module_path,
        args_kwargs__kwargs__conversation_id=conversation_id,
    )
    if waiting.exists():
        return  # the waiting one will read this vote too
    run_after = timezone.now() + dt.timedelta(seconds=DEBOUNCE_SECONDS)
    recompute.using(run_after=run_after).enqueue(conversation_id=conversation_id)
