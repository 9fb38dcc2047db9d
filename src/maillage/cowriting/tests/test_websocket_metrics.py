"""The websocket gauges follow the co-writing connections and rooms of the process."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from django.db import connections
from django.test import override_settings
from prometheus_client import REGISTRY

from maillage.cowriting import rooms
from maillage.cowriting.models import SharedWork
from maillage.cowriting.services import participant_invite, work_create
from maillage.cowriting.tests.yclient import YClient, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture(autouse=True)
async def _fresh_rooms() -> Any:
    with override_settings(
        CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    ):
        await rooms.reset()
        yield
        await rooms.reset()
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def works(personas: Any) -> list[SharedWork]:
    found = []
    for title in ("Récit", "Charte"):
        work = work_create(
            actor=personas.org_admin, title=title, organization=personas.organization
        )
        participant_invite(
            work=work, actor=personas.org_admin, person=personas.facilitator, role="writer"
        )
        found.append(work)
    return found


def _gauge(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def _connect(work: SharedWork, person: Any) -> YClient:
    client = YClient(work.pk, await session_cookie(person))
    connected, code = await client.connect()
    assert connected, code
    await client.pump()
    return client


async def test_connections_and_rooms_are_counted_up_and_down(
    works: list[SharedWork], personas: Any
) -> None:
    connections_before = _gauge("maillage_websocket_connections")
    first = await _connect(works[0], personas.org_admin)
    second = await _connect(works[0], personas.facilitator)
    third = await _connect(works[1], personas.facilitator)
    assert _gauge("maillage_websocket_connections") == connections_before + 3
    assert _gauge("maillage_websocket_rooms") == 2
    await third.disconnect()  # returns once the consumer's disconnect has run
    assert _gauge("maillage_websocket_connections") == connections_before + 2
    assert _gauge("maillage_websocket_rooms") == 1
    for client in (first, second):
        await client.disconnect()
    assert _gauge("maillage_websocket_connections") == connections_before
    assert _gauge("maillage_websocket_rooms") == 0
