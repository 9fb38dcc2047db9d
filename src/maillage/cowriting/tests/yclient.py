"""A y-websocket client driven by pycrdt over channels' WebsocketCommunicator (for tests)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from pycrdt import Doc, Text

from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.yprotocol import (
    AwarenessEntry,
    SyncStep,
    decode_awareness_update,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_sync,
    read_var_uint,
)

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


@sync_to_async
def session_cookie(person: Any) -> bytes:
    """Return a Cookie header value with a logged-in session for ``person``."""
    client = Client()
    client.force_login(person, backend="maillage.people.backends.EmailBackend")
    return f"sessionid={client.cookies['sessionid'].value}".encode()


class YClient:
    """A Yjs peer: a pycrdt Doc kept in sync with the server like y-websocket does."""

    def __init__(
        self,
        work_id: int,
        cookie: bytes | None = None,
        doc: Doc | None = None,
        origin: bytes = ORIGIN[1],
    ) -> None:
        from maillage.asgi import application

        headers = [(b"origin", origin), HOST] + ([(b"cookie", cookie)] if cookie else [])
        self.path = f"/ws/cowriting/{work_id}/"
        self.communicator = WebsocketCommunicator(application, self.path, headers=headers)
        self.doc: Doc = doc if doc is not None else Doc()
        self.text: Text = self.doc.get(TEXT_NAME, type=Text)
        self.awareness: dict[int, dict | None] = {}
        self.denied: list[str] = []
        self.closed: int | None = None
        self.close_reason = ""
        self._outgoing: list[bytes] = []
        self.doc.observe(self._on_change)
        self._applying = False

    def _on_change(self, event: Any) -> None:
        if not self._applying:
            self._outgoing.append(event.update)

    async def connect(self) -> tuple[bool, int | None]:
        connected, code = await self.communicator.connect(timeout=5)
        if connected:
            # Like y-websocket on open: send our state vector, then what we hold.
            await self.send(encode_sync(SyncStep.STEP1, self.doc.get_state()))
        return connected, code

    async def send(self, frame: bytes) -> None:
        await self.communicator.send_to(bytes_data=frame)

    async def flush(self) -> None:
        """Send the local edits made since the last flush, as y-websocket does on each change."""
        pending, self._outgoing = self._outgoing, []
        for update in pending:
            await self.send(encode_sync(SyncStep.UPDATE, update))

    async def pump(self, quiet: float = 0.3) -> None:
        """Handle incoming frames until none arrives for ``quiet`` seconds (or the socket closes)."""
        while self.closed is None:
            # receive_output's own timeout would cancel the application: poll instead.
            if await self.communicator.receive_nothing(timeout=quiet, interval=0.01):
                return
            output = await self.communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                self.closed = output.get("code", 1000)
                self.close_reason = output.get("reason", "")
                return
            frame = output.get("bytes")
            if frame:
                await self._handle(frame)

    async def _handle(self, frame: bytes) -> None:
        kind, _ = read_var_uint(frame, 0)
        if kind == 2:  # auth: permission denied + reason
            self.denied.append(frame[3:].decode("utf-8", errors="replace"))
            return
        message = decode_message(frame)
        if message.kind == "sync":
            if message.step == SyncStep.STEP1:
                await self.send(encode_sync(SyncStep.STEP2, self.doc.get_update(message.payload)))
            else:
                self._applying = True
                try:
                    self.doc.apply_update(message.payload)
                finally:
                    self._applying = False
        elif message.kind == "awareness":
            for entry in decode_awareness_update(message.payload):
                self.awareness[entry.client_id] = entry.state

    async def set_awareness(self, state: dict, clock: int = 1) -> None:
        entry = AwarenessEntry(self.doc.client_id, clock, state)
        await self.send(encode_awareness(encode_awareness_update([entry])))

    async def disconnect(self) -> None:
        if self.closed is None:
            await self.communicator.disconnect()
            self.closed = 1000

    def __str__(self) -> str:
        return str(self.text)
