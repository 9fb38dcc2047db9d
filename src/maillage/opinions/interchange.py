"""Import and export conversations in the Polis openData format (lossless round trip).

The folder holds comments.csv, votes.csv (every vote event), participants-votes.csv and
summary.csv. Identifiers of an import are kept (``external_id``) so that an export writes the
same comment and voter ids back.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction

from maillage.analysis.opinions import read_opendata
from maillage.analysis.opinions.duplicates import statement_key
from maillage.analysis.spreadsheet import safe_writer
from maillage.opinions.models import Conversation, Participant, Statement, Vote, VoteEvent

COMMENT_HEADER = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
VOTE_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]


def _from_ms(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)


def _ms(value: dt.datetime) -> int:
    return round(value.timestamp() * 1000)


def _read_comment_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "comments.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def conversation_import(
    folder: str | Path,
    *,
    territory: Any,
    slug: str,
    topic: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> Conversation:
    """Load an openData folder into a new conversation; raise OpenDataError naming a problem."""
    folder = Path(folder)
    progress("reading")
    data = read_opendata(folder)  # validates files, columns and the sign convention
    comment_rows = _read_comment_rows(folder)
    conversation = Conversation.objects.create(
        territory=territory,
        slug=slug,
        topic=topic or data.summary.get("topic") or slug,
        description=data.summary.get("conversation-description", ""),
        participant_statements=True,
    )
    progress("participants")
    voter_ids = set(data.events.participant_ids.tolist())
    voter_ids |= {int(r["author-id"]) for r in comment_rows if r.get("author-id", "").strip()}
    voter_ids |= set(data.export_groups)
    first_seen: dict[int, float] = {}
    for pid, ts in zip(
        data.events.participant_ids.tolist(), data.events.timestamps.tolist(), strict=True
    ):
        first_seen[pid] = min(ts, first_seen.get(pid, ts))
    participants = Participant.objects.bulk_create(
        Participant(
            conversation=conversation,
            external_id=pid,
            cookie_hash=f"import-{conversation.pk}-{pid}",
            created_at=_from_ms(first_seen.get(pid, 0.0)),
        )
        for pid in sorted(voter_ids)
    )
    participant_of = {p.external_id: p for p in participants}
    progress("statements")
    statements = Statement.objects.bulk_create(
        Statement(
            conversation=conversation,
            external_id=int(row["comment-id"]),
            text=row.get("comment-body", ""),
            text_key=statement_key(row.get("comment-body", "")),
            author=participant_of.get(int(row["author-id"]))
            if row.get("author-id", "").strip()
            else None,
            moderation=int(row["moderated"]),
            is_meta=row.get("is-meta", "").strip().lower() in {"true", "1"},
            created_at=_from_ms(float(row["timestamp"])),
        )
        for row in comment_rows
    )
    statement_of = {s.external_id: s for s in statements}
    progress("votes")
    events = data.events
    VoteEvent.objects.bulk_create(
        (
            VoteEvent(
                participant=participant_of[pid],
                statement=statement_of[sid],
                value=value,
                created_at=_from_ms(ts),
            )
            for pid, sid, value, ts in zip(
                events.participant_ids.tolist(),
                events.statement_ids.tolist(),
                events.values.tolist(),
                events.timestamps.tolist(),
                strict=True,
            )
        ),
        batch_size=5000,
    )
    final = data.votes
    Vote.objects.bulk_create(
        (
            Vote(
                participant=participant_of[pid],
                statement=statement_of[sid],
                value=value,
                updated_at=_from_ms(ts),
            )
            for pid, sid, value, ts in zip(
                final.participant_ids.tolist(),
                final.statement_ids.tolist(),
                final.values.tolist(),
                final.timestamps.tolist(),
                strict=True,
            )
        ),
        batch_size=5000,
    )
    return conversation


def conversation_export(conversation: Conversation, folder: str | Path) -> None:
    """Write ``conversation`` as an openData folder (imported ids are kept)."""
    from maillage.opinions.selectors import analysis_of

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    participants = {
        p.pk: p.external_id if p.external_id is not None else p.pk
        for p in conversation.participants.all()
    }
    statements = list(conversation.statements.order_by("external_id", "id"))
    sid = {s.pk: s.external_id if s.external_id is not None else s.pk for s in statements}
    events = list(
        VoteEvent.objects.filter(statement__conversation=conversation)
        .order_by("created_at", "id")
        .values_list("participant_id", "statement_id", "value", "created_at")
    )
    agrees, disagrees = Counter(), Counter()
    for _, statement_id, value, _ in events:
        if value == 1:
            agrees[statement_id] += 1
        elif value == -1:
            disagrees[statement_id] += 1
    with (folder / "comments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = safe_writer(handle)
        writer.writerow(COMMENT_HEADER)
        for s in statements:
            writer.writerow(
                [
                    _ms(s.created_at),
                    s.created_at.isoformat(),
                    sid[s.pk],
                    participants.get(s.author_id, "") if s.author_id else "",
                    agrees[s.pk],
                    disagrees[s.pk],
                    s.moderation,
                    s.text,
                ]
            )
    with (folder / "votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = safe_writer(handle)
        writer.writerow(VOTE_HEADER)
        for participant_id, statement_id, value, created in events:
            writer.writerow(
                [
                    _ms(created),
                    created.isoformat(),
                    sid[statement_id],
                    participants[participant_id],
                    value,
                ]
            )
    final: dict[int, dict[int, int]] = defaultdict(dict)
    for participant_id, statement_id, value in Vote.objects.filter(
        statement__conversation=conversation
    ).values_list("participant_id", "statement_id", "value"):
        final[participant_id][statement_id] = value
    result = analysis_of(conversation) or {}
    group_of = {p["id"]: p["group"] for p in result.get("participants", [])}
    columns = [s.pk for s in statements if any(s.pk in votes for votes in final.values())]
    authored = Counter(s.author_id for s in statements if s.author_id)
    with (folder / "participants-votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = safe_writer(handle)
        writer.writerow(
            [
                "participant",
                "group-id",
                "n-comments",
                "n-votes",
                "n-agree",
                "n-disagree",
                *[sid[c] for c in columns],
            ]
        )
        for pk in sorted(final, key=lambda k: participants[k]):
            votes = final[pk]
            group = group_of.get(pk)
            writer.writerow(
                [
                    participants[pk],
                    "" if group is None else group,
                    authored[pk],
                    len(votes),
                    sum(v == 1 for v in votes.values()),
                    sum(v == -1 for v in votes.values()),
                    *[votes.get(c, "") for c in columns],
                ]
            )
    with (folder / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = safe_writer(handle)
        writer.writerows(
            [
                ["topic", conversation.topic],
                ["url", conversation.get_absolute_url()],
                ["views", ""],
                ["voters", len(final)],
                ["voters-in-conv", len(final)],
                ["commenters", len(authored)],
                ["comments", len(statements)],
                ["groups", len(result.get("groups", []))],
                ["conversation-description", conversation.description],
            ]
        )
