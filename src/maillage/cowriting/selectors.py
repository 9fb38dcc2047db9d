"""Reads on shared works, with their visibility rules."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from maillage.cowriting.authorship import replay
from maillage.cowriting.models import (
    Comment,
    Participant,
    PublicationProposal,
    PublishedVersion,
    SharedWork,
    Update,
)
from maillage.cowriting.permissions import participant_role
from maillage.people.models import DELETED_NAME, Person


def work_list_visible(user: Any, *, archived: bool | None = None) -> QuerySet[SharedWork]:
    """Return the works ``user`` may read: public ones and those they take part in.

    ``archived``: only archived works (True), only works in progress (False), or both.
    """
    qs = SharedWork.objects.select_related("organization").annotate(
        participant_count=Count("participants", distinct=True)
    )
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    if getattr(user, "is_superuser", False):
        return qs
    visible = Q(is_public=True)
    if getattr(user, "is_authenticated", False):
        visible |= Q(participants__person=user)
    return qs.filter(visible).distinct()


def work_with_counts() -> QuerySet[SharedWork]:
    """Return every work with its owner and participant count (callers check who may read)."""
    return SharedWork.objects.select_related("organization").annotate(
        participant_count=Count("participants", distinct=True)
    )


def work_get(pk: int) -> SharedWork:
    """Return the work ``pk`` with its owner (raise SharedWork.DoesNotExist)."""
    return SharedWork.objects.select_related("organization", "attached_type").get(pk=pk)


def connection_role(*, work_id: int, user: Any) -> str | None:
    """Return how ``user`` may join the work's websocket: a role, or None when refused.

    Participants join with their role; anyone else joins a public work as a reader; a private
    work refuses every non-participant, and every connection without a session.
    """
    try:
        work = SharedWork.objects.only("pk", "is_public", "archived_at").get(pk=work_id)
    except SharedWork.DoesNotExist:
        return None
    role = participant_role(user, work)
    if role is not None:
        # An archived work is read-only, for its writers too.
        return Participant.Role.READER if work.is_archived else role
    if work.is_public:
        return Participant.Role.READER
    return None


def connection_role_now(*, work_id: int, person_id: int) -> str | None:
    """Return ``connection_role`` for the person as the database holds them now.

    An open websocket's user was read at its handshake: an account closed since then reads
    as no one (the role of an anonymous visitor, hence never a writer).
    """
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return None
    return connection_role(work_id=work_id, user=person)


def participants_of(work: SharedWork) -> list[Participant]:
    return list(
        work.participants.select_related("person", "invited_by").order_by("joined_at", "id")
    )


def _name(person: Person | None) -> str:
    return person.public_name if person is not None else str(DELETED_NAME)


@dataclass(frozen=True)
class ShareRow:
    """One participant's pen: characters inserted, still present, deleted, and share."""

    person_id: int | None
    name: str
    inserted: int
    surviving: int
    deleted: int
    share: float

    def as_public_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "inserted": self.inserted,
            "surviving": self.surviving,
            "deleted": self.deleted,
            "share": round(self.share, 4),
        }


def _replay(work_id: int, through: int) -> Any:
    """Return the replay of the log up to ``through``, cached: the log below it never changes."""
    key = f"cowriting:authorship:{work_id}:{through}"
    result = cache.get(key)
    if result is None:
        rows = (
            Update.objects.filter(work_id=work_id, sequence__lte=through)
            .order_by("sequence")
            .values_list("author_id", "data")
        )
        result = replay((author, bytes(data)) for author, data in rows.iterator(chunk_size=2000))
        cache.set(key, result, timeout=3600)
    return result


def work_authorship(*, work: SharedWork, through: int | None = None) -> list[ShareRow]:
    """Return each author's share of the text as of ``through`` (default: now), largest first."""
    through = work.last_sequence if through is None else through
    result = _replay(work.pk, through)
    people = Person.objects.in_bulk([a for a in result.authors if a is not None])
    rows = [
        ShareRow(
            person_id=author,
            name=_name(people.get(author)) if author is not None else str(DELETED_NAME),
            inserted=stats.inserted,
            surviving=stats.surviving,
            deleted=stats.deleted,
            share=result.share(author),
        )
        for author, stats in result.authors.items()
    ]
    return sorted(rows, key=lambda row: (-row.surviving, row.name))


@dataclass(frozen=True)
class TimelineEntry:
    """Contributions of one author within one hour."""

    hour: Any
    name: str
    updates: int
    inserted: int
    deleted: int


def work_timeline(*, work: SharedWork) -> list[TimelineEntry]:
    """Return the contributions grouped by hour and author, oldest first."""
    result = _replay(work.pk, work.last_sequence)
    rows = list(
        Update.objects.filter(work=work).order_by("sequence").values_list("created_at", "author_id")
    )
    people = Person.objects.in_bulk([a for a in result.authors if a is not None])
    grouped: dict[tuple[Any, Any], list[int]] = {}
    for (created_at, author), step in zip(rows, result.steps, strict=False):
        hour = created_at.replace(minute=0, second=0, microsecond=0)
        bucket = grouped.setdefault((hour, author), [0, 0, 0])
        bucket[0] += 1
        bucket[1] += step.inserted
        bucket[2] += step.deleted
    return [
        TimelineEntry(hour, _name(people.get(author)) if author else str(DELETED_NAME), *counts)
        for (hour, author), counts in grouped.items()
    ]


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Return a line diff of two texts (difflib's longest matching blocks)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", line) for line in old_lines[i1:i2])
        else:
            lines.extend(DiffLine("removed", line) for line in old_lines[i1:i2])
            lines.extend(DiffLine("added", line) for line in new_lines[j1:j2])
    return lines


def comments_of(work: SharedWork) -> list[Comment]:
    return list(work.comments.select_related("author"))


def open_proposal(work: SharedWork) -> PublicationProposal | None:
    return (
        work.proposals.filter(status=PublicationProposal.Status.OPEN)
        .select_related("version", "proposed_by")
        .prefetch_related("signatures__person")
        .first()
    )


def published_list() -> QuerySet[PublishedVersion]:
    """Return every published version (they are public by nature)."""
    return PublishedVersion.objects.select_related("work").order_by("-published_at", "-id")


def person_cowriting_data(person: Person) -> dict[str, Any]:
    """Return what co-writing holds about ``person`` for their GDPR export."""
    return {
        "participations": [
            {
                "work": p.work.title,
                "role": p.role,
                "objective": p.objective,
                "joined_at": p.joined_at.isoformat(),
            }
            for p in person.cowriting_participations.select_related("work")
        ],
        "comments": [
            {
                "work": c.work.title,
                "text": c.text,
                "quote": c.quote,
                "created_at": c.created_at.isoformat(),
            }
            for c in Comment.objects.filter(author=person).select_related("work")
        ],
        "updates_written": Update.objects.filter(author=person).count(),
    }
