"""Liveness, readiness and the Prometheus metrics an operator's monitoring reads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from prometheus_client import REGISTRY

from maillage.core.metrics import render

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]
TOKEN = "metrics-token-for-tests-" + "z" * 20  # noqa: S105


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def queue_lag_too_high() -> None:
    raise RuntimeError("the oldest job waits for 900 s")


def test_liveness_answers_without_asking_any_dependency(
    client: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


def test_readiness_checks_database_cache_channel_layer_and_storage(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "storage", "queue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_readiness_names_a_failing_storage_and_pages_that_need_none_still_work(
    client: Any, settings: Any, tmp_path: Path, personas: Any
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("the storage cannot write under a file")
    settings.MEDIA_ROOT = str(not_a_folder / "media")
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "fail"
    assert checks["storage"]["error"]
    assert checks["database"]["status"] == "ok"
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200


def test_an_app_adds_a_readiness_check_through_its_manifest(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = apps.get_app_config("core")
    extra = "maillage.core.tests.test_health_and_metrics:queue_lag_too_high"
    monkeypatch.setattr(core, "readiness_checks", (*core.readiness_checks, extra))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["queue_lag_too_high"] == {
        "status": "fail",
        "error": "RuntimeError",
        "ms": body["checks"]["queue_lag_too_high"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"


def test_metrics_are_not_found_without_an_allowed_address_or_token(
    client: Any, settings: Any
) -> None:
    settings.MAILLAGE_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 404
    settings.MAILLAGE_METRICS_ALLOWED = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1


def test_metrics_are_served_with_the_bearer_token_or_from_an_allowed_network(
    client: Any, settings: Any
) -> None:
    settings.MAILLAGE_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"maillage_http_request_duration_seconds" in response.content
    settings.MAILLAGE_METRICS_TOKEN = ""
    settings.MAILLAGE_METRICS_ALLOWED = ["127.0.0.0/8", "::1"]
    assert client.get("/metrics").status_code == 200


def test_request_latency_is_labelled_by_route_name_never_by_raw_path(
    client: Any, settings: Any, personas: Any
) -> None:
    labels = {"route": "territories:detail", "method": "GET", "status": "2xx"}
    before = REGISTRY.get_sample_value("maillage_http_request_duration_seconds_count", labels) or 0
    path = f"/territoires/{personas.commune.slug}/"
    assert client.get(path).status_code == 200
    after = REGISTRY.get_sample_value("maillage_http_request_duration_seconds_count", labels)
    assert after == before + 1
    settings.MAILLAGE_METRICS_ALLOWED = ["127.0.0.1"]
    text = client.get("/metrics").content.decode()
    assert 'route="territories:detail"' in text
    assert personas.commune.slug not in text
    assert client.get("/nulle-part/42/").status_code == 404
    assert 'route="unmatched"' in client.get("/metrics").content.decode()


WORKER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "maillage.settings"
from maillage.core import metrics
metrics.SYNC_BATCHES.labels("journeys.record").inc(int(sys.argv[1]))
metrics.REQUEST_LATENCY.labels("core:health", "GET", "2xx").observe(0.01)
metrics.WEBSOCKET_CONNECTIONS.inc(3)
print(os.getpid(), flush=True)
sys.stdin.read()  # stays alive, its connections open, until the test closes its input
"""


def test_metrics_add_up_over_worker_processes_and_forget_the_live_gauges_of_dead_ones(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **__import__("os").environ,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "DEBUG": "1",
        "MAILLAGE_DATA_DIR": str(tmp_path),
    }
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", textwrap.dedent(WORKER), str(count)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for count in (2, 5)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip().isdigit()
        text = render(str(folder)).decode()
        assert 'maillage_sync_batches_total{kind="journeys.record"} 7.0' in text
        assert (
            'maillage_http_request_duration_seconds_count{method="GET",route="core:health",status="2xx"} 2.0'
            in text
        )
        assert "maillage_websocket_connections 6.0" in text
        assert workers[0].stdin is not None
        workers[0].stdin.close()
        workers[0].wait(timeout=30)
        text = render(str(folder)).decode()
        assert "maillage_websocket_connections 3.0" in text
        assert 'maillage_sync_batches_total{kind="journeys.record"} 7.0' in text
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def test_readiness_fails_on_a_queue_no_worker_runs_and_metrics_give_its_depth_and_lag(
    client: Any, settings: Any
) -> None:
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from maillage.core.queue import run_periodic

    assert client.get("/readyz").json()["checks"]["queue"]["status"] == "ok"
    run_periodic.enqueue("nothing-to-run")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["status"] == "fail"
    settings.MAILLAGE_METRICS_TOKEN = TOKEN
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "maillage_queue_depth 1.0" in body
    lag = float(body.split("\nmaillage_queue_lag_seconds ")[1].split()[0])
    assert 3590 < lag < 3700
