"""Readiness checks: can this process serve, and which dependency stops it?

Each check is a function that returns normally when its dependency answers and raises
otherwise. The foundation's are below; an app adds its own (the task queue its lag, say) by
naming them in its AppConfig's ``readiness_checks`` (see ``core.capabilities``). The check's
name in the ``/readyz`` answer is the function's name.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# One slow dependency must not hold a load balancer's probe past its own timeout.
CHANNEL_LAYER_TIMEOUT = 2.0


def database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def cache() -> None:
    from django.core.cache import cache as default_cache

    key = f"maillage:readyz:{uuid.uuid4().hex}"
    default_cache.set(key, "ok", timeout=10)
    try:
        if default_cache.get(key) != "ok":
            raise RuntimeError("the cache did not return what was written")
    finally:
        default_cache.delete(key)


def channel_layer() -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "readyz.probe"})
        message = await asyncio.wait_for(layer.receive(channel), CHANNEL_LAYER_TIMEOUT)
        if message.get("type") != "readyz.probe":
            raise RuntimeError("the channel layer returned another message")

    async_to_sync(round_trip)()


def storage() -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def queue() -> None:
    """Fail when the oldest ready task has waited longer than ``MAILLAGE_QUEUE_MAX_LAG_SECONDS``:
    no worker runs, or too few for the load."""
    from django.conf import settings

    from maillage.core.queue import queue_lag_seconds

    lag = queue_lag_seconds()
    if lag > settings.MAILLAGE_QUEUE_MAX_LAG_SECONDS:
        raise RuntimeError(f"the oldest ready task has waited {lag:.0f} s")


def readiness_checks() -> list[Callable[[], None]]:
    """Return every installed app's readiness checks, foundation first."""
    from maillage.core.capabilities import configs, resolve

    return [resolve(path) for config in configs() for path in config.readiness_checks]


def run_checks() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check; return whether all passed and each one's status and duration."""
    results: dict[str, dict[str, Any]] = {}
    for check in readiness_checks():
        began = time.perf_counter()
        try:
            check()
        except Exception as error:  # noqa: BLE001 — any failure makes the dependency not ready
            # The answer may be public: it names the error's kind; the log has the details.
            logger.warning("readiness: %s failed: %s", check.__name__, error)
            result: dict[str, Any] = {"status": "fail", "error": type(error).__name__}
        else:
            result = {"status": "ok"}
        result["ms"] = round((time.perf_counter() - began) * 1000, 1)
        results[check.__name__] = result
    return all(r["status"] == "ok" for r in results.values()), results
