"""The y-websocket endpoint of a shared work: ``ws/cowriting/<id>/``.

Any Yjs client (y-websocket's ``WebsocketProvider``) can connect. Close codes:

- handshake refused (HTTP 403): the work does not exist, is private and the user is not a
  participant, or there is no session on a private work;
- 4403: a reader (or a visitor of a public work) sent an edit; an auth "permission denied"
  frame with the reason precedes the close;
- 1009: a frame over 1 MB;
- 1011: the server could not store an edit; reconnecting resynchronizes everything.

Malformed frames are dropped (logged without content) and the connection stays open. Text
frames are ignored: the protocol is binary.

Awareness: the server rewrites ``user.name`` of every state to the connection's public name
(a client cannot show another name on its cursor), drops states of client ids that another
connection already controls, and drops the awareness of anonymous readers.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from maillage.cowriting import rooms
from maillage.cowriting.models import Participant
from maillage.cowriting.selectors import connection_role
from maillage.cowriting.yprotocol import (
    AwarenessEntry,
    Message,
    ProtocolError,
    SyncStep,
    decode_awareness_update,
    decode_message,
    encode_permission_denied,
    encode_sync,
)

logger = logging.getLogger(__name__)

MAX_FRAME = 1024 * 1024
CLOSE_READ_ONLY = 4403
CLOSE_TOO_BIG = 1009
CLOSE_SERVER_ERROR = 1011
READ_ONLY_REASON = "read-only: your role on this work does not allow editing"


class CowritingConsumer(AsyncWebsocketConsumer):
    """One websocket connection, a peer of the work's room in this worker."""

    room: rooms.Room | None = None

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
            await self.close(code=4403)
            return
        self.can_write = self.role == Participant.Role.WRITER
        self.client_ids: set[int] = set()
        await self.accept()
        self.room = await rooms.join(self.work_id, self)
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

    async def send_frame(self, frame: bytes) -> None:
        await self.base_send({"type": "websocket.send", "bytes": frame})

    async def close_broken(self) -> None:
        await self.close(code=CLOSE_SERVER_ERROR)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.room is None or bytes_data is None:
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

    async def _on_sync(self, message: Message) -> None:
        assert self.room is not None
        if message.step == SyncStep.STEP1:
            await self.send_frame(encode_sync(SyncStep.STEP2, self.room.diff(message.payload)))
            return
        if not self.can_write:
            # A reader's client answers sync step 1 with what it holds; refuse only real edits.
            if self.room.would_change(message.payload):
                await self.send_frame(encode_permission_denied(READ_ONLY_REASON))
                await self.close(code=CLOSE_READ_ONLY)
            return
        await self.room.submit(author_id=self.user_id, update=message.payload, origin=self)

    async def _on_awareness(self, payload: bytes) -> None:
        assert self.room is not None
        entries = decode_awareness_update(payload)
        if self.user_id is None:
            return
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
