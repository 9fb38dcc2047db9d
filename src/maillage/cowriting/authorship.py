"""Who held the pen: replay the stored updates in order and attribute every character.

Django-free: takes ``(author, update bytes)`` pairs in sequence order, returns plain data.
Each update is applied to a fresh pycrdt ``Doc``; the text event of that update tells which
characters it inserted and deleted (Yjs delta: retain / insert / delete, see
https://docs.yjs.dev/api/delta-format). A list mirrors the text with the author of each unit,
so a deletion is charged to the deleter and removes the inserted character from its author's
surviving count. pycrdt reports delta offsets in UTF-8 bytes: the mirror holds one entry per
byte and counts a character on its first byte only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Text, TextEvent

# The name of the Y.Text that holds the Markdown in every shared work (the editor binds to it).
TEXT_NAME = "content"


@dataclass
class AuthorStats:
    """Characters one author inserted, of which still present, and characters they deleted."""

    inserted: int = 0
    surviving: int = 0
    deleted: int = 0


@dataclass(frozen=True)
class Step:
    """What one update did: its index in the replay, its author and its counts."""

    index: int
    author: Hashable
    inserted: int
    deleted: int


@dataclass
class Authorship:
    """The replay's result: per-author counts, per-update steps and the final text."""

    authors: dict[Hashable, AuthorStats] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    text: str = ""

    @property
    def total_surviving(self) -> int:
        return sum(stats.surviving for stats in self.authors.values())

    def share(self, author: Hashable) -> float:
        """Return ``author``'s share of the surviving text, between 0 and 1."""
        total = self.total_surviving
        return self.authors[author].surviving / total if total else 0.0


def _is_lead_byte(byte: int) -> bool:
    return (byte & 0xC0) != 0x80


def replay(updates: Iterable[tuple[Hashable, bytes]], text_name: str = TEXT_NAME) -> Authorship:
    """Return the authorship of the text ``text_name`` built by ``updates`` in order.

    An update whose inserts depend on a missing one waits in pycrdt until it arrives; its
    characters are then charged to the author of the update that completed them, which only
    happens if the log itself is missing updates.
    """
    doc: Doc = Doc()
    text = doc.get(text_name, type=Text)
    owners: list[Hashable] = []  # the author of each UTF-8 byte of the text
    leads: bytearray = bytearray()  # 1 where that byte starts a character
    result = Authorship()
    current: dict[str, Any] = {}

    def on_event(event: TextEvent) -> None:
        author = current["author"]
        stats = result.authors.setdefault(author, AuthorStats())
        pos = 0
        # pycrdt declares TextEvent.delta in __slots__ only, so its stubs have no such attribute.
        for op in event.delta:  # type: ignore[attr-defined]
            if "retain" in op:
                pos += op["retain"]
            elif "insert" in op:
                value = op["insert"]
                raw = value.encode("utf-8") if isinstance(value, str) else b"\x00"
                owners[pos:pos] = [author] * len(raw)
                leads[pos:pos] = bytes(1 if _is_lead_byte(b) else 0 for b in raw)
                count = sum(1 for b in raw if _is_lead_byte(b))
                stats.inserted += count
                current["inserted"] += count
                pos += len(raw)
            elif "delete" in op:
                end = pos + op["delete"]
                for owner, lead in zip(owners[pos:end], leads[pos:end], strict=True):
                    if lead:
                        result.authors.setdefault(owner, AuthorStats()).surviving -= 1
                        stats.deleted += 1
                        current["deleted"] += 1
                del owners[pos:end]
                del leads[pos:end]

    subscription = text.observe(on_event)
    for index, (author, update) in enumerate(updates):
        current.update(author=author, inserted=0, deleted=0)
        doc.apply_update(update)
        result.authors.setdefault(author, AuthorStats())
        result.steps.append(Step(index, author, current["inserted"], current["deleted"]))
    text.unobserve(subscription)
    # Surviving = inserted minus deleted-by-anyone, accumulated above as negatives.
    for stats in result.authors.values():
        stats.surviving += stats.inserted
    result.text = str(text)
    return result
