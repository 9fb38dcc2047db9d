"""One in-memory room per shared work and per worker process: a pycrdt replica and its peers.

A room is loaded from the database (latest snapshot + later updates) when its first
connection joins, so a late joiner and a restarted worker get the full state. Incoming edits
are queued; the room's applier task takes what is queued, applies it to the replica
(consecutive updates of one author merged and applied at once), and passes what it actually
changed (the transaction's own update, i.e. the state-vector difference plus the deletions it
made) at once to the room's connections, to the rooms of the other workers (through the
channel-layer group) and to the room's storer task. The storer stores what waits in a single
transaction (group commit; one row per author's run) while the applier goes on, so the
database's commit is not on the path from a keystroke to the other editors, as in y-websocket's
own server, which persists behind the broadcast. What is sent before it is stored is not
lost if the worker dies before the commit: the author's client holds its edit and sends it
again when it resynchronizes, as y-websocket's sync protocol does on every reconnection.
Updates from other workers are stored by their worker and only applied and forwarded here.

Sending is paced: what became sendable since the last send (applied batches, relayed updates)
is merged into one update and sent as one frame to every connection, at most once every
``FLUSH_EVERY`` seconds (sooner with fewer connections), and what this worker applied and
stored is relayed to the others at most once every ``RELAY_EVERY`` seconds; a quiet room
sends at once. Under load this bounds the frames each connection receives whatever the number
of writers: with 500 writers each typing, a frame per keystroke would be 250,000 frames a
second to deliver.

A relay message can be lost (a restarted channel layer, a worker killed before it relayed).
Every stored update has a sequence number, consecutive per work, so a room knows which ones it
holds. Each applied batch is relayed under a number of its room's, and once stored the room
relays which sequences that batch got: a room that applied the batch then holds them; one that
did not (a lost message) learns that they exist. When the sequences held skip some, or when
the work's counter in the database is ahead of the room (checked every ``POLL_EVERY`` seconds,
for a lost last message that no later one reveals), the room loads the missing updates from
the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
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
# Most updates stored in one transaction. A backlog (a replayed trace, a burst of
# reconnections) is stored in few commits: each costs round trips and a disk flush, whatever
# its size; a keystroke is a few dozen bytes, so a full batch is well under a megabyte.
_BATCH = 4096
# Seconds to wait before loading skipped sequences: concurrent batches of two workers may be
# relayed out of order, and the late one usually arrives within milliseconds.
GAP_GRACE = 0.2
# Seconds between two checks of the work's sequence counter in the database.
POLL_EVERY = 5.0
# Seconds after which an edit another worker relayed, but has not said it stored, is stored by
# this room: that worker may have died between its relay and its store (relaying first keeps
# the other workers' editors close behind). Storing an edit twice changes nothing.
RESCUE_AFTER = 5.0
# Seconds between two sends of a room's merged updates to its connections, at most. Each send
# is a frame per connection, so the interval follows the connections, keeping a room under
# FRAMES_PER_SECOND frames a second in each worker: 250 connections, every 100 ms (measured:
# 50 ms raised the p95 of 500 editors from 135 to 179 ms, the frames costing more than the
# wait saved); 10 connections, every 4 ms. Relays are one message, so more frequent: an edit
# relayed waits for both.
FLUSH_EVERY = 0.1
FRAMES_PER_SECOND = 2500
RELAY_EVERY = 0.02
# Sync step 2 answers kept per room (for as many distinct state vectors) until the next change.
_ANSWERS_KEPT = 16


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


@dataclass
class _Applied:
    """What one pass of the applier changed ((author, update) per run), numbered ``batch``."""

    batch: int
    items: list[tuple[int | None, bytes]]


# What a relay message carries for one batch: its number, its updates (sent once applied), the
# sequences it was stored under (sent once stored).
_RelayItem = tuple[int, list[bytes], tuple[int, int] | None]


def _runs(batch: list[_Pending]) -> list[tuple[int | None, list[bytes]]]:
    """Return the batch's updates grouped in runs of consecutive updates of one author.

    A run is applied at once and stored as one row: the same content and the same attribution
    in fewer rows and fewer CRDT transactions (a fast typist's burst, a replayed trace or a
    reconnecting client's offline edits take one row per commit, not one per keystroke).
    """
    runs: list[tuple[int | None, list[bytes]]] = []
    for pending in batch:
        if runs and runs[-1][0] == pending.author_id:
            runs[-1][1].append(pending.update)
        else:
            runs.append((pending.author_id, [pending.update]))
    return runs


_MERGE_AT_ONCE = 128


def _merged(updates: list[bytes]) -> bytes:
    """Return ``updates`` merged into one.

    yrs merges n updates in more than linear time (measured on a typing trace: 4,096 at once
    took 7.6 times as long as 16 merges of 256 and one of their 16 results), so long lists
    are merged in rounds of ``_MERGE_AT_ONCE``.
    """
    while len(updates) > 1:
        chunks = [updates[i : i + _MERGE_AT_ONCE] for i in range(0, len(updates), _MERGE_AT_ONCE)]
        updates = [chunk[0] if len(chunk) == 1 else merge_updates(*chunk) for chunk in chunks]
    return updates[0]


def _only(origins: set[Peer | None]) -> Peer | None:
    """Return the connection all these edits came from, or None if several (or none)."""
    return next(iter(origins)) if len(origins) == 1 else None


class _Paced:
    """Items sent together by ``send``, at most once every ``every`` seconds.

    Items added while a send is due are sent with it; after a quiet spell the first item
    goes at once. ``every`` may be a function, asked before each wait.
    """

    def __init__(
        self, every: float | Callable[[], float], send: Callable[[list[Any]], Awaitable[None]]
    ) -> None:
        self.every = every
        self._send = send
        self._items: list[Any] = []
        self._sent_at = float("-inf")
        self.task: asyncio.Task[None] | None = None

    def add(self, items: list[Any]) -> None:
        self._items.extend(items)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._items:
            every = self.every() if callable(self.every) else self.every
            wait = self._sent_at + every - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._sent_at = loop.time()
            items, self._items = self._items, []
            await self._send(items)

    async def settle(self) -> None:
        """Return when everything added has been sent."""
        while self.task is not None and not self.task.done():
            await asyncio.shield(self.task)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


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
        # Every sequence up to ``contiguous`` is in the replica, and so are those in ``ahead``.
        self.contiguous = 0
        self.ahead: set[int] = set()
        self.last_sequence = 0
        self.broken = False
        self._captured: list[bytes] = []
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._storing: asyncio.Queue[_Applied] = asyncio.Queue()
        self._batch = 0
        # Per room of another worker (its channel): the batches applied here whose sequences
        # it has not relayed yet, oldest first.
        self._unstored: dict[str, deque[int]] = {}
        # Per room of another worker: the edits it relayed and has not said it stored
        # (received at, last batch, merged update), oldest first; stored here if it never does.
        self._relayed: dict[str, deque[tuple[float, int, bytes]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._layer = get_channel_layer()
        self._channel = ""
        self._filling: asyncio.Task[None] | None = None
        # Updates waiting to be sent, with the connection whose edit each is; batches waiting
        # to be relayed.
        self._outgoing = _Paced(self.flush_every, self._flush)
        self._relaying = _Paced(RELAY_EVERY, self._relay_edits)
        # Bumped by every change of the replica: the key of the cached step 2 answers.
        self.version = 0
        self._answers: dict[bytes, bytes] = {}
        self._answers_version = 0
        self.doc.observe(self._changed)

    def _changed(self, event: Any) -> None:
        self._captured.append(event.update)
        self.version += 1

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
        self.contiguous = self.last_sequence
        self.doc.apply_update(state)
        self._captured.clear()
        self._tasks.append(asyncio.create_task(self._apply()))
        self._tasks.append(asyncio.create_task(self._store()))
        self._tasks.append(asyncio.create_task(self._poll()))

    async def settle(self) -> None:
        """Return when every queued update is applied, stored, sent and relayed."""
        await self._queue.join()
        await self._storing.join()
        await self._outgoing.settle()
        await self._relaying.settle()

    async def stop(self) -> None:
        """Store and send what is queued, then leave the group and stop the tasks."""
        if not self.broken:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.settle(), timeout=10)
        tasks = self._tasks + [
            task
            for task in (self._filling, self._outgoing.task, self._relaying.task)
            if task is not None
        ]
        for task in tasks:
            task.cancel()
        for task in tasks:
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

    def step2_frame(self, state_vector: bytes) -> bytes:
        """Return the sync step 2 frame answering ``state_vector``, encoded once per version.

        Every new client asks with the same (empty) state vector: encoding the whole document
        for each of them, or for a client asking again and again, would hold the worker for
        milliseconds per frame on a long work.
        """
        if self._answers_version != self.version:
            self._answers.clear()
            self._answers_version = self.version
        frame = self._answers.get(state_vector)
        if frame is None:
            frame = encode_sync(SyncStep.STEP2, self.diff(state_vector))
            if len(self._answers) >= _ANSWERS_KEPT:
                self._answers.pop(next(iter(self._answers)))
            self._answers[state_vector] = frame
        return frame

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
        return _merged(changes)

    def apply_run(self, updates: list[bytes]) -> bytes | None:
        """Apply one author's consecutive updates; return what they changed, or None.

        Merged and applied in one transaction; if the merge or its application fails, one by
        one, dropping (and logging) the malformed ones: yrs decodes an update whole before
        integrating it, so a failed one changed nothing.
        """
        if len(updates) > 1:
            with contextlib.suppress(ValueError):
                return self.apply(_merged(updates))
        changes = []
        for update in updates:
            try:
                changed = self.apply(update)
            except ValueError as error:
                logger.info(
                    "cowriting: dropped a malformed update on work %s (%s)",
                    self.work_id,
                    type(error).__name__,
                )
                continue
            if changed is not None:
                changes.append(changed)
        return _merged(changes) if changes else None

    async def submit(self, *, author_id: int | None, update: bytes, origin: Peer | None) -> None:
        """Queue an edit of ``origin``'s user: applied, sent to the others, then stored.

        Raise ProtocolError at once if the update's header is forged (see ``check_update``).
        """
        if self.broken:
            raise RoomBroken(self.work_id)
        if update == EMPTY_UPDATE:
            return
        check_update(update)
        self._queue.put_nowait(_Pending(author_id, update, origin))  # unbounded: never waits

    async def _apply(self) -> None:
        """Apply what is queued; pass what it changed to the connections, relays and storer."""
        while True:
            batch = [await self._queue.get()]
            while len(batch) < _BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            items = []
            for author, updates in _runs(batch):
                changed = self.apply_run(updates)
                if changed is not None:
                    items.append((author, changed))
            if items:
                self._batch += 1
                origin = _only({pending.origin for pending in batch})
                self._outgoing.add([(update, origin) for _, update in items])
                self._relaying.add([(self._batch, [update for _, update in items], None)])
                self._storing.put_nowait(_Applied(self._batch, items))
            for _ in batch:
                self._queue.task_done()

    async def _store(self) -> None:
        """Store what the applier changed (all that waits, in one transaction), then relay
        the sequences each batch was stored under."""
        while True:
            applied = [await self._storing.get()]
            rows = len(applied[0].items)
            while rows < _BATCH and not self._storing.empty():
                applied.append(self._storing.get_nowait())
                rows += len(applied[-1].items)
            try:
                first = await database_sync_to_async(services.updates_append)(
                    work_id=self.work_id, items=[item for done in applied for item in done.items]
                )
            except Exception:
                logger.exception("cowriting: storing updates failed for work %s", self.work_id)
                for _ in applied:
                    self._storing.task_done()
                await self._break()
                return
            stored: list[_RelayItem] = []
            last = first - 1
            for done in applied:
                stored.append((done.batch, [], (last + 1, last + len(done.items))))
                last += len(done.items)
            self._hold(first, last)
            self._relaying.add(stored)
            for _ in applied:
                self._storing.task_done()
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

    def flush_every(self) -> float:
        """Return the seconds between two sends to the connections (see ``FLUSH_EVERY``)."""
        return min(FLUSH_EVERY, len(self.peers) / FRAMES_PER_SECOND)

    async def _flush(self, items: list[tuple[bytes, Peer | None]]) -> None:
        """Send ``items`` ((update, connection whose edit it is)) as one frame to each."""
        # A client ignores its own edits coming back: skip their sender only when the frame
        # holds nobody else's.
        exclude = _only({origin for _, origin in items})
        frame = encode_sync(SyncStep.UPDATE, _merged([update for update, _ in items]))
        await self._send_local(frame, exclude)

    async def _relay_edits(self, items: list[_RelayItem]) -> None:
        """Relay ``items`` to the other workers as one message: the applied batches' updates
        merged into one, their numbers, and the sequences of the stored ones."""
        updates = [update for _, batch_updates, _ in items for update in batch_updates]
        await self._relay(
            {
                "kind": "update",
                "update": _merged(updates) if updates else None,
                "batches": [batch for batch, batch_updates, _ in items if batch_updates],
                "stored": [(batch, *sequences) for batch, _, sequences in items if sequences],
            }
        )

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
                    origin = message["origin"]
                    if message["update"] is not None:
                        changed = self.apply(message["update"])
                        if changed is not None:
                            self._outgoing.add([(changed, None)])
                        self._unstored.setdefault(origin, deque()).extend(message["batches"])
                        if message["batches"]:
                            self._relayed.setdefault(origin, deque()).append(
                                (loop_time(), max(message["batches"]), message["update"])
                            )
                    self._confirm(origin, message["stored"])
                    if self.last_sequence > self.contiguous:
                        self._fill_soon(GAP_GRACE)
                elif message["kind"] == "awareness":
                    entries = decode_awareness_update(message["payload"])
                    self._remember_awareness(entries)
                    await self._send_local(encode_awareness(message["payload"]), None)
            except Exception:
                logger.exception("cowriting: bad relay message for work %s", self.work_id)

    # Lost relays ----------------------------------------------------------------------------

    def _confirm(self, origin: str, stored: list[tuple[int, int, int]]) -> None:
        """Record where ``origin``'s batches were stored: held if applied here, else missing.

        A room relays a batch before the sequences it was stored under, and the layer keeps
        one sender's messages in order, so a batch not applied when its sequences arrive was
        lost; so were the sequences of batches still waiting before it.
        """
        waiting = self._unstored.get(origin, deque())
        for batch, first, last in stored:
            while waiting and waiting[0] < batch:
                waiting.popleft()
            if waiting and waiting[0] == batch:
                waiting.popleft()
                self._hold(first, last)
            else:
                self.last_sequence = max(self.last_sequence, last)
        if not waiting:
            self._unstored.pop(origin, None)
        relayed = self._relayed.get(origin)
        if relayed and stored:
            # A room stores its batches in order: those up to the highest stored are stored.
            highest = max(batch for batch, _, _ in stored)
            while relayed and relayed[0][1] <= highest:
                relayed.popleft()
            if not relayed:
                self._relayed.pop(origin, None)

    def _rescue(self) -> None:
        """Store the relayed edits whose worker has not said it stored them in RESCUE_AFTER.

        Their author may have reconnected to this room, which held them already (relayed): its
        handshake sends nothing, so without this no worker would store them. Their authors are
        unknown here (a relay merges its batches): they are stored without one.
        """
        now = loop_time()
        late: list[bytes] = []
        for origin, relayed in list(self._relayed.items()):
            while relayed and now - relayed[0][0] > RESCUE_AFTER:
                late.append(relayed.popleft()[2])
            if not relayed:
                self._relayed.pop(origin, None)
        if late:
            logger.warning(
                "cowriting: work %s stores %d relayed edits their worker did not confirm",
                self.work_id,
                len(late),
            )
            self._batch += 1
            self._storing.put_nowait(_Applied(self._batch, [(None, _merged(late))]))

    def _hold(self, first: int, last: int) -> None:
        """Record that the replica holds the updates ``first``..``last``."""
        self.last_sequence = max(self.last_sequence, last)
        if last <= self.contiguous:
            return
        self.ahead.update(range(max(first, self.contiguous + 1), last + 1))
        while self.contiguous + 1 in self.ahead:
            self.contiguous += 1
            self.ahead.discard(self.contiguous)

    def _fill_soon(self, delay: float) -> None:
        if self._filling is None or self._filling.done():
            self._filling = asyncio.create_task(self._fill(delay))

    async def _fill(self, delay: float) -> None:
        """Load from the database the stored updates this replica lacks, after ``delay``.

        Under load another worker's batches are often stored before their sequences arrive
        here: a gap that closed during ``delay`` loads nothing, a newer one gets its own delay.
        """
        wanted = self.last_sequence
        await asyncio.sleep(delay)
        if self.contiguous >= wanted:
            if self.last_sequence > self.contiguous:
                self._filling = asyncio.create_task(self._fill(delay))
            return
        try:
            rows = await database_sync_to_async(services.updates_after)(
                work_id=self.work_id, after=self.contiguous
            )
        except Exception:
            logger.exception("cowriting: loading missed updates failed for work %s", self.work_id)
            return
        lacked = 0
        held = set(self.ahead)  # holding a loaded sequence moves those below it out of ahead
        for sequence, data in rows:
            if sequence in held:
                continue
            changed = self.apply(data)
            self._hold(sequence, sequence)
            if changed is not None:
                lacked += 1
                self._outgoing.add([(changed, None)])
        if lacked:
            logger.info("cowriting: work %s loaded %d updates it lacked", self.work_id, lacked)

    async def _poll(self) -> None:
        """Catch up with the database when its counter is ahead of the replica."""
        while True:
            await asyncio.sleep(POLL_EVERY)
            self._rescue()
            try:
                stored = await database_sync_to_async(services.work_last_sequence)(
                    work_id=self.work_id
                )
            except Exception:
                logger.warning("cowriting: polling failed for work %s", self.work_id)
                continue
            # The room's own storer may not have recorded its latest commit yet: harmless,
            # applying an update twice changes nothing.
            if stored > self.contiguous:
                self.last_sequence = max(self.last_sequence, stored)
                self._fill_soon(0)


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


def open_rooms() -> int:
    """How many rooms this worker holds open (the websocket rooms gauge)."""
    return len(_ROOMS)


def room_of(work_id: int) -> Room | None:
    return _ROOMS.get(work_id)


async def reset() -> None:
    """Close every room of this worker, as a restart would (used by tests)."""
    rooms = list(_ROOMS.values())
    _ROOMS.clear()
    _LOCKS.clear()
    for room in rooms:
        await room.stop()
