"""Websocket abuse (issue 21, hole 4): floods, forged sync frames, fat awareness, foreign origins.

On the real ASGI app through WebsocketCommunicator, with the channel layer of the settings.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections
from django.test import override_settings
from pycrdt import Doc, Text

from maillage.cowriting import consumers, rooms
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import SharedWork
from maillage.cowriting.services import updates_append, work_create, work_text
from maillage.cowriting.tests.yclient import YClient, session_cookie
from maillage.cowriting.yprotocol import (
    AwarenessEntry,
    SyncStep,
    encode_awareness,
    encode_awareness_update,
    encode_sync,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CHARACTERS = 100_000


@pytest_asyncio.fixture(autouse=True)
async def _fresh_rooms() -> Any:
    await rooms.reset()
    yield
    await rooms.reset()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    await database_sync_to_async(connections.close_all)()


def _long_text_updates() -> tuple[list[bytes], str]:
    """Return the updates of a 100,000-character text written in many edits, and the text."""
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    sentence = "Nous avons marche et ecoute les habitants du quartier. "
    position = 0
    while len(str(text)) < CHARACTERS:
        text.insert(position, sentence)
        position = (position * 7 + 13) % (len(str(text)) + 1)
        if len(updates) % 5 == 0:
            del text[position : position + 3]
    return updates, str(text)


@pytest.fixture
def public_work(personas: Any) -> tuple[SharedWork, str]:
    """A public work of 100,000 characters written in about 2,000 stored edits."""
    work = work_create(
        actor=personas.org_admin,
        title="Long récit",
        organization=personas.organization,
        is_public=True,
    )
    updates, text = _long_text_updates()
    updates_append(work_id=work.pk, items=[(personas.org_admin.pk, u) for u in updates])
    return work, text


async def _connect(
    work: SharedWork, cookie: bytes | None = None, doc: Doc | None = None
) -> YClient:
    client = YClient(work.pk, cookie, doc)
    connected, code = await client.connect()
    assert connected, code
    await client.pump(quiet=1.0)  # the first answer encodes 100,000 characters
    return client


async def _frames_received(client: YClient, quiet: float = 0.3) -> list[dict[str, Any]]:
    outputs = []
    while not await client.communicator.receive_nothing(timeout=quiet, interval=0.01):
        output = await client.communicator.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            client.closed = output.get("code")
            client.close_reason = output.get("reason", "")
            break
    return outputs


async def test_a_flood_of_sync_frames_from_an_anonymous_reader_is_cut_and_cheap(
    public_work: tuple[SharedWork, str], personas: Any
) -> None:
    work, text = public_work
    reader = await _connect(work)
    assert str(reader) == text
    start = time.perf_counter()
    for _ in range(250):
        await reader.send(encode_sync(SyncStep.STEP1, b"\x00"))
    outputs = await _frames_received(reader)
    elapsed = time.perf_counter() - start
    # Closed at its limit, with the reason said before the close.
    assert reader.closed == consumers.CLOSE_TOO_MANY
    assert "rate limit" in reader.close_reason
    denied = [o for o in outputs if o.get("bytes", b"")[:1] == b"\x02"]
    assert denied and b"rate limit" in denied[0]["bytes"]
    # The whole document was sent once more at most (one step 1 a second), never per frame.
    step2 = [o for o in outputs if o.get("bytes", b"")[:2] == b"\x00\x01"]
    assert len(step2) <= 1
    # A server that encoded 100,000 characters per frame took seconds here.
    assert elapsed < 2.0, elapsed
    await reader.disconnect()


async def test_a_reader_sending_the_whole_state_back_is_closed_at_once(
    public_work: tuple[SharedWork, str], personas: Any
) -> None:
    work, text = public_work
    reader = await _connect(work)
    assert str(reader) == text
    whole = reader.doc.get_update()
    start = time.perf_counter()
    for _ in range(100):
        await reader.send(encode_sync(SyncStep.STEP2, whole))
    outputs = await _frames_received(reader)
    elapsed = time.perf_counter() - start
    assert reader.closed == consumers.CLOSE_READ_ONLY
    assert "read-only" in reader.close_reason
    assert sum(1 for o in outputs if o.get("bytes", b"")[:1] == b"\x02") == 1
    # Trial-applying the whole state to a copy of the document took seconds for 100 frames.
    assert elapsed < 2.0, elapsed
    assert await sync_to_async(work_text)(work=work) == text


async def test_a_reader_s_sync_step_1_is_answered_once_per_interval(
    public_work: tuple[SharedWork, str], personas: Any, monkeypatch: Any
) -> None:
    work, _ = public_work
    monkeypatch.setitem(consumers.FRAME_LIMITS, "reader", (1000.0, 1000.0))
    monkeypatch.setattr(consumers, "READER_SYNC_EVERY", 3.0)
    reader = await _connect(work)
    await asyncio.sleep(3.0)
    for _ in range(20):
        await reader.send(encode_sync(SyncStep.STEP1, b"\x00"))
    outputs = await _frames_received(reader)
    assert len(outputs) == 1 and outputs[0]["bytes"][:2] == b"\x00\x01"
    for _ in range(20):
        await reader.send(encode_sync(SyncStep.STEP1, b"\x00"))
    assert await _frames_received(reader) == []
    assert reader.closed is None
    await reader.disconnect()


async def test_the_whole_state_is_encoded_once_per_version_for_every_new_reader(
    public_work: tuple[SharedWork, str], personas: Any, monkeypatch: Any
) -> None:
    work, text = public_work
    first = await _connect(work)
    room = rooms.room_of(work.pk)
    assert room is not None
    encoded: list[bytes] = []
    original = room.diff

    def counting(state_vector: bytes) -> bytes:
        encoded.append(state_vector)
        return original(state_vector)

    monkeypatch.setattr(room, "diff", counting)
    others = [await _connect(work) for _ in range(5)]
    assert all(str(other) == text for other in others)
    assert encoded == []  # the first reader's answer was kept
    writer = await _connect(work, await session_cookie(personas.org_admin))
    writer.text += " Fin."
    await writer.flush()
    await writer.pump()
    late = await _connect(work)
    assert str(late) == text + " Fin."
    assert encoded.count(b"\x00") == 1
    for client in (first, *others, writer, late):
        await client.disconnect()


async def test_a_reader_s_step_2_with_items_is_refused_without_being_applied(
    public_work: tuple[SharedWork, str], personas: Any, monkeypatch: Any
) -> None:
    work, text = public_work
    reader = await _connect(work)
    room = rooms.room_of(work.pk)
    assert room is not None

    def no_trial(*args: Any) -> None:
        raise AssertionError("a reader's frame was applied")

    monkeypatch.setattr(room, "apply", no_trial)
    monkeypatch.setattr(room, "apply_run", no_trial)
    reader.text.insert(0, "Pirate. ")
    await reader.send(encode_sync(SyncStep.STEP2, reader.doc.get_update(room.state_vector())))
    await reader.pump()
    assert reader.closed == consumers.CLOSE_READ_ONLY
    assert reader.denied and "read-only" in reader.denied[0]
    assert await sync_to_async(work_text)(work=work) == text


async def test_a_reconnecting_reader_s_deletions_are_ignored_and_it_stays_connected(
    public_work: tuple[SharedWork, str], personas: Any
) -> None:
    work, text = public_work
    first = await _connect(work)
    await first.disconnect()
    # Same document again: its step 2 carries no item, only the deletions it knows.
    back = await _connect(work, doc=first.doc)
    assert back.closed is None
    room = rooms.room_of(work.pk)
    assert room is not None
    deletions_only = back.doc.get_update(room.state_vector())
    assert deletions_only != b"\x00\x00" and deletions_only[0] == 0
    await back.send(encode_sync(SyncStep.UPDATE, deletions_only))
    await back.pump()
    assert back.closed is None
    assert str(back) == text
    await back.disconnect()


async def test_a_writer_flooding_frames_is_closed_with_4429(
    public_work: tuple[SharedWork, str], personas: Any, monkeypatch: Any
) -> None:
    work, _ = public_work
    monkeypatch.setitem(consumers.FRAME_LIMITS, "writer", (5.0, 20.0))
    writer = await _connect(work, await session_cookie(personas.org_admin))
    for _ in range(30):
        await writer.send(b"\x03")  # query awareness: the cheapest frame
    await writer.pump()
    assert writer.closed == consumers.CLOSE_TOO_MANY


async def test_an_oversized_awareness_state_is_not_fanned_out(
    public_work: tuple[SharedWork, str], personas: Any
) -> None:
    work, _ = public_work
    alice = await _connect(work, await session_cookie(personas.org_admin))
    bob = await _connect(work, await session_cookie(personas.facilitator))
    await alice.set_awareness({"user": {"color": "#1e40af"}, "junk": "x" * 9000})
    await asyncio.gather(alice.pump(), bob.pump())
    assert alice.doc.client_id not in bob.awareness
    assert alice.closed is None
    await alice.set_awareness({"user": {"color": "#1e40af"}}, clock=2)
    await asyncio.gather(alice.pump(), bob.pump())
    assert bob.awareness[alice.doc.client_id]["user"]["color"] == "#1e40af"
    await alice.disconnect()
    await bob.disconnect()


async def test_awareness_past_its_rate_is_dropped(
    public_work: tuple[SharedWork, str], personas: Any
) -> None:
    work, _ = public_work
    alice = await _connect(work, await session_cookie(personas.org_admin))
    bob = await _connect(work, await session_cookie(personas.facilitator))
    burst = int(consumers.AWARENESS_LIMIT[1])
    for clock in range(1, burst + 21):
        entry = AwarenessEntry(alice.doc.client_id, clock, {"cursor": clock})
        await alice.send(encode_awareness(encode_awareness_update([entry])))
    outputs = await _frames_received(bob)
    fanned = [o for o in outputs if o.get("bytes", b"")[:1] == b"\x01"]
    assert burst <= len(fanned) < burst + 20
    assert alice.closed is None
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        b"http://testserver:8080",  # same host, another port: another application
        b"https://testserver",  # another scheme
        b"http://evil.example",
        b"null",
    ],
)
async def test_a_foreign_origin_is_refused_at_the_handshake(
    public_work: tuple[SharedWork, str], origin: bytes
) -> None:
    work, _ = public_work
    client = YClient(work.pk, origin=origin)
    connected, code = await client.connect()
    assert not connected and code == 4403


async def test_a_websocket_without_origin_is_refused(
    public_work: tuple[SharedWork, str],
) -> None:
    from channels.testing import WebsocketCommunicator

    from maillage.asgi import application

    work, _ = public_work
    communicator = WebsocketCommunicator(
        application, f"/ws/cowriting/{work.pk}/", headers=[(b"host", b"testserver")]
    )
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == 4403


@override_settings(
    ALLOWED_HOSTS=["testserver", "127.0.0.1"],
    CSRF_TRUSTED_ORIGINS=["https://*.example.org"],
    SITE_URL="https://maillage.example.net",
)
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"http://testserver", True),
        (b"http://testserver:80", True),  # the default port, written out
        (b"https://maillage.example.net", True),  # SITE_URL, behind a proxy
        (b"https://atelier.example.org", True),  # a trusted origin
        (b"https://atelier.example.org:8443", False),
        (b"http://maillage.example.net", False),
    ],
)
async def test_origins_are_compared_by_scheme_host_and_port(
    public_work: tuple[SharedWork, str], origin: bytes, accepted: bool
) -> None:
    work, _ = public_work
    client = YClient(work.pk, origin=origin)
    connected, _code = await client.connect()
    assert connected is accepted
    if connected:
        await client.disconnect()
