"""Real server processes on loopback, their PostgreSQL database and a websocket Yjs client.

Used by the multi-process tests and by ``bench/cowriting.py``. A ``LiveStack`` creates a
throw-away PostgreSQL database, migrates it with ``maillage migrate`` and starts
``maillage serve`` processes sharing it and one Redis database; ``LiveYClient`` is a pycrdt
document kept in sync over a real websocket, as y-websocket's ``WebsocketProvider`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text, get_state, merge_updates
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.yprotocol import SyncStep, decode_message, encode_sync, read_var_uint

POSTGRES_URL = os.environ.get("MAILLAGE_LIVE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# Not the test suite's Redis database (15): its tests flush the channel layer.
REDIS_URL = os.environ.get("MAILLAGE_LIVE_REDIS_URL", "redis://127.0.0.1:6379/14")
BIN = Path(sys.executable).parent


def services_missing() -> str | None:
    """Return why PostgreSQL or Redis cannot be used, or None when both answer."""
    from maillage.core.cluster import services_missing as missing

    return missing(POSTGRES_URL, REDIS_URL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """One ``maillage serve`` process (with its uvicorn workers) on 127.0.0.1."""

    def __init__(self, env: dict[str, str], port: int, log: Path, workers: int = 1) -> None:
        self.port = port
        self.log = log
        self.origin = f"http://127.0.0.1:{port}"
        # No periodic jobs nor queue worker: these servers serve co-writing, and a stack starts them while its
        # database is still being migrated (the jobs would log missing tables).
        command = [str(BIN / "maillage"), "serve", "--port", str(port), "--no-migrate", "--no-jobs"]
        command += ["--no-worker"]
        command += ["--workers", str(workers)]
        with open(log, "ab") as out:
            # A session of its own: its uvicorn workers are killed with it, by group id.
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def url(self, work_id: int) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/cowriting/{work_id}/"

    def wait_ready(self, timeout: float = 45) -> None:
        """Return when the port accepts connections; raise with the log's tail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"server on port {self.port} did not start:\n{tail}")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class LiveStack:
    """A throw-away PostgreSQL database, its Redis database and the servers using them."""

    def __init__(self, folder: Path, debug: bool = True) -> None:
        self.folder = folder
        self.name = f"maillage_live_{secrets.token_hex(4)}"
        self.database_url = f"{POSTGRES_URL}/{self.name}"
        self.servers: list[LiveServer] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        env.update(
            DJANGO_SETTINGS_MODULE="maillage.settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            SECRET_KEY="live-" + secrets.token_hex(32),
            MAILLAGE_DATA_DIR=str(folder),
            MAILLAGE_CACHE_PREFIX=self.name,
            MAILLAGE_HTTPS="0",
            DEBUG="1" if debug else "0",
        )
        self.env = env

    def create(self) -> None:
        """Create the (empty) database."""
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def migrate(self) -> None:
        """Migrate the database; start work ids at a random offset.

        Channel-layer groups are named after the work id: a random offset keeps two stacks
        sharing the Redis database from relaying into each other's rooms.
        """
        subprocess.run(
            [str(BIN / "maillage"), "migrate"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=240,
        )
        offset = secrets.randbelow(10**9) + 10**6
        self.execute(
            "SELECT setval(pg_get_serial_sequence('cowriting_sharedwork', 'id'), %s)", (offset,)
        )

    def drop(self) -> None:
        import psycopg

        for server in self.servers:
            server.stop()
        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def seed(
        self, writers: int, readers: int = 0, public: bool = False, works: int = 1
    ) -> dict[str, Any]:
        """Create writers, readers, works and their sessions (see ``live_seed``)."""
        command = [sys.executable, "-m", "maillage.cowriting.tests.live_seed", str(writers)]
        command += ["--readers", str(readers), "--works", str(works)]
        command += ["--public"] if public else []
        done = subprocess.run(
            command, env=self.env, check=True, capture_output=True, text=True, timeout=300
        )
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def serve(self, workers: int = 1) -> LiveServer:
        port = free_port()
        server = LiveServer(self.env, port, self.folder / f"server-{port}.log", workers)
        self.servers.append(server)
        return server

    def stored_updates(self, work_id: int) -> list[tuple[int, int | None, bytes]]:
        """Return (sequence, author id, update) of every stored update of a work."""
        rows = self.execute(
            "SELECT sequence, author_id, data FROM cowriting_update"
            " WHERE work_id = %s ORDER BY sequence",
            (work_id,),
        )
        return [(sequence, author, bytes(data)) for sequence, author, data in rows]

    def stored_text(self, work_id: int) -> str:
        """Return the text rebuilt from the stored updates alone."""
        updates = [data for _, _, data in self.stored_updates(work_id)]
        doc: Doc = Doc()
        text = doc.get(TEXT_NAME, type=Text)
        if updates:
            doc.apply_update(merge_updates(*updates))
        return str(text)


def update_clients(update: bytes) -> set[int]:
    """Return the Yjs client ids whose items ``update`` carries (from its state vector)."""
    vector = get_state(update)
    count, pos = read_var_uint(vector, 0)
    clients = set()
    for _ in range(count):
        client, pos = read_var_uint(vector, pos)
        _, pos = read_var_uint(vector, pos)
        clients.add(client)
    return clients


class LiveYClient:
    """A pycrdt document synchronised over a real websocket like y-websocket does."""

    def __init__(self, doc: Doc | None = None) -> None:
        self.doc: Doc = doc if doc is not None else Doc()
        self.text: Text = self.doc.get(TEXT_NAME, type=Text)
        self.ws: ClientConnection | None = None
        self.closed: int | None = None
        self.synced = asyncio.Event()
        self._outgoing: list[bytes] = []
        self._applying = False
        self._reader: asyncio.Task[None] | None = None
        self.doc.observe(self._on_change)

    def _on_change(self, event: Any) -> None:
        if not self._applying:
            self._outgoing.append(event.update)

    async def connect(self, url: str, cookie: str | None, origin: str) -> None:
        """Open the websocket and start the sync handshake (our state vector first)."""
        headers = {"Cookie": cookie} if cookie else {}
        self.ws = await connect(
            url, additional_headers=headers, origin=origin, max_size=1 << 24, open_timeout=15
        )
        self.closed = None
        self.synced.clear()
        self._reader = asyncio.create_task(self._read(self.ws))
        await self.ws.send(encode_sync(SyncStep.STEP1, self.doc.get_state()))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    await self._handle(ws, frame)
        except ConnectionClosed:
            pass
        finally:
            self.closed = ws.close_code or 1006

    async def _handle(self, ws: ClientConnection, frame: bytes) -> None:
        message = decode_message(frame)
        if message.kind != "sync":
            return
        if message.step == SyncStep.STEP1:
            await ws.send(encode_sync(SyncStep.STEP2, self.doc.get_update(message.payload)))
            return
        self._applying = True
        try:
            self.doc.apply_update(message.payload)
        finally:
            self._applying = False
        if message.step == SyncStep.STEP2:
            self.synced.set()

    @property
    def online(self) -> bool:
        return self.ws is not None and self.closed is None

    async def flush(self) -> None:
        """Send the edits made since the last flush; offline, they wait for the next sync."""
        pending, self._outgoing = self._outgoing, []
        if not self.online:
            return  # the document keeps them: sync step 2 sends them on reconnection
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            for update in pending:
                await self.ws.send(encode_sync(SyncStep.UPDATE, update))

    async def type(self, index: int, chars: str) -> None:
        """Insert ``chars`` at ``index`` (clamped to the text) and send the edit."""
        self.text.insert(min(index, len(self.text)), chars)
        await self.flush()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    def __str__(self) -> str:
        return str(self.text)


async def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Return whether ``predicate`` became true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()
