"""Websocket abuse by an anonymous reader: does the server stay responsive?

Load (issue 21, hole 4): one ``maillage serve`` process on PostgreSQL and Redis holds a public
work of 100,000 characters, written by a writer in a few thousand edits (inserts at random places and
deletions: many items and a delete set, as a real document has). An anonymous reader then
sends ``--frames`` frames as fast as the socket takes them, twice: sync step 1 with an empty
state vector (the server would encode the whole document each time), then sync step 2
carrying the whole document (the server would trial-apply it). When the server closes the
connection the reader opens another and goes on, until every frame is sent. Meanwhile a
client asks ``/healthz`` every 20 ms and times each answer.

Run: ``.venv/bin/python bench/cowriting_abuse.py`` (needs PostgreSQL and Redis on 127.0.0.1,
``make services``). Prints human-readable lines, then one JSON object as the last line: the
health check's median and slowest answer before and during each flood, the frames sent, the
connections the reader needed and the close codes it got.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.tests.live import LiveStack, LiveYClient, services_missing, wait_until
from maillage.cowriting.yprotocol import SyncStep, encode_sync

CHARACTERS = 100_000


def document(seed: int = 21) -> Doc:
    """Return a document of at least ``CHARACTERS`` characters written in many edits."""
    rng = random.Random(seed)
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    words = ["nous", "avons", "marché", "et", "écouté", "les", "habitants", "du", "quartier"]
    while len(str(text)) < CHARACTERS:
        chunk = " ".join(rng.choice(words) for _ in range(12)) + ". "
        text.insert(rng.randint(0, len(text)), chunk)
        if rng.random() < 0.3 and len(text) > 100:
            start = rng.randint(0, len(text) - 20)
            del text[start : start + rng.randint(1, 15)]
    return doc


def _get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        response.read()
    return (time.perf_counter() - start) * 1000


async def probe(url: str, stop: asyncio.Event, every: float = 0.02) -> list[float]:
    """Time ``/healthz`` every ``every`` seconds until ``stop``; return the times in ms."""
    times = []
    while not stop.is_set():
        times.append(await asyncio.to_thread(_get, url))
        await asyncio.sleep(every)
    return times


async def flood(url: str, origin: str, frames: list[bytes]) -> dict[str, Any]:
    """Send ``frames`` as an anonymous reader, reconnecting when closed."""
    sent = 0
    connections = 0
    codes: dict[str, int] = {}
    refused = 0
    while sent < len(frames) and connections < len(frames):
        connections += 1
        try:
            async with connect(url, origin=origin, max_size=1 << 26, ping_interval=None) as ws:
                drain = asyncio.create_task(_drain(ws))
                with contextlib.suppress(ConnectionClosed):
                    while sent < len(frames) and ws.close_code is None:
                        await ws.send(frames[sent])
                        sent += 1
                        await asyncio.sleep(0)  # let the reader see a close
                    await asyncio.sleep(0.5)
                drain.cancel()
                code = ws.close_code
        except InvalidStatus:
            refused += 1
            await asyncio.sleep(0.05)
            continue
        if code is not None:
            codes[str(code)] = codes.get(str(code), 0) + 1
    return {
        "frames_sent": sent,
        "connections": connections,
        "close_codes": codes,
        "refused": refused,
    }


async def _drain(ws: Any) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for _ in ws:
            pass


async def run(stack: LiveStack, frames_count: int) -> dict[str, Any]:
    server = stack.serve()
    stack.migrate()
    server.wait_ready(120)
    seed = stack.seed(1, public=True)
    work = seed["works"][0]
    health = f"{server.origin}/healthz"
    await asyncio.to_thread(_get, health)

    source = document()
    expected = str(source[TEXT_NAME])
    # The writer's document holds the edits: sync step 2 sends them all on connection.
    writer = LiveYClient(source)
    await writer.connect(server.url(work), seed["writers"][0]["cookie"], server.origin)
    await wait_until(lambda: stack.stored_text(work) == expected, 60, 0.3)
    whole = writer.doc.get_update()
    print(f"work {work}: {len(str(writer))} characters, whole state {len(whole)} bytes")

    stop = asyncio.Event()
    idle = asyncio.create_task(probe(health, stop))
    await asyncio.sleep(2)
    stop.set()
    idle_times = await idle

    result: dict[str, Any] = {
        "characters": len(expected),
        "whole_state_bytes": len(whole),
        "healthz_idle_median_ms": round(statistics.median(idle_times), 1),
        "healthz_idle_max_ms": round(max(idle_times), 1),
    }
    floods = {
        "step1": [encode_sync(SyncStep.STEP1, b"\x00")] * frames_count,
        "step2": [encode_sync(SyncStep.STEP2, whole)] * frames_count,
    }
    for kind, frames in floods.items():
        stop = asyncio.Event()
        during = asyncio.create_task(probe(health, stop))
        start = time.monotonic()
        outcome = await flood(server.url(work), server.origin, frames)
        outcome["flood_s"] = round(time.monotonic() - start, 2)
        await asyncio.sleep(0.5)
        stop.set()
        times = await during
        outcome.update(
            healthz_median_ms=round(statistics.median(times), 1),
            healthz_max_ms=round(max(times), 1),
            healthz_probes=len(times),
        )
        print(f"{kind} flood: {json.dumps(outcome)}")
        result[kind] = outcome
    await writer.close()
    result["stored_text_intact"] = stack.stored_text(work) == expected
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cowriting_abuse")
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args(argv)
    missing = services_missing()
    if missing:
        print(f"cowriting abuse bench: {missing}", file=sys.stderr)
        return 2
    stack = LiveStack(Path(tempfile.mkdtemp(prefix="bench-cowriting-abuse-")), debug=True)
    stack.create()
    try:
        result = asyncio.run(run(stack, args.frames))
    finally:
        stack.drop()
    print(json.dumps({"bench": "cowriting_abuse", **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
