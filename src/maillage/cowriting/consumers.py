"""The y-websocket endpoint of a shared work: ``ws/cowriting/<id>/``.

Any Yjs client (y-websocket's ``WebsocketProvider``) can connect from a page of this site
(``core.websocket.origin_allowed``: scheme, host and port). Close codes:

- handshake refused (HTTP 403, with the reason as body under uvicorn): the origin is not this
  site, the work does not exist, is private and the user is not a participant, or there is no
  session on a private work;
- 4403: a reader (or a visitor of a public work) sent an edit; an auth "permission denied"
  frame with the reason precedes the close;
- 4429: the connection sent frames faster than its limit (``FRAME_LIMITS``, a token bucket
  per connection); the same auth frame says so;
- 4401: the person's access changed while connected (their role on this work, or their
  account deactivated or erased): told on commit through the person's channel-layer group
  (``core.websocket.person_access_changed``), and checked again from the database on an edit
  at most ``ROLE_RECHECK_EVERY`` seconds after the last check, for changes made around the
  services. Reconnecting gives the current role (or a refused handshake);
- 1009: a frame over 1 MB;
- 1011: the server could not store an edit; reconnecting resynchronizes everything.

Malformed frames are dropped (logged without content) and the connection stays open. Text
frames are ignored: the protocol is binary.

Readers cost little whatever they send: their sync step 1 is answered at most once every
``READER_SYNC_EVERY`` seconds, from the room's step 2 answers encoded once per version of the
document; their step 2 and update frames are never applied, not even on trial: one carrying
items (its first integer, the number of clients with items, is not zero) is an edit and is
refused, one carrying only deletions (what a reconnecting reader's client sends) is ignored.

Awareness: states over ``AWARENESS_MAX_BYTES`` are dropped, and so are a connection's states
past ``AWARENESS_LIMIT`` a second; the server rewrites ``user.name`` of every state to the
connection's public name (a client cannot show another name on its cursor), drops states of
client ids that another connection already controls, and drops the awareness of anonymous
readers.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from maillage.core import metrics
from maillage.core.websocket import TokenBucket, person_sockets, refuse
from maillage.cowriting import rooms
from maillage.cowriting.models import Participant
from maillage.cowriting.selectors import connection_role, connection_role_now
from maillage.cowriting.yprotocol import (
    EMPTY_UPDATE,
    AwarenessEntry,
    Message,
    ProtocolError,
    SyncStep,
    decode_awareness_update,
    decode_message,
    encode_permission_denied,
    encode_sync,
    read_var_uint,
)

logger = logging.getLogger(__name__)

MAX_FRAME = 1024 * 1024
CLOSE_ACCESS_CHANGED = 4401
CLOSE_READ_ONLY = 4403
CLOSE_TOO_MANY = 4429
CLOSE_TOO_BIG = 1009
CLOSE_SERVER_ERROR = 1011
READ_ONLY_REASON = "read-only: your role on this work does not allow editing"
ACCESS_CHANGED_REASON = "access changed: reconnect to continue with your current role"
# Seconds a connection trusts the role it read (changes through the services are told at once).
ROLE_RECHECK_EVERY = 30.0
REFUSED_REASON = "refused: this work does not exist or you may not read it"
TOO_MANY_REASON = "rate limit: too many messages on this connection, reconnect later"
# Frames a second per connection and the burst allowed (a token bucket). A person typing
# sends a frame per keystroke and one per cursor move, a few dozen a second at most; a reader
# sends its sync frames once and, signed in, its cursor.
FRAME_LIMITS = {
    "writer": (
        float(settings.COWRITING_WRITER_FRAMES_PER_SECOND),
        10.0 * settings.COWRITING_WRITER_FRAMES_PER_SECOND,
    ),
    "reader": (20.0, 100.0),
}
# A reader's sync step 1 is answered at most once in this many seconds (its client sends one
# when it connects).
READER_SYNC_EVERY = 1.0
# An awareness state is a name, a colour and a cursor: a few hundred bytes.
AWARENESS_MAX_BYTES = 8 * 1024
AWARENESS_LIMIT = (10.0, 30.0)


class CowritingConsumer(AsyncWebsocketConsumer):
    """One websocket connection, a peer of the work's room in this worker."""

    room: rooms.Room | None = None
    closing = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Read the connection's messages one after the other and handle each.

        Channels' own loop also gives every connection a channel of its own on the channel
        layer and waits on both with a task per message (measured: a fifth of a worker's time
        under a replayed trace). A connection here needs no channel: its room has one for the
        whole worker, so this loop only reads the websocket.
        """
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            while True:
                await self.dispatch(await receive())

    async def connect(self) -> None:
        self.work_id = int(self.scope["url_route"]["kwargs"]["work_id"])
        user = self.scope.get("user")
        self.user_id: int | None = user.pk if getattr(user, "is_authenticated", False) else None
        self.user_name = user.public_name if self.user_id is not None else ""
        self.role = await database_sync_to_async(connection_role)(work_id=self.work_id, user=user)
        if self.role is None:
            await refuse(self.scope, self.base_send, CLOSE_READ_ONLY, REFUSED_REASON)
            return
        self.can_write = self.role == Participant.Role.WRITER
        self.client_ids: set[int] = set()
        self.frames = TokenBucket(*FRAME_LIMITS["writer" if self.can_write else "reader"])
        self.awareness_frames = TokenBucket(*AWARENESS_LIMIT)
        self.synced_at = float("-inf")
        self.role_checked_at = time.monotonic()
        await self.accept()
        if self.user_id is not None:
            await person_sockets.add(self.user_id, self)
        self.room = await rooms.join(self.work_id, self)
        metrics.WEBSOCKET_CONNECTIONS.inc()
        metrics.WEBSOCKET_ROOMS.set(rooms.open_rooms())
        if self.closing:  # their access changed while the room loaded
            return
        await self.send_frame(encode_sync(SyncStep.STEP1, self.room.state_vector()))
        awareness = self.room.awareness_frame()
        if awareness is not None:
            await self.send_frame(awareness)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every message, on the one thread
        # all database calls share: each frame would wait behind the room's writes (measured:
        # about 4 frames per commit, 100 frames/s). A frame touches no database; the room's
        # storer does, through database_sync_to_async, which closes stale connections itself.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def disconnect(self, code: int) -> None:
        if self.user_id is not None and getattr(self, "role", None) is not None:
            await person_sockets.discard(self.user_id, self)
        room, self.room = self.room, None
        if room is None:
            return
        if self.client_ids:
            gone = [
                AwarenessEntry(client_id, room.awareness.get(client_id, (0, None))[0] + 1, None)
                for client_id in self.client_ids
            ]
            await room.publish_awareness(gone, origin=self)
        await rooms.leave(room, self)
        metrics.WEBSOCKET_CONNECTIONS.dec()
        metrics.WEBSOCKET_ROOMS.set(rooms.open_rooms())

    async def send_frame(self, frame: bytes) -> None:
        await self.base_send({"type": "websocket.send", "bytes": frame})

    async def close_broken(self) -> None:
        await self.close(code=CLOSE_SERVER_ERROR)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.room is None or self.closing:
            return
        if not self.frames.take():
            await self.refuse_and_close(CLOSE_TOO_MANY, TOO_MANY_REASON)
            return
        if bytes_data is None:
            return
        if len(bytes_data) > MAX_FRAME:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            message = decode_message(bytes_data)
            if message.kind == "sync":
                await self._on_sync(message)
            elif message.kind == "awareness":
                await self._on_awareness(message.payload)
            else:
                frame = self.room.awareness_frame()
                if frame is not None:
                    await self.send_frame(frame)
        except (ProtocolError, ValueError) as error:
            logger.info(
                "cowriting: dropped a malformed frame on work %s (%s)",
                self.work_id,
                type(error).__name__,
            )
        except rooms.RoomBroken:
            await self.close(code=CLOSE_SERVER_ERROR)

    async def close(self, code: Any = None, reason: str | None = None) -> None:
        # Frames already on their way are not handled once the server closes.
        self.closing = True
        await super().close(code=code, reason=reason)

    async def refuse_and_close(self, code: int, reason: str) -> None:
        """Tell the client why (y-websocket logs it), then close with ``code``."""
        await self.send_frame(encode_permission_denied(reason))
        await self.close(code=code, reason=reason)

    async def _on_sync(self, message: Message) -> None:
        assert self.room is not None
        if message.step == SyncStep.STEP1:
            if not self.can_write:
                now = time.monotonic()
                if now - self.synced_at < READER_SYNC_EVERY:
                    return
                self.synced_at = now
            await self.send_frame(self.room.step2_frame(message.payload))
            return
        if not self.can_write:
            # A reader's client answers sync step 1 with what it holds beyond the server's
            # state: no item (first integer 0), only the deletions it knows. Items are edits.
            # Nothing of a reader is applied, so this needs no look at the rest.
            if message.payload != EMPTY_UPDATE and read_var_uint(message.payload, 0)[0] != 0:
                await self.refuse_and_close(CLOSE_READ_ONLY, READ_ONLY_REASON)
            return
        if not await self._still_writer():
            await self.refuse_and_close(CLOSE_ACCESS_CHANGED, ACCESS_CHANGED_REASON)
            return
        await self.room.submit(author_id=self.user_id, update=message.payload, origin=self)

    async def _still_writer(self) -> bool:
        """Return whether the connection's person may still write (read again now and then)."""
        now = time.monotonic()
        if now - self.role_checked_at < ROLE_RECHECK_EVERY:
            return self.can_write
        self.role_checked_at = now
        if self.user_id is None:
            return False
        role = await database_sync_to_async(connection_role_now)(
            work_id=self.work_id, person_id=self.user_id
        )
        self.can_write = role == Participant.Role.WRITER
        return self.can_write

    async def access_changed(self, scope: int | None) -> None:
        """Close the connection: the person's role on this work (or their account) changed."""
        if scope is not None and scope != self.work_id:
            return
        if self.closing:
            return
        self.closing = True  # no frame of theirs is handled from now on
        with contextlib.suppress(Exception):
            await self.refuse_and_close(CLOSE_ACCESS_CHANGED, ACCESS_CHANGED_REASON)

    async def _on_awareness(self, payload: bytes) -> None:
        assert self.room is not None
        if self.user_id is None:
            return
        if len(payload) > AWARENESS_MAX_BYTES or not self.awareness_frames.take():
            logger.info("cowriting: dropped an awareness frame on work %s", self.work_id)
            return
        entries = decode_awareness_update(payload)
        kept = []
        for entry in entries:
            if entry.client_id not in self.client_ids:
                if entry.client_id in self.room.awareness or entry.state is None:
                    continue  # someone else's client id
                self.client_ids.add(entry.client_id)
            kept.append(AwarenessEntry(entry.client_id, entry.clock, self._rewrite(entry.state)))
        if kept:
            await self.room.publish_awareness(kept, origin=self)

    def _rewrite(self, state: dict[str, Any] | None) -> dict[str, Any] | None:
        """Return ``state`` with ``user.name`` set to the connection's public name."""
        if state is None:
            return None
        user = state.get("user")
        user = dict(user) if isinstance(user, dict) else {}
        user["name"] = self.user_name
        return {**state, "user": user}
