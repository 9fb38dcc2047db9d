"""Co-writing under load: many editors on one document, ours against pycrdt-websocket.

Load: ``--clients`` y-websocket connections (pycrdt documents over the ``websockets``
package, all on 127.0.0.1) on one shared work, split over two ``maillage serve`` processes
sharing PostgreSQL and Redis; each client types one token a second at its own cursor (a
sticky index) for ``--duration`` seconds. A token is ``<sender:ms>``: the milliseconds since
the run began at its send, so every receiving client measures the delay from a keystroke's
send to its receipt (its own tokens echoed back are not counted): the arrival time of every
frame is taken as it comes, its tokens are read after the run. The delays are also given
apart for tokens typed on the receiver's server and on the other one (relayed), and the run
reports the share of the machine's CPU time the hypervisor gave to other machines (steal):
on a shared 2-core VM it changes from run to run, and the delays with it. At the end every client's
document must be identical and hold every token. The peer is pycrdt-websocket's own
``ASGIServer`` + ``WebsocketServer`` under uvicorn, run the same way; it keeps its rooms in
process memory, so it runs as one process (two workers would hold two unrelated documents).

Trace: a synthetic single-author typing trace shaped like crdt-benchmarks' B4 (259,778
operations, about 70 % inserts, runs of typing at a cursor that jumps now and then, runs of
backspaces; B4's own data is not available here), replayed as one y-websocket update per
operation through one server, which stores each in PostgreSQL; timed until the database
holds the last one, then the document is rebuilt from the database alone and compared.

Run: ``.venv/bin/python bench/cowriting.py`` (500 clients, 60 s); ``--quick`` for 100 clients
for 15 s and a 50,000-operation trace; ``--repeat 3`` for medians of three runs of each side;
``--trace-ops 0`` skips the trace, ``--no-peer`` the peer. Needs PostgreSQL and Redis on 127.0.0.1 (``make
services``) and, for the peer, pycrdt-websocket (installed by ``make bench``). Prints
human-readable lines, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import Any

import numpy
from pycrdt import Assoc, Doc, StickyIndex, Text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.tests.live import LiveStack, free_port, services_missing
from maillage.cowriting.yprotocol import SyncStep, decode_message, encode_sync

TOKEN = re.compile(rb"<(\d+):(\d+)>")
TOKEN_TEXT = re.compile(r"<\d+:\d+>")
CONNECT_AT_ONCE = 50  # connections opened concurrently while the clients join
LIVE_EVERY = 10  # one editor in this many applies what it receives as it types
QUIET_S = 2.0  # after the typing, the load is over once nothing arrived for this long


# The load ---------------------------------------------------------------------------------


class Editor:
    """One editor: a pycrdt replica, a cursor, and the delays of the tokens it received.

    A *live* editor applies what it received before each keystroke, as an editor in a
    browser does. The others keep what they receive and apply it once the typing is over:
    applying every other editor's keystrokes as they come is a quarter of a million CRDT
    integrations a second for 500 editors, most of this load generator's work on the same
    two cores as the servers. It changes nothing the servers do or the delays measured
    (taken when a frame arrives, before it is applied); each editor still types at its own
    cursor, after its previous token, and at the end every editor's document, built from
    what it typed and what it received, must be identical.
    """

    def __init__(self, number: int, start: float, live: bool, workers: int) -> None:
        self.number = number
        self.workers = workers
        self.tag = str(number).encode()
        self.live = live
        self.doc: Doc = Doc()
        self.text: Text = self.doc.get(TEXT_NAME, type=Text)
        self.start = start
        self.sent = 0
        self.synced = asyncio.Event()
        # Every update frame received: its arrival (ms since start) and its payload; the first
        # ``applied`` of them are applied to the document.
        self.arrivals = array("i")
        self.received: list[bytes] = []
        self.applied = 0
        self.cursor: StickyIndex | None = None
        self.ws: ClientConnection | None = None
        self.errors = 0

    def catch_up(self) -> None:
        """Apply the updates received so far, one by one.

        Merging them first cost more than applying them (measured: merge_updates took a third
        of the load generator's time, applying a quarter).
        """
        for update in self.received[self.applied :]:
            self.doc.apply_update(update)
        self.applied = len(self.received)

    def measure(self, same: array, cross: array) -> None:
        """Add the delay of every token received from another editor, typed on this editor's
        server (``same``) or on the other (``cross``).

        Done after the run, from the arrival times taken as the frames came: parsing a
        quarter of a million tokens a second as they arrive was the load generator's largest
        cost after the CRDT work, on the same cores as the servers it measures.
        """
        for now, payload in zip(self.arrivals, self.received, strict=True):
            for sender, sent_at in TOKEN.findall(payload):
                if sender != self.tag:
                    delay = now - int(sent_at)
                    (same if (int(sender) - self.number) % self.workers == 0 else cross).append(
                        delay
                    )

    async def read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.ws:
                if not isinstance(frame, bytes) or not frame or frame[0] != 0:
                    continue
                message = decode_message(frame)
                if message.step == SyncStep.STEP1:
                    self.catch_up()
                    reply = encode_sync(SyncStep.STEP2, self.doc.get_update(message.payload))
                    await self.ws.send(reply)
                    continue
                self.arrivals.append(int((time.monotonic() - self.start) * 1000))
                self.received.append(message.payload)
                if message.step == SyncStep.STEP2:
                    self.synced.set()

    async def keystroke(self) -> None:
        """Type one token at this editor's cursor and send the update."""
        assert self.ws is not None
        if self.live:
            self.catch_up()
        index = len(self.text) if self.cursor is None else self.cursor.get_index()
        now = int((time.monotonic() - self.start) * 1000)
        token = f"<{self.number}:{now}>"
        before = self.doc.get_state()
        self.text.insert(index, token)
        self.cursor = StickyIndex.new(self.text, index + len(token), Assoc.BEFORE)
        try:
            await self.ws.send(encode_sync(SyncStep.UPDATE, self.doc.get_update(before)))
            self.sent += 1
        except ConnectionClosed:
            self.errors += 1


async def _join(editor: Editor, url: str, cookie: str | None, origin: str) -> asyncio.Task[None]:
    headers = {"Cookie": cookie} if cookie else {}
    # No client keepalive: a client loop that lags under load must not close its connection.
    editor.ws = await connect(
        url,
        additional_headers=headers,
        origin=origin,
        max_size=1 << 24,
        open_timeout=60,
        ping_interval=None,
    )
    reader = asyncio.create_task(editor.read())
    await editor.ws.send(encode_sync(SyncStep.STEP1, editor.doc.get_state()))
    await asyncio.wait_for(editor.synced.wait(), 60)
    return reader


async def _loop_lag(lags: array, every: float = 0.005) -> None:
    """Record how late this process's event loop wakes a task (ms), every ``every`` seconds:
    what the load generator's own queueing adds to the delays it measures."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time() + every
        await asyncio.sleep(every)
        lags.append(int((loop.time() - asked) * 1000))


async def _type_for(editor: Editor, duration: float, rng: random.Random) -> None:
    await asyncio.sleep(rng.random())  # keystrokes spread over each second
    deadline = editor.start + duration
    next_at = time.monotonic()
    while next_at < deadline:
        await editor.keystroke()
        next_at += 1.0
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


def _percentile(delays: array, fraction: float) -> float | None:
    if not delays:
        return None
    return float(numpy.percentile(numpy.frombuffer(delays, dtype=numpy.int32), fraction * 100))


async def run_load(
    targets: list[tuple[str, str]],
    cookies: list[str | None],
    clients: int,
    duration: float,
    server_pids: list[int],
) -> dict[str, Any]:
    """Run the editors against ``targets`` ((url, origin), used in turn); return the figures.

    One editor in ``LIVE_EVERY`` is live (see ``Editor``); ``server_pids`` are the servers'
    processes, whose CPU time during the typing is reported.
    """
    start = time.monotonic()
    editors = [
        Editor(number, start, number % LIVE_EVERY == 0, len(targets)) for number in range(clients)
    ]
    semaphore = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def join(editor: Editor) -> asyncio.Task[None]:
        url, origin = targets[editor.number % len(targets)]
        async with semaphore:
            return await _join(editor, url, cookies[editor.number % len(cookies)], origin)

    joined = time.monotonic()
    # The first editor joins alone: pycrdt-websocket 0.16.5 fails connections that arrive
    # together before a room has started ("YRoom already running"), and they wait forever.
    readers = [await join(editors[0])]
    readers += await asyncio.gather(*(join(editor) for editor in editors[1:]))
    joined = time.monotonic() - joined
    rng = random.Random(42)
    # The clock restarts for the typing, so that the duration is the typing's.
    for editor in editors:
        editor.start = time.monotonic()
    cpu = time.process_time()
    servers_cpu = [_cpu_s(pid) for pid in server_pids]
    machine = _cpu_times()
    lags = array("i")
    lagging = asyncio.create_task(_loop_lag(lags))
    typing = time.monotonic()
    await asyncio.gather(
        *(_type_for(editor, duration, random.Random(rng.random())) for editor in editors)
    )
    typing = time.monotonic() - typing
    lagging.cancel()
    typing_cpu = time.process_time() - cpu
    steal = _steal_share(machine, _cpu_times())
    servers_cpu = [
        _cpu_s(pid) - before for pid, before in zip(server_pids, servers_cpu, strict=True)
    ]
    sent = sum(editor.sent for editor in editors)
    expected = sent * (clients - 1)
    # What is still on its way: wait until nothing has arrived for QUIET_S (30 s at most).
    typed_ms = (time.monotonic() - editors[0].start) * 1000
    waited = time.monotonic()
    last_ms = 0
    while time.monotonic() - waited < 30:
        await asyncio.sleep(0.2)
        last_ms = max(editor.arrivals[-1] for editor in editors if editor.arrivals)
        if (time.monotonic() - editors[0].start) * 1000 - last_ms > QUIET_S * 1000:
            break
    drain = max(0.0, (last_ms - typed_ms) / 1000)
    client_cpu = time.process_time() - cpu
    for editor in editors:
        assert editor.ws is not None
        await editor.ws.close()
    for reader in readers:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    texts = []
    integrated = time.monotonic()
    for editor in editors:
        editor.catch_up()
        texts.append(str(editor.text))
    integrated = time.monotonic() - integrated
    identical = len(set(texts)) == 1
    same, cross = array("i"), array("i")
    for editor in editors:
        editor.measure(same, cross)
    delays = same + cross
    tokens = len(TOKEN_TEXT.findall(texts[0]))
    return {
        "clients": clients,
        "duration_s": duration,
        "join_s": round(joined, 2),
        # Longer than the duration when the load generator cannot keep up with its keystrokes.
        "typing_s": round(typing, 2),
        "keystrokes": sent,
        "receipts": len(delays),
        "receipts_expected": expected,
        "p50_ms": _percentile(delays, 0.5),
        "p95_ms": _percentile(delays, 0.95),
        "p99_ms": _percentile(delays, 0.99),
        # Tokens typed on the receiver's server, and relayed from the other server.
        "same_server_p50_p95_ms": [_percentile(same, 0.5), _percentile(same, 0.95)],
        "other_server_p50_p95_ms": [_percentile(cross, 0.5), _percentile(cross, 0.95)],
        "drain_s": round(drain, 2),
        "live_editors": sum(editor.live for editor in editors),
        "final_integration_s": round(integrated, 1),
        "identical": identical,
        "tokens_in_document": tokens,
        "send_errors": sum(editor.errors for editor in editors),
        "client_cpu_s": round(client_cpu, 1),
        # CPU seconds per second of typing: above 2 in all, this 2-core machine is saturated.
        "typing_cpu_per_s": {
            "load_generator": round(typing_cpu / typing, 2),
            "servers": [round(value / typing, 2) for value in servers_cpu],
        },
        "cpu_steal_share": steal,
        "generator_loop_lag_p50_p95_ms": [
            round(_percentile(lags, fraction) or 0.0, 1) for fraction in (0.5, 0.95)
        ],
        "text": texts[0],
    }


# Servers ----------------------------------------------------------------------------------


def serve_peer(port: int) -> None:
    """Serve pycrdt-websocket's ASGI server on ``port`` (run in a child process)."""
    import uvicorn
    from pycrdt.websocket import ASGIServer, WebsocketServer

    async def main() -> None:
        websocket_server = WebsocketServer()
        config = uvicorn.Config(
            ASGIServer(websocket_server),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws_max_size=1024 * 1024,
            ws_per_message_deflate=False,  # as our servers
        )
        async with websocket_server:
            await uvicorn.Server(config).serve()

    try:
        import uvloop  # as uvicorn.run picks for our servers
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not start")


def _peak_rss_mb(pid: int) -> float:
    """Return the peak resident memory of a live process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_times() -> list[int]:
    """Return the machine's CPU time counters (/proc/stat: user … steal), in ticks."""
    return [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def _steal_share(before: list[int], after: list[int]) -> float:
    """Return the share of CPU time the hypervisor gave to other machines (steal) between two
    readings: on a shared 2-core VM it varies from run to run, and so do the delays."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return round(spent[7] / max(sum(spent), 1), 3)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The trace --------------------------------------------------------------------------------


def b4_like_trace(operations: int, seed: int = 4) -> list[tuple[int, int, str]]:
    """Return (position, deleted count, inserted text) operations of one author typing.

    Shaped like B4 (Kleppmann's LaTeX paper trace: 259,778 single-character operations,
    182,315 inserts and 77,463 deletes, final text 104,852 characters): typing runs at a
    cursor, backspace runs, and now and then the cursor jumps elsewhere in the text.
    """
    rng = random.Random(seed)
    letters = "etaoinshrdlucmfwypvbgkjqxz      ,.\n"
    length = cursor = 0
    trace: list[tuple[int, int, str]] = []
    while len(trace) < operations:
        if length and rng.random() < 0.02:
            cursor = rng.randrange(length + 1)
        # Deletion runs start at 48 % of the events: B4's 30 % of operations are deletes.
        if length and cursor and rng.random() < 0.48:
            for _ in range(min(cursor, 1 + int(rng.expovariate(1 / 5)))):
                cursor -= 1
                length -= 1
                trace.append((cursor, 1, ""))
        else:
            for _ in range(1 + int(rng.expovariate(1 / 12))):
                trace.append((cursor, 0, rng.choice(letters)))
                cursor += 1
                length += 1
    return trace[:operations]


WINDOW = 5000  # updates sent before waiting for the server to have read them


def trace_updates(trace: list[tuple[int, int, str]]) -> tuple[list[bytes], str, list[bytes]]:
    """Return one Yjs update per operation, the final text, and the state vector after
    every ``WINDOW`` operations."""
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    updates: list[bytes] = []
    vectors: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for number, (position, deleted, inserted) in enumerate(trace, 1):
        if deleted:
            del text[position : position + deleted]
        else:
            text.insert(position, inserted)
        if number % WINDOW == 0:
            vectors.append(doc.get_state())
    return updates, str(text), vectors


async def replay(
    stack: LiveStack,
    url: str,
    origin: str,
    cookie: str,
    work: int,
    updates: list[bytes],
    final_text: str,
    vectors: list[bytes],
) -> tuple[float, float]:
    """Send every update over one websocket; return the seconds to send them and until the
    rows stored in the database rebuild the final text.

    After every ``WINDOW`` updates the client sends sync step 1 and waits for the answer
    (the server reads a connection's frames in order): without this flow control the
    server's keepalive pong waits behind minutes of unread frames and uvicorn closes the
    connection.
    """
    async with connect(
        url,
        additional_headers={"Cookie": cookie},
        origin=origin,
        max_size=1 << 24,
        ping_interval=None,
    ) as ws:
        answers: asyncio.Queue[None] = asyncio.Queue()
        drained = asyncio.create_task(_drain(ws, answers))
        await ws.send(encode_sync(SyncStep.STEP1, b"\x00"))
        await answers.get()
        start = time.monotonic()
        for number, update in enumerate(updates, 1):
            await ws.send(encode_sync(SyncStep.UPDATE, update))
            if number % WINDOW == 0:
                await ws.send(encode_sync(SyncStep.STEP1, vectors[number // WINDOW - 1]))
                await asyncio.wait_for(answers.get(), 120)
        sent = time.monotonic() - start
        # Rebuild from the stored rows as they arrive (one author's burst shares a row).
        doc: Doc = Doc()
        text = doc.get(TEXT_NAME, type=Text)
        seen = 0
        while time.monotonic() - start < 300:
            rows = stack.execute(
                "SELECT sequence, data FROM cowriting_update"
                " WHERE work_id = %s AND sequence > %s ORDER BY sequence",
                (work, seen),
            )
            for sequence, data in rows:
                doc.apply_update(bytes(data))
                seen = sequence
            if len(text) == len(final_text) and str(text) == final_text:
                break
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - start
        drained.cancel()
    return sent, elapsed


def replay_room(work: int, operations: int) -> None:
    """Replay the trace through a room's storage path in this process; print JSON.

    Run in a child process with the servers' environment: what a worker does with each
    incoming update (queue, apply to the replica, group commit), without the websocket.
    """
    import django

    django.setup()
    from maillage.cowriting import rooms, services

    updates, final_text, _ = trace_updates(b4_like_trace(operations))

    async def run() -> float:
        room = rooms.Room(work)
        await room.start()
        start = time.monotonic()
        for number, update in enumerate(updates):
            await room.submit(author_id=None, update=update, origin=None)
            if number % 256 == 0:
                await asyncio.sleep(0)  # let the writer commit meanwhile
        await room.settle()
        elapsed = time.monotonic() - start
        await room.stop()
        return elapsed

    elapsed = asyncio.run(run())
    state, _ = services.work_state(work_id=work)
    rebuilt = str(services.doc_from_state(state)[TEXT_NAME])
    peak = _peak_rss_mb(os.getpid())  # VmHWM: ru_maxrss would carry the parent's over exec
    print(
        json.dumps(
            {
                "room_path_s": round(elapsed, 2),
                "matches": rebuilt == final_text,
                "peak_rss_mb": round(peak),
            }
        )
    )


async def _drain(ws: ClientConnection, answers: asyncio.Queue[None]) -> None:
    """Read the server's frames; signal each sync step 2 (an answer to our step 1)."""
    with contextlib.suppress(ConnectionClosed):
        async for frame in ws:
            if isinstance(frame, bytes) and frame[:2] == b"\x00\x01":
                answers.put_nowait(None)


# Main -------------------------------------------------------------------------------------


def run_trace(
    stack: LiveStack, server: Any, seed: dict[str, Any], cookie: str | None, operations: int
) -> dict[str, Any]:
    """Replay the B4-shaped trace through ``server`` into the database, then the room path
    alone in a child process; return the figures."""
    trace = b4_like_trace(operations)
    started = time.monotonic()
    updates, final_text, vectors = trace_updates(trace)
    local_s = time.monotonic() - started
    trace_work = seed["works"][-1]
    server_cpu = _cpu_s(server.process.pid)
    client_cpu = time.process_time()
    machine = _cpu_times()
    sent, elapsed = asyncio.run(
        replay(
            stack,
            server.url(trace_work),
            server.origin,
            cookie,
            trace_work,
            updates,
            final_text,
            vectors,
        )
    )
    client_cpu = time.process_time() - client_cpu
    after = _cpu_times()
    server_cpu = _cpu_s(server.process.pid) - server_cpu
    trace_ok = stack.stored_text(trace_work) == final_text
    (rows,) = stack.execute(
        "SELECT count(*) FROM cowriting_update WHERE work_id = %s", (trace_work,)
    )[0]
    trace_result = {
        "operations": len(updates),
        "final_chars": len(final_text),
        "local_pycrdt_s": round(local_s, 2),
        "sent_s": round(sent, 2),
        "through_server_and_database_s": round(elapsed, 2),
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(client_cpu, 1),
        "cpu_steal_share": _steal_share(machine, after),
        "stored_rows": rows,
        "rebuilt_from_database_matches": trace_ok,
    }
    room_run = subprocess.run(
        [
            sys.executable,
            __file__,
            "--trace-room",
            str(seed["works"][-2]),
            "--trace-ops",
            str(operations),
        ],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    trace_result["room_path"] = json.loads(room_run.stdout.strip().splitlines()[-1])
    return trace_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (medians)")
    parser.add_argument("--trace-ops", type=int, default=259_778)
    parser.add_argument("--quick", action="store_true", help="100 clients, 15 s, 50k ops")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--serve-peer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace-room", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_peer:
        serve_peer(args.serve_peer)
        return 0
    if args.trace_room:
        replay_room(args.trace_room, args.trace_ops)
        return 0
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.quick:
        args.clients, args.duration, args.trace_ops = 100, 15.0, 50_000
    if args.clients < 2 or args.duration <= 0 or args.repeat < 1 or args.trace_ops < 0:
        print(
            "cowriting bench: --clients ≥ 2, --duration > 0, --repeat ≥ 1 and --trace-ops ≥ 0",
            file=sys.stderr,
        )
        return 2
    missing = services_missing()
    if missing:
        print(f"cowriting bench: {missing}", file=sys.stderr)
        return 2
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    print(f"load average before: {os.getloadavg()}")
    # DEBUG=1: with DEBUG off, every `maillage serve` collects and compresses the static files
    # (minutes on this machine); DEBUG only adds a bounded log of SQL queries.
    stack = LiveStack(Path(tempfile.mkdtemp(prefix="bench-cowriting-")), debug=True)
    # The trace replays a day of one author's typing as fast as the socket takes it: a
    # person's frame limit would close that connection (4429), and the trace measures the
    # storage path, not the limit.
    stack.env["MAILLAGE_WS_WRITER_FRAMES_PER_SECOND"] = "1000000"
    stack.create()
    peer: subprocess.Popen[bytes] | None = None
    try:
        servers = [stack.serve(), stack.serve()]
        stack.migrate()
        for server in servers:
            server.wait_ready(120)
        seed = stack.seed(args.clients, works=args.repeat + 2)
        cookies = [writer["cookie"] for writer in seed["writers"]]
        ours_runs = []
        for run in range(args.repeat):
            work = seed["works"][run]
            targets = [(server.url(work), server.origin) for server in servers]
            cpu = [_cpu_s(server.process.pid) for server in servers]
            pids = [server.process.pid for server in servers]
            result = asyncio.run(run_load(targets, cookies, args.clients, args.duration, pids))
            result["server_cpu_s"] = round(
                sum(_cpu_s(s.process.pid) - c for s, c in zip(servers, cpu, strict=True)), 1
            )
            stored = stack.stored_text(work)
            result["database_matches"] = stored == result.pop("text")
            ours_runs.append(result)
            print("ours:", json.dumps(result))

        trace_result: dict[str, Any] = {"skipped": "--trace-ops 0"}
        if args.trace_ops:
            trace_result = run_trace(stack, servers[0], seed, cookies[0], args.trace_ops)
        print("trace:", json.dumps(trace_result))
        ours_rss = [_peak_rss_mb(server.process.pid) for server in servers]
        for server in servers:
            server.stop()

        peer_runs = []
        peer_rss: list[float] = []
        for run in range(0 if args.no_peer else args.repeat):
            # A fresh peer server for each run: under this load it may exit mid-run.
            port = free_port()
            peer_log = stack.folder / f"peer-{run}.log"
            with open(peer_log, "wb") as out:
                peer = subprocess.Popen(
                    [sys.executable, __file__, "--serve-peer", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            _wait_port(port, peer)
            url = f"ws://127.0.0.1:{port}/bench-{run}"
            cpu = _cpu_s(peer.pid)
            result = asyncio.run(
                run_load(
                    [(url, f"http://127.0.0.1:{port}")],
                    [None],
                    args.clients,
                    args.duration,
                    [peer.pid],
                )
            )
            result["server_cpu_s"] = round(_cpu_s(peer.pid) - cpu, 1)
            result.pop("text")
            peer_runs.append(result)
            print("peer:", json.dumps(result))
            if peer.poll() is not None:
                tail = peer_log.read_text(errors="replace")[-1500:]
                print(f"peer: the server exited with {peer.returncode}:\n{tail}")
            else:
                peer_rss.append(_peak_rss_mb(peer.pid))
                _stop(peer)
            peer = None
    finally:
        if peer is not None:
            _stop(peer)
        stack.drop()

    def median(runs: list[dict[str, Any]], key: str) -> float | None:
        values = [run[key] for run in runs if run[key] is not None]
        return statistics.median(values) if values else None

    figures = ("p50_ms", "p95_ms", "p99_ms", "cpu_steal_share")
    ours = {key: median(ours_runs, key) for key in figures}
    ours["identical"] = all(run["identical"] and run["database_matches"] for run in ours_runs)
    summary: dict[str, Any] = {
        "bench": "cowriting",
        "clients": args.clients,
        "duration_s": args.duration,
        "repeat": args.repeat,
        "ours": ours,
        "trace": trace_result,
        "peak_rss_mb": {
            "ours_servers": [round(value) for value in ours_rss],
            "bench_clients": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
        "load_average": os.getloadavg(),
    }
    if peer_runs:
        summary["peer"] = {key: median(peer_runs, key) for key in figures}
        summary["peer"]["identical"] = all(run["identical"] for run in peer_runs)
        summary["peak_rss_mb"]["peer_server"] = (
            round(max(peer_rss)) if peer_rss else "not read: the server exited in every run"
        )
        if ours["p95_ms"] and summary["peer"]["p95_ms"] is not None:
            summary["ratio_p95_peer_over_ours"] = round(
                summary["peer"]["p95_ms"] / max(ours["p95_ms"], 1.0), 2
            )
    print(
        f"ours: p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms, identical {ours['identical']};"
        f" trace {trace_result.get('operations', 0)} ops in "
        f"{trace_result.get('through_server_and_database_s')} s"
    )
    if peer_runs:
        print(f"peer: p50 {summary['peer']['p50_ms']} ms, p95 {summary['peer']['p95_ms']} ms")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
