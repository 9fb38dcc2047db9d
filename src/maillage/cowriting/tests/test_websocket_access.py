"""Roles checked while a websocket is open (issue 21, hole 3), on both channel layers.

A role change, a deactivation or an erasure closes the person's open sockets (4401) through
their channel-layer group, on commit; an edit sent afterwards is never stored. The real ASGI
app through WebsocketCommunicator, on the in-memory layer and on Redis publish/subscribe (the
layer of several workers).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections
from django.test import override_settings

from maillage.cowriting import consumers, rooms
from maillage.cowriting.models import Participant, SharedWork
from maillage.cowriting.services import participant_invite, work_create, work_text
from maillage.cowriting.tests.yclient import YClient, session_cookie
from maillage.people.services import person_delete

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

REDIS_URL = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL", "")
LAYERS = {
    "in-memory": {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
    "redis": {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    },
}


def _redis_missing() -> str | None:
    if not REDIS_URL:
        return "REDIS_TEST_URL is not set"
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means the same here
        return f"Redis does not answer at {REDIS_URL} ({type(error).__name__})"
    return None


@pytest.fixture(params=["in-memory", "redis"])
def layer(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "redis" and (missing := _redis_missing()):
        pytest.skip(missing)
    with override_settings(CHANNEL_LAYERS=LAYERS[request.param]):
        yield request.param


@pytest_asyncio.fixture(autouse=True)
async def _fresh_rooms(layer: str) -> Any:
    await rooms.reset()
    yield
    await rooms.reset()
    channel_layer = get_channel_layer()
    if hasattr(channel_layer, "flush"):
        await channel_layer.flush()
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def work(personas: Any) -> SharedWork:
    """The org admin and the facilitator write; the participant reads."""
    work = work_create(actor=personas.org_admin, title="Récit", organization=personas.organization)
    participant_invite(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="writer"
    )
    participant_invite(
        work=work, actor=personas.org_admin, person=personas.participant, role="reader"
    )
    return work


async def _client(work: SharedWork, person: Any) -> YClient:
    client = YClient(work.pk, await session_cookie(person))
    connected, code = await client.connect()
    assert connected, code
    await client.pump()
    return client


async def _type(client: YClient, text: str) -> None:
    client.text += text
    await client.flush()
    await client.pump(quiet=0.5)


async def _stored(work: SharedWork) -> str:
    return await sync_to_async(work_text)(work=work)


async def test_a_writer_lowered_to_reader_is_closed_and_their_next_edits_are_not_stored(
    work: SharedWork, personas: Any
) -> None:
    bob = await _client(work, personas.facilitator)
    await _type(bob, "Avant. ")
    await sync_to_async(participant_invite)(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="reader"
    )
    await bob.pump(quiet=1.0)
    assert bob.closed == consumers.CLOSE_ACCESS_CHANGED
    assert "access changed" in bob.close_reason
    assert bob.denied and "access changed" in bob.denied[0]
    await _type(bob, "Après.")  # sent on the closed socket: handled by no one
    assert await _stored(work) == "Avant. "
    # Reconnecting gives the new role: a reader, whose edit is refused.
    back = await _client(work, personas.facilitator)
    await _type(back, "Encore.")
    assert back.closed == consumers.CLOSE_READ_ONLY
    assert await _stored(work) == "Avant. "


async def test_a_reader_promoted_to_writer_reconnects_and_writes(
    work: SharedWork, personas: Any
) -> None:
    reader = await _client(work, personas.participant)
    await sync_to_async(participant_invite)(
        work=work, actor=personas.org_admin, person=personas.participant, role="writer"
    )
    await reader.pump(quiet=1.0)
    assert reader.closed == consumers.CLOSE_ACCESS_CHANGED
    writer = await _client(work, personas.participant)
    await _type(writer, "Promu.")
    assert writer.closed is None
    await writer.disconnect()
    assert await _stored(work) == "Promu."


async def test_an_erased_account_s_sockets_are_closed(work: SharedWork, personas: Any) -> None:
    bob = await _client(work, personas.facilitator)
    other = await sync_to_async(work_create)(
        actor=personas.facilitator, title="Autre", attached_to=personas.commune
    )
    elsewhere = await _client(other, personas.facilitator)
    alice = await _client(work, personas.org_admin)
    await sync_to_async(person_delete)(person=personas.facilitator, actor=personas.facilitator)
    await bob.pump(quiet=1.0)
    await elsewhere.pump(quiet=0.1)
    assert bob.closed == consumers.CLOSE_ACCESS_CHANGED
    assert elsewhere.closed == consumers.CLOSE_ACCESS_CHANGED
    await _type(bob, "Effacé.")
    assert await _stored(work) == ""
    await alice.pump(quiet=0.1)
    assert alice.closed is None  # the others stay connected
    await alice.disconnect()


async def test_a_deactivated_account_s_sockets_are_closed(work: SharedWork, personas: Any) -> None:
    """As the platform admin's page does: is_active unticked, then the person told."""
    from django.contrib.admin.sites import site

    from maillage.people.models import Person

    bob = await _client(work, personas.facilitator)

    def deactivate() -> None:
        person = Person.objects.get(pk=personas.facilitator.pk)
        admin = site._registry[Person]
        form = type("Form", (), {"changed_data": ["is_active"]})()
        person.is_active = False
        admin.save_model(None, person, form, change=True)

    await sync_to_async(deactivate)()
    await bob.pump(quiet=1.0)
    assert bob.closed == consumers.CLOSE_ACCESS_CHANGED
    back = YClient(work.pk, await session_cookie(personas.facilitator))
    connected, _ = await back.connect()
    assert not connected


