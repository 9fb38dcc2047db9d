"""Each field-sync batch is counted in the Prometheus metrics, by kind of record."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY

from maillage.consultations.tests.conftest import make_record

pytestmark = pytest.mark.django_db


def test_each_sync_batch_is_counted_by_kind(client_as: Any, personas: Any, campaign: Any) -> None:
    labels = {"kind": "consultations.contribution"}
    before = REGISTRY.get_sample_value("maillage_sync_batches_total", labels) or 0
    client = client_as("field_agent")
    records = [make_record(campaign, personas.site) for _ in range(2)]
    for _ in range(2):
        response = client.post(
            "/api/consultations/sync", {"records": records}, content_type="application/json"
        )
        assert response.status_code == 200
    assert REGISTRY.get_sample_value("maillage_sync_batches_total", labels) == before + 2
