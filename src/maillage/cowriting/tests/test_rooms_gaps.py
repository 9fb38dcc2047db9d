"""Two rooms of one work, as two workers hold them, when a relay message is lost."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections
from pycrdt import Doc, Text

from maillage.cowriting import rooms, services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import SharedWork
from maillage.cowriting.services import work_create
from maillage.cowriting.tests.live import wait_until
from maillage.cowriting.yprotocol import SyncStep, decode_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class Peer:
    """A connection that records the update frames it is sent."""

    def __init__(self) -> None:
        self.updates: list[bytes] = []

    async def send_frame(self, frame: bytes) -> None:
        message = decode_message(frame)
        if message.kind == "sync" and message.step == SyncStep.UPDATE:
            self.updates.append(message.payload)


@pytest_asyncio.fixture(autouse=True)
async def _clean_layer() -> Any:
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def work(personas: Any) -> SharedWork:
    return work_create(actor=personas.org_admin, title="Carnet", organization=personas.organization)


@pytest.fixture
def loads(monkeypatch: Any) -> list[int]:
    """Record the ``after`` of every load of stored updates from the database, in order."""
    calls: list[int] = []
    original = services.updates_after

    def counted(*, work_id: int, after: int) -> list[tuple[int, bytes]]:
        calls.append(after)
        return original(work_id=work_id, after=after)

    monkeypatch.setattr(services, "updates_after", counted)
    return calls


class Writer:
    """A Yjs document whose every edit is one update."""

    def __init__(self) -> None:
        self.doc: Doc = Doc()
        self.text = self.doc.get(TEXT_NAME, type=Text)
        self.updates: list[bytes] = []
        self.doc.observe(lambda event: self.updates.append(event.update))

    def type(self, chars: str) -> bytes:
        self.text.insert(len(self.text), chars)
        return self.updates[-1]


async def _store(room: rooms.Room, update: bytes, author: int, *, relayed: bool = True) -> None:
    """Make ``room`` apply, store and relay ``update``; lose its relay messages if asked."""
    original = room._relay
    if not relayed:

        async def lost(message: dict[str, Any]) -> None:
            pass

        room._relay = lost  # type: ignore[method-assign]
    try:
        await room.submit(author_id=author, update=update, origin=Peer())
        await room.settle()
    finally:
        room._relay = original  # type: ignore[method-assign]


def _text(room: rooms.Room) -> str:
    return str(room.doc[TEXT_NAME])


async def _pair(work: SharedWork) -> tuple[rooms.Room, rooms.Room, Peer]:
    """Return two rooms of ``work`` (two workers) and a connection of the second."""
    first, second = rooms.Room(work.pk), rooms.Room(work.pk)
    await first.start()
    await second.start()
    peer = Peer()
    second.peers.add(peer)
    return first, second, peer


async def test_a_room_loads_the_updates_a_lost_relay_skipped_from_the_database(
    work: Any, personas: Any
) -> None:
    first, second, peer = await _pair(work)
    writer = Writer()
    try:
        await _store(first, writer.type("perdu "), personas.org_admin.pk, relayed=False)
        await asyncio.sleep(0.05)
        assert _text(second) == ""
        await _store(first, writer.type("puis retrouvé"), personas.org_admin.pk)
        # The relay of sequence 2 reveals that 1 is missing: loaded after the grace delay.
        assert await wait_until(lambda: _text(second) == "perdu puis retrouvé", 5)
        assert (second.contiguous, second.ahead) == (2, set())
        replica: Doc = Doc()
        replica.get(TEXT_NAME, type=Text)
        for update in peer.updates:
            replica.apply_update(update)
        assert str(replica[TEXT_NAME]) == "perdu puis retrouvé"  # its connections got it too
    finally:
        await first.stop()
        await second.stop()


async def test_a_lost_last_relay_is_caught_up_by_polling_the_database(
    work: Any, personas: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(rooms, "POLL_EVERY", 0.2)
    first, second, _ = await _pair(work)
    writer = Writer()
    try:
        await _store(first, writer.type("seul message"), personas.org_admin.pk, relayed=False)
        # No later relay reveals the gap: the counter in the database does.
        assert await wait_until(lambda: _text(second) == "seul message", 5)
        assert second.contiguous == 1
    finally:
        await first.stop()
        await second.stop()


async def test_relays_arriving_out_of_order_load_nothing_from_the_database(
    work: Any, personas: Any, loads: list[int]
) -> None:
    room = rooms.Room(work.pk)
    await room.start()
    writer = Writer()
    one, two = writer.type("a"), writer.type("b")
    try:
        stored = await database_sync_to_async(services.updates_append)(
            work_id=work.pk, items=[(personas.org_admin.pk, one), (personas.org_admin.pk, two)]
        )
        assert stored == 1
        # Two workers' batches: sequence 2 first, then 1 within the grace delay, each relayed
        # once applied then once stored.
        for update, sequence, origin in ((two, 2, "x"), (one, 1, "y")):
            for message in (
                {"kind": "update", "update": update, "batches": [7], "stored": []},
                {
                    "kind": "update",
                    "update": None,
                    "batches": [],
                    "stored": [(7, sequence, sequence)],
                },
            ):
                await room._layer.group_send(
                    rooms.group_name(work.pk),
                    {**message, "type": "cowriting.relay", "origin": origin},
                )
        assert await wait_until(lambda: room.contiguous == 2, 5)
        await asyncio.sleep(rooms.GAP_GRACE + 0.1)
        assert _text(room) == "ab"
        assert loads == []
    finally:
        await room.stop()


async def test_a_gap_is_recorded_until_the_missing_sequences_arrive() -> None:
    room = rooms.Room.__new__(rooms.Room)
    room.contiguous, room.ahead, room.last_sequence = 3, set(), 3
    room._hold(6, 7)
    assert (room.contiguous, room.ahead, room.last_sequence) == (3, {6, 7}, 7)
    room._hold(1, 2)  # already held: nothing changes
    assert (room.contiguous, room.ahead) == (3, {6, 7})
    room._hold(4, 5)
    assert (room.contiguous, room.ahead, room.last_sequence) == (7, set(), 7)


async def test_edits_reach_the_other_workers_connections_before_they_are_stored(
    work: Any, personas: Any, monkeypatch: Any
) -> None:
    release = threading.Event()
    original = services.updates_append

    def slow_commit(**kwargs: Any) -> int:
        release.wait(10)
        return original(**kwargs)

    monkeypatch.setattr(services, "updates_append", slow_commit)
    first, second, peer = await _pair(work)
    try:
        await first.submit(
            author_id=personas.org_admin.pk, update=Writer().type("vite"), origin=Peer()
        )
        # The commit waits; the other worker's replica and connection already have the edit.
        assert await wait_until(lambda: _text(second) == "vite" and peer.updates, 5)
        assert second.contiguous == 0
        release.set()
        await first.settle()
        assert await wait_until(lambda: second.contiguous == 1, 5)
        assert second._unstored == {}
    finally:
        release.set()
        await first.stop()
        await second.stop()


async def test_sequences_relayed_for_edits_never_received_are_loaded_from_the_database(
    work: Any, personas: Any
) -> None:
    room = rooms.Room(work.pk)
    await room.start()
    writer = Writer()
    try:
        await database_sync_to_async(services.updates_append)(
            work_id=work.pk, items=[(personas.org_admin.pk, writer.type("égaré"))]
        )
        # The message with the edits was lost; the one with their sequences arrives.
        message = {"kind": "update", "update": None, "batches": [], "stored": [(4, 1, 1)]}
        await room._layer.group_send(
            rooms.group_name(work.pk), {**message, "type": "cowriting.relay", "origin": "x"}
        )
        assert await wait_until(lambda: _text(room) == "égaré", 5)
        assert (room.contiguous, room.ahead) == (1, set())
    finally:
        await room.stop()


async def test_a_gap_that_closes_during_the_grace_loads_nothing_and_a_newer_one_is_loaded_after_its_own(
    work: Any, personas: Any, monkeypatch: Any, loads: list[int]
) -> None:
    monkeypatch.setattr(rooms, "POLL_EVERY", 60)
    room = rooms.Room(work.pk)
    await room.start()
    words = ["un ", "deux ", "trois ", "quatre "]
    await database_sync_to_async(services.updates_append)(
        work_id=work.pk, items=[(personas.org_admin.pk, Writer().type(word)) for word in words]
    )
    try:
        room._hold(2, 2)
        room._fill_soon(rooms.GAP_GRACE)
        await asyncio.sleep(rooms.GAP_GRACE / 2)
        room._hold(1, 1)  # the gap closes…
        room._hold(4, 4)  # …and a newer one opens at 3
        await asyncio.sleep(rooms.GAP_GRACE / 2 + 0.05)
        assert loads == []
        assert await wait_until(lambda: room.contiguous == 4, 5)
        assert loads == [2]
        assert _text(room) == "trois "  # only what it lacked was applied (1, 2, 4 were held)
    finally:
        await room.stop()


async def _relay_from(room: rooms.Room, origin: str, message: dict[str, Any]) -> None:
    await room._layer.group_send(
        rooms.group_name(room.work_id), {**message, "type": "cowriting.relay", "origin": origin}
    )


async def _stored_text(work: SharedWork) -> str:
    doc: Doc = Doc()
    doc.get(TEXT_NAME, type=Text)
    rows = await database_sync_to_async(services.updates_after)(work_id=work.pk, after=0)
    for _, data in rows:
        doc.apply_update(data)
    return str(doc[TEXT_NAME])


async def test_an_edit_relayed_by_a_worker_that_dies_before_storing_it_is_stored_by_another(
    work: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(rooms, "POLL_EVERY", 0.1)
    monkeypatch.setattr(rooms, "RESCUE_AFTER", 0.3)
    room = rooms.Room(work.pk)
    await room.start()
    writer = Writer()
    try:
        # Another worker applied and relayed two batches, said it stored the first, then died.
        await _relay_from(
            room,
            "dead",
            {"kind": "update", "update": writer.type("gardé "), "batches": [1]} | {"stored": []},
        )
        await _relay_from(
            room,
            "dead",
            {"kind": "update", "update": writer.type("sauvé"), "batches": [2]} | {"stored": []},
        )
        stored = await database_sync_to_async(services.updates_append)(
            work_id=work.pk, items=[(None, writer.updates[0])]
        )
        await _relay_from(
            room,
            "dead",
            {"kind": "update", "update": None, "batches": [], "stored": [(1, stored, stored)]},
        )
        assert await wait_until(lambda: _text(room) == "gardé sauvé", 5)
        assert await _stored_text(work) == "gardé "
        # Batch 2 was never said stored: this room stores it once RESCUE_AFTER has passed.
        deadline = asyncio.get_running_loop().time() + 5
        while await _stored_text(work) != "gardé sauvé":
            assert asyncio.get_running_loop().time() < deadline, "the relayed edit was lost"
            await asyncio.sleep(0.1)
        rows = await database_sync_to_async(services.updates_after)(work_id=work.pk, after=0)
        assert len(rows) == 2  # batch 1, confirmed, was not stored again
    finally:
        await room.stop()