async def test_a_new_password_closes_the_sockets_of_the_old_sessions(
    work: SharedWork, personas: Any
) -> None:
    from maillage.people.services import person_set_password

    bob = await _client(work, personas.facilitator)
    await sync_to_async(person_set_password)(
        person=personas.facilitator, actor=personas.facilitator, password="un-nouveau-secret-42"
    )
    await bob.pump(quiet=1.0)
    assert bob.closed == consumers.CLOSE_ACCESS_CHANGED
    # The old session no longer authenticates: the private work refuses the handshake.
    back = YClient(work.pk, bob.cookie)
    connected, _ = await back.connect()
    assert not connected


async def test_a_role_change_on_another_work_leaves_this_socket_open(
    work: SharedWork, personas: Any
) -> None:
    other = await sync_to_async(work_create)(
        actor=personas.org_admin, title="Autre", organization=personas.organization
    )
    bob = await _client(work, personas.facilitator)
    await sync_to_async(participant_invite)(
        work=other, actor=personas.org_admin, person=personas.facilitator, role="reader"
    )
    await bob.pump(quiet=0.5)
    assert bob.closed is None
    await _type(bob, "Toujours là.")
    await bob.disconnect()
    assert await _stored(work) == "Toujours là."


async def test_a_role_changed_around_the_services_is_caught_at_the_next_check(
    work: SharedWork, personas: Any, monkeypatch: Any
) -> None:
    """No message is sent for a change made straight in the database: the periodic check
    refuses the first edit after it."""
    monkeypatch.setattr(consumers, "ROLE_RECHECK_EVERY", 0.0)
    bob = await _client(work, personas.facilitator)
    await _type(bob, "Avant. ")
    await sync_to_async(Participant.objects.filter(work=work, person=personas.facilitator).update)(
        role="reader"
    )
    await _type(bob, "Après.")
    assert bob.closed == consumers.CLOSE_ACCESS_CHANGED
    assert await _stored(work) == "Avant. "


async def test_a_rolled_back_role_change_tells_no_socket(work: SharedWork, personas: Any) -> None:
    from django.db import transaction

    bob = await _client(work, personas.facilitator)

    def change_then_fail() -> None:
        with transaction.atomic():
            participant_invite(
                work=work, actor=personas.org_admin, person=personas.facilitator, role="reader"
            )
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await sync_to_async(change_then_fail)()
    await bob.pump(quiet=0.5)
    assert bob.closed is None
    await bob.disconnect()
