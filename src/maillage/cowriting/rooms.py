"""One in-memory room per shared work and per worker process: a pycrdt replica and its peers.

A room is loaded from the database (latest snapshot + later updates) when its first
connection joins, so a late joiner and a restarted worker get the full state. Incoming edits
are applied to the replica; what they actually changed (the transaction's own update, i.e. the
state-vector difference plus the deletions it made) is queued, stored by one writer task per
room in a single transaction per batch (group commit), and only then sent to the room's other
connections and, through the channel-layer group, to the rooms of the other workers. Updates
from other workers were stored by their worker and are only applied and forwarded here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from pycrdt import Doc, Text, merge_updates

from maillage.cowriting import services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.yprotocol import (
    EMPTY_UPDATE,
    AwarenessEntry,
    SyncStep,
    check_state_vector,
    check_update,
    encode_awareness,
    encode_awareness_update,
    encode_sync,
)

logger = logging.getLogger(__name__)
_BATCH = 256


class Peer(Protocol):
    """A connection of the room (the websocket consumer)."""

    async def send_frame(self, frame: bytes) -> None: ...


class RoomBroken(Exception):
    """The room could not store an update; it is dropped and clients must reconnect."""


@dataclass
class _Pending:
    author_id: int | None
    update: bytes
    origin: Peer | None


def group_name(work_id: int) -> str:
    return f"cowriting.{work_id}"


class Room:
    """The replica of one work in this worker, its connections and their awareness."""

    def __init__(self, work_id: int) -> None:
        self.work_id = work_id
        self.doc: Doc = Doc()
        self.doc.get(TEXT_NAME, type=Text)
        self.peers: set[Peer] = set()
        # client id -> (clock, state) of every awareness state known to this room.
        self.awareness: dict[int, tuple[int, dict[str, Any] | None]] = {}
        self.last_sequence = 0
        self.broken = False
        self._captured: list[bytes] = []
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._layer = get_channel_layer()
        self._channel = ""
        self.doc.observe(lambda event: self._captured.append(event.update))

    # Life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the other workers, then load the state from the database.

        Subscribing first means nothing stored meanwhile by another worker is missed:
        applying it twice is harmless.
        """
        if self._layer is not None:
            self._channel = await self._layer.new_channel()
            await self._layer.group_add(group_name(self.work_id), self._channel)
            self._tasks.append(asyncio.create_task(self._listen()))
        state, self.last_sequence = await database_sync_to_async(services.work_state)(
            work_id=self.work_id
        )
        self.doc.apply_update(state)
        self._captured.clear()
        self._tasks.append(asyncio.create_task(self._write()))

    async def stop(self) -> None:
        """Store what is queued, then leave the group and stop the tasks."""
        if not self.broken:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=10)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._layer is not None and self._channel:
            with contextlib.suppress(Exception):
                await self._layer.group_discard(group_name(self.work_id), self._channel)

    # Document -----------------------------------------------------------------------------

    def state_vector(self) -> bytes:
        return self.doc.get_state()

    def diff(self, state_vector: bytes) -> bytes:
        """Return what a peer with ``state_vector`` lacks (raise ValueError if malformed)."""
        check_state_vector(state_vector)
        return self.doc.get_update(state_vector)

    def apply(self, update: bytes) -> bytes | None:
        """Apply ``update``; return what it changed, or None (raise ValueError if malformed)."""
        if update == EMPTY_UPDATE:
            return None
        check_update(update)
        self._captured.clear()
        self.doc.apply_update(update)
        changes = self._captured[:]
        self._captured.clear()
        if not changes:
            return None
        return changes[0] if len(changes) == 1 else merge_updates(*changes)

    def would_change(self, update: bytes) -> bool:
        """Return whether ``update`` holds anything this replica lacks, without applying it."""
        if update == EMPTY_UPDATE:
            return False
        check_update(update)
        trial: Doc = Doc()
        found: list[bytes] = []
        trial.apply_update(self.doc.get_update())
        trial.observe(lambda event: found.append(event.update))
        trial.apply_update(update)
        return bool(found)

    async def submit(self, *, author_id: int | None, update: bytes, origin: Peer) -> None:
        """Queue a change made by ``origin``'s user: stored first, then sent to the others."""
        if self.broken:
            raise RoomBroken(self.work_id)
        await self._queue.put(_Pending(author_id, update, origin))

    async def _write(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < _BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                first = await database_sync_to_async(services.updates_append)(
                    work_id=self.work_id, items=[(p.author_id, p.update) for p in batch]
                )
            except Exception:
                logger.exception("cowriting: storing updates failed for work %s", self.work_id)
                for _ in batch:
                    self._queue.task_done()
                await self._break()
                return
            last = first + len(batch) - 1
            self.last_sequence = max(self.last_sequence, last)
            for pending in batch:
                frame = encode_sync(SyncStep.UPDATE, pending.update)
                await self._send_local(frame, exclude=pending.origin)
            await self._relay(
                {
                    "kind": "update",
                    "update": merge_updates(*[p.update for p in batch]),
                    "last": last,
                }
            )
            for _ in batch:
                self._queue.task_done()
            if last // services.COMPACT_EVERY != (first - 1) // services.COMPACT_EVERY:
                self._tasks.append(asyncio.create_task(self._compact()))

    async def _compact(self) -> None:
        try:
            await database_sync_to_async(services.snapshot_compact)(work_id=self.work_id)
        except Exception:
            logger.exception("cowriting: compaction failed for work %s", self.work_id)

    async def _break(self) -> None:
        """Drop the replica: it holds changes the database does not; clients will resync."""
        self.broken = True
        _ROOMS.pop(self.work_id, None)
        for peer in list(self.peers):
            with contextlib.suppress(Exception):
                await peer.close_broken()  # type: ignore[attr-defined]

    # Awareness ----------------------------------------------------------------------------

    def awareness_frame(self) -> bytes | None:
        """Return one frame with every known awareness state, or None if there is none."""
        entries = [
            AwarenessEntry(client_id, clock, state)
            for client_id, (clock, state) in self.awareness.items()
            if state is not None
        ]
        return encode_awareness(encode_awareness_update(entries)) if entries else None

    async def publish_awareness(self, entries: list[AwarenessEntry], origin: Peer | None) -> None:
        """Record ``entries`` and send them to the other connections and workers."""
        self._remember_awareness(entries)
        payload = encode_awareness_update(entries)
        await self._send_local(encode_awareness(payload), exclude=origin)
        await self._relay({"kind": "awareness", "payload": payload})

    def _remember_awareness(self, entries: list[AwarenessEntry]) -> None:
        for entry in entries:
            known = self.awareness.get(entry.client_id)
            if known is None or known[0] <= entry.clock:
                if entry.state is None:
                    self.awareness.pop(entry.client_id, None)
                else:
                    self.awareness[entry.client_id] = (entry.clock, entry.state)

    # Fan-out ------------------------------------------------------------------------------

    async def _send_local(self, frame: bytes, exclude: Peer | None) -> None:
        for peer in list(self.peers):
            if peer is not exclude:
                with contextlib.suppress(Exception):  # a peer that left mid-send
                    await peer.send_frame(frame)

    async def _relay(self, message: dict[str, Any]) -> None:
        if self._layer is None:
            return
        message.update(type="cowriting.relay", origin=self._channel)
        try:
            await self._layer.group_send(group_name(self.work_id), message)
        except Exception:  # a full or unreachable layer: the other workers resync on reconnect
            logger.warning("cowriting: relay failed for work %s", self.work_id)

    async def _listen(self) -> None:
        from maillage.cowriting.yprotocol import decode_awareness_update

        assert self._layer is not None
        while True:
            message = await self._layer.receive(self._channel)
            if message.get("origin") == self._channel:
                continue
            try:
                if message["kind"] == "update":
                    changed = self.apply(message["update"])
                    self.last_sequence = max(self.last_sequence, message["last"])
                    if changed is not None:
                        await self._send_local(encode_sync(SyncStep.UPDATE, changed), None)
                elif message["kind"] == "awareness":
                    entries = decode_awareness_update(message["payload"])
                    self._remember_awareness(entries)
                    await self._send_local(encode_awareness(message["payload"]), None)
            except Exception:
                logger.exception("cowriting: bad relay message for work %s", self.work_id)


_ROOMS: dict[int, Room] = {}
_LOCKS: dict[int, asyncio.Lock] = {}


async def join(work_id: int, peer: Peer) -> Room:
    """Return the work's room in this worker (loading it on first join) with ``peer`` in it."""
    lock = _LOCKS.setdefault(work_id, asyncio.Lock())
    async with lock:
        room = _ROOMS.get(work_id)
        if room is None or room.broken:
            room = Room(work_id)
            await room.start()
            _ROOMS[work_id] = room
        room.peers.add(peer)
        return room


async def leave(room: Room, peer: Peer) -> None:
    """Remove ``peer``; the last one out stores what is pending and closes the room."""
    lock = _LOCKS.setdefault(room.work_id, asyncio.Lock())
    async with lock:
        room.peers.discard(peer)
        if not room.peers:
            if _ROOMS.get(room.work_id) is room:
                del _ROOMS[room.work_id]
            await room.stop()


def room_of(work_id: int) -> Room | None:
    return _ROOMS.get(work_id)


async def reset() -> None:
    """Close every room of this worker, as a restart would (used by tests)."""
    rooms = list(_ROOMS.values())
    _ROOMS.clear()
    _LOCKS.clear()
    for room in rooms:
        await room.stop()
