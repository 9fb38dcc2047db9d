"""A room's batching: merged updates, author runs applied at once, paced sends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pycrdt import Doc, Text

from maillage.cowriting import rooms
from maillage.cowriting.authorship import TEXT_NAME


def _typing(chars: str) -> list[bytes]:
    """Return one update per character typed in a fresh document."""
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for char in chars:
        text.insert(len(text), char)
    return updates


def _text_of(update: bytes) -> str:
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    doc.apply_update(update)
    return str(text)


def test_a_long_list_of_updates_is_merged_in_rounds_into_the_same_document() -> None:
    typed = "x" * (rooms._MERGE_AT_ONCE * 3 + 5)
    assert _text_of(rooms._merged(_typing(typed))) == typed


def test_a_run_with_a_malformed_update_applies_the_others_and_drops_it() -> None:
    room = rooms.Room(1)
    good = _typing("abc")
    forged = b"\x01\x01\xff\xff\xff\x0f\x00"  # plausible counts, not a decodable update
    with pytest.raises(ValueError):
        rooms.Room(1).apply(forged)
    changed = room.apply_run([good[0], forged, good[1], good[2]])
    assert changed is not None
    assert str(room.doc[TEXT_NAME]) == "abc"
    assert _text_of(changed) == "abc"


def test_a_run_that_brings_nothing_new_changes_nothing() -> None:
    room = rooms.Room(1)
    updates = _typing("ab")
    assert room.apply_run(updates) is not None
    assert room.apply_run(updates) is None


@pytest.mark.asyncio
async def test_a_quiet_room_sends_at_once_and_a_busy_one_merges_what_waits() -> None:
    sent: list[tuple[float, list[Any]]] = []
    loop = asyncio.get_running_loop()

    async def send(items: list[Any]) -> None:
        sent.append((loop.time(), items))

    paced = rooms._Paced(0.2, send)
    start = loop.time()
    paced.add([1])
    await asyncio.sleep(0.01)
    assert [items for _, items in sent] == [[1]]  # at once after a quiet spell
    paced.add([2])
    paced.add([3, 4])
    await paced.settle()
    assert [items for _, items in sent] == [[1], [2, 3, 4]]  # one send for what waited
    assert sent[1][0] - start >= 0.19  # not before the interval


def test_a_room_with_few_connections_sends_sooner_than_one_with_many() -> None:
    room = rooms.Room(1)
    room.peers = {object() for _ in range(10)}  # type: ignore[misc]
    assert room.flush_every() == pytest.approx(10 / rooms.FRAMES_PER_SECOND)
    room.peers = {object() for _ in range(1000)}  # type: ignore[misc]
    assert room.flush_every() == rooms.FLUSH_EVERY


@pytest.mark.asyncio
async def test_paced_sends_follow_an_interval_that_changes() -> None:
    sent: list[float] = []
    loop = asyncio.get_running_loop()
    interval = [0.3]

    async def send(items: list[Any]) -> None:
        sent.append(loop.time())

    paced = rooms._Paced(lambda: interval[0], send)
    paced.add([1])
    await asyncio.sleep(0.01)  # sent at once: the room was quiet
    paced.add([2])
    interval[0] = 0.05  # asked before each wait: the second send comes after the new interval
    await paced.settle()
    assert len(sent) == 2
    assert 0.04 <= sent[1] - sent[0] < 0.25
