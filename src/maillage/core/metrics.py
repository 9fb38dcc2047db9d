"""Prometheus metrics, served at ``/metrics`` to the addresses or the token the operator allows.

Under several uvicorn workers each process keeps its own numbers: with
``PROMETHEUS_MULTIPROC_DIR`` set (``maillage serve --workers N`` sets it to a fresh folder
when it is not), each writes them to files there and ``/metrics`` adds them up, whichever
worker answers. Live gauges (websocket rooms and connections) count only live processes: the
files of a worker that died are dropped at the next scrape.

Labels are bounded: a route is the resolver's view name (``consultations:campaign``), never the
raw path, whose ids would make a series per object.
"""

from __future__ import annotations

import glob
import hmac
import ipaddress
import os
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_LATENCY = Histogram(
    "maillage_http_request_duration_seconds",
    "Time from the first middleware to the response, by route (view name), method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKET_CONNECTIONS = Gauge(
    "maillage_websocket_connections",
    "Open co-writing websocket connections.",
    multiprocess_mode="livesum",
)
WEBSOCKET_ROOMS = Gauge(
    "maillage_websocket_rooms",
    "Co-writing rooms (works with at least one connection) open in the processes.",
    multiprocess_mode="livesum",
)
SYNC_BATCHES = Counter(
    "maillage_sync_batches",
    "Field-sync batches recorded, by kind of record.",
    ["kind"],
)

TASK_DURATION = Histogram(
    "maillage_task_duration_seconds",
    "Time a queue task ran, by task and outcome (ok, retried, failed).",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600),
)

_LIVE_FILE = re.compile(r"gauge_live\w*_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def render(multiproc_dir: str | None = None) -> bytes:
    """Return the metrics in Prometheus' text format, added up over processes in multiprocess mode."""
    path = multiproc_dir or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return generate_latest(REGISTRY)
    for name in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        match = _LIVE_FILE.search(name)
        if match and not _alive(int(match.group(1))):
            multiprocess.mark_process_dead(int(match.group(1)), path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)
    return generate_latest(registry)


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "MAILLAGE_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    from maillage.core.ratelimit import client_ip

    networks = getattr(settings, "MAILLAGE_METRICS_ALLOWED", [])
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def queue_metrics() -> bytes:
    """Return the queue's depth and lag, read from the database when scraped (one query each)."""
    from maillage.core.queue import queue_depth, queue_lag_seconds

    registry = CollectorRegistry()
    Gauge("maillage_queue_depth", "Tasks ready to run now.", registry=registry).set(queue_depth())
    Gauge(
        "maillage_queue_lag_seconds",
        "How long the oldest ready task has waited.",
        registry=registry,
    ).set(queue_lag_seconds())
    return generate_latest(registry)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        # 404, not 403: the endpoint's existence is nobody else's business.
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    return HttpResponse(render() + queue_metrics(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Observe each request's latency under its route name (first in the chain: it sees all)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        REQUEST_LATENCY.labels(
            route, request.method or "", f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - began)
        return response
