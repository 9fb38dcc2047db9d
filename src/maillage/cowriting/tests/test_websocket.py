"""The y-websocket endpoint on the real ASGI app, with pycrdt clients."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import OperationalError, connections
from pycrdt import Doc, Text

from maillage.cowriting import rooms, services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import Participant, SharedWork, Update
from maillage.cowriting.services import participant_invite, work_create, work_state, work_text
from maillage.cowriting.tests.yclient import YClient, session_cookie
from maillage.cowriting.yprotocol import (
    AwarenessEntry,
    SyncStep,
    encode_awareness,
    encode_awareness_update,
    encode_sync,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture(autouse=True)
async def _fresh_rooms() -> Any:
    await rooms.reset()
    yield
    await rooms.reset()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    # The database thread of database_sync_to_async keeps its own connection: close it.
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def work(personas: Any) -> SharedWork:
    """A private work: the org admin writes, the facilitator writes, the participant reads."""
    work = work_create(
        actor=personas.org_admin, title="Récit d'itinérance", organization=personas.organization
    )
    participant_invite(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="writer"
    )
    participant_invite(
        work=work, actor=personas.org_admin, person=personas.participant, role="reader"
    )
    return work


async def _client(work: SharedWork, person: Any = None, doc: Doc | None = None) -> YClient:
    cookie = await session_cookie(person) if person is not None else None
    client = YClient(work.pk, cookie, doc)
    connected, code = await client.connect()
    assert connected, code
    await client.pump()
    return client


async def _stored_text(work: SharedWork) -> str:
    return await sync_to_async(work_text)(work=work)


async def test_two_writers_typing_at_once_converge_and_are_stored(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    bob = await _client(work, personas.facilitator)
    alice.text += "Nous avons marché "
    bob.text += "trois cents kilomètres."
    await asyncio.gather(alice.flush(), bob.flush())
    for _ in range(3):
        await asyncio.gather(alice.pump(), bob.pump())
    assert str(alice) == str(bob)
    assert "Nous avons marché " in str(alice) and "trois cents kilomètres." in str(alice)
    await alice.disconnect()
    await bob.disconnect()
    assert await _stored_text(work) == str(alice)
    authors = await sync_to_async(
        lambda: set(Update.objects.filter(work=work).values_list("author_id", flat=True))
    )()
    assert authors == {personas.org_admin.pk, personas.facilitator.pk}


async def test_offline_edits_merge_on_reconnection_without_loss(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    alice.text += "Jour 1. "
    await alice.flush()
    await alice.pump()
    await alice.disconnect()
    # Alice keeps typing in her local document while offline…
    offline_doc = alice.doc
    offline_doc[TEXT_NAME].insert(len(offline_doc[TEXT_NAME]), "Jour 2 hors ligne. ")
    # …while Bob writes online.
    bob = await _client(work, personas.facilitator)
    bob.text.insert(0, "Prologue. ")
    await bob.flush()
    await bob.pump()
    # Alice comes back with the same document: sync steps 1 and 2 exchange what each lacks.
    back = await _client(work, personas.org_admin, doc=offline_doc)
    for _ in range(2):
        await asyncio.gather(back.pump(), bob.pump())
    assert str(back) == str(bob)
    for passage in ("Prologue. ", "Jour 1. ", "Jour 2 hors ligne. "):
        assert passage in str(bob)
    await back.disconnect()
    await bob.disconnect()
    assert await _stored_text(work) == str(bob)


async def test_late_joiner_receives_the_full_state(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    alice.text += "Le chemin se fait en marchant."
    await alice.flush()
    await alice.pump()
    late = await _client(work, personas.participant)
    assert str(late) == "Le chemin se fait en marchant."
    await late.disconnect()
    await alice.disconnect()


async def test_reader_update_is_refused_and_the_connection_closed_with_4403(
    work: Any, personas: Any
) -> None:
    reader = await _client(work, personas.participant)
    assert reader.closed is None  # a reader may sync and read
    reader.text += "I should not write this"
    await reader.flush()
    await reader.pump()
    assert reader.closed == 4403
    assert reader.denied and "read-only" in reader.denied[0]
    assert await _stored_text(work) == ""


async def test_outsider_is_refused_at_the_handshake_of_a_private_work(
    work: Any, personas: Any
) -> None:
    outsider = YClient(work.pk, await session_cookie(personas.field_agent))
    connected, code = await outsider.connect()
    assert not connected and code == 4403


async def test_connection_without_session_is_refused_for_a_private_work(work: Any) -> None:
    anonymous = YClient(work.pk)
    connected, _ = await anonymous.connect()
    assert not connected


async def test_visitor_reads_a_public_work_but_may_not_write(work: Any, personas: Any) -> None:
    await sync_to_async(SharedWork.objects.filter(pk=work.pk).update)(is_public=True)
    alice = await _client(work, personas.org_admin)
    alice.text += "Public."
    await alice.flush()
    await alice.pump()
    visitor = await _client(work)
    assert str(visitor) == "Public."
    visitor.text += "!"
    await visitor.flush()
    await visitor.pump()
    assert visitor.closed == 4403
    await alice.disconnect()


async def test_malformed_frames_are_dropped_without_harming_the_room(
    work: Any, personas: Any
) -> None:
    alice = await _client(work, personas.org_admin)
    bob = await _client(work, personas.facilitator)
    for garbage in (
        b"\x00",  # sync without a step
        b"\x07\x01\x02",  # unknown message type
        b"\x00\x05\x01\x00",  # unknown sync step
        b"\x00\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff",  # integer too long
        b"\x00\x02\x10abc",  # truncated update
        encode_sync(SyncStep.UPDATE, b"\x05\xff\xff\x01"),  # not a Yjs update
        b"\x01\x05\x01\x01\x01\x01{",  # awareness with bad JSON
        encode_sync(SyncStep.STEP1, b"\xff"),  # bad state vector
    ):
        await alice.send(garbage)
    await alice.communicator.send_to(text_data="hello")
    alice.text += "Toujours là."
    await alice.flush()
    await asyncio.gather(alice.pump(), bob.pump())
    assert alice.closed is None and bob.closed is None
    assert str(bob) == "Toujours là."
    await alice.disconnect()
    await bob.disconnect()


async def test_frame_over_one_megabyte_is_refused_with_1009(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    big = Doc()
    big.get(TEXT_NAME, type=Text).insert(0, "x" * (1024 * 1024 + 10))
    await alice.send(encode_sync(SyncStep.UPDATE, big.get_update()))
    await alice.pump()
    assert alice.closed == 1009
    assert await _stored_text(work) == ""


async def test_server_restart_rebuilds_the_document_from_the_database(
    work: Any, personas: Any
) -> None:
    alice = await _client(work, personas.org_admin)
    alice.text += "Avant le redémarrage. "
    await alice.flush()
    await alice.pump()
    del alice.text[0:6]
    await alice.flush()
    await alice.pump()
    expected = str(alice)
    await rooms.reset()  # the worker restarts: every in-memory room is gone
    assert rooms.room_of(work.pk) is None
    bob = await _client(work, personas.facilitator)
    assert str(bob) == expected == "le redémarrage. "
    await bob.disconnect()
    await alice.disconnect()


async def test_a_failed_commit_closes_with_1011_and_reconnecting_stores_what_was_lost(
    work: Any, personas: Any, monkeypatch: Any
) -> None:
    alice = await _client(work, personas.org_admin)
    stored = services.updates_append

    def unreachable(**kwargs: Any) -> int:
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "updates_append", unreachable)
    alice.text += "Gardé par Alice."
    await alice.flush()
    await alice.pump()
    assert alice.closed == 1011
    await alice.communicator.disconnect()
    assert await _stored_text(work) == ""
    monkeypatch.setattr(services, "updates_append", stored)
    # Her client still holds the edit and sends it back on reconnection (sync step 2).
    back = await _client(work, personas.org_admin, doc=alice.doc)
    await back.pump()
    await back.disconnect()
    assert await _stored_text(work) == "Gardé par Alice."


async def test_duplicate_updates_are_stored_once(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    alice.text += "Une fois."
    update = alice.doc.get_update()
    await alice.flush()
    await alice.send(encode_sync(SyncStep.UPDATE, update))
    await alice.send(encode_sync(SyncStep.STEP2, update))
    await alice.pump()
    await alice.disconnect()
    assert await sync_to_async(Update.objects.filter(work=work).count)() == 1


async def test_awareness_name_is_rewritten_to_the_connection_user(work: Any, personas: Any) -> None:
    alice = await _client(work, personas.org_admin)
    bob = await _client(work, personas.facilitator)
    await alice.set_awareness({"user": {"name": "Quelqu'un d'autre", "color": "#1e40af"}})
    await asyncio.gather(alice.pump(), bob.pump())
    state = bob.awareness[alice.doc.client_id]
    assert state is not None
    assert state["user"] == {"name": personas.org_admin.public_name, "color": "#1e40af"}
    # Bob may not speak for Alice's client id.
    spoof = AwarenessEntry(alice.doc.client_id, 5, {"user": {"name": "x"}, "cursor": None})
    await bob.send(encode_awareness(encode_awareness_update([spoof])))
    await asyncio.gather(alice.pump(), bob.pump())
    assert bob.awareness[alice.doc.client_id]["user"]["name"] == personas.org_admin.public_name
    await alice.disconnect()
    await bob.pump()
    assert bob.awareness[alice.doc.client_id] is None  # removed when Alice left
    await bob.disconnect()


async def test_compaction_keeps_the_document_rebuildable(
    work: Any, personas: Any, monkeypatch: Any
) -> None:
    from maillage.cowriting import services
    from maillage.cowriting.models import Snapshot

    monkeypatch.setattr(services, "COMPACT_EVERY", 5)
    alice = await _client(work, personas.org_admin)
    for word in ["un ", "deux ", "trois ", "quatre ", "cinq ", "six ", "sept "]:
        alice.text += word
        await alice.flush()
        await alice.pump(0.05)
    await alice.pump()
    await alice.disconnect()
    snapshots = await sync_to_async(lambda: list(Snapshot.objects.filter(work=work)))()
    assert snapshots and snapshots[0].through_sequence >= 5
    state, last = await sync_to_async(work_state)(work_id=work.pk)
    assert last == 7
    assert await _stored_text(work) == "un deux trois quatre cinq six sept "


async def test_roles_are_read_at_the_handshake(work: Any, personas: Any) -> None:
    await sync_to_async(Participant.objects.filter(work=work, person=personas.participant).update)(
        role="writer"
    )
    promoted = await _client(work, personas.participant)
    promoted.text += "Je peux écrire."
    await promoted.flush()
    await promoted.pump()
    assert promoted.closed is None
    await promoted.disconnect()
    assert await _stored_text(work) == "Je peux écrire."
