"""The agents' sync API: per-record results, idempotency, bad input, permissions."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

from maillage.consultations.models import Contribution
from maillage.consultations.services import contribution_sync_batch
from maillage.consultations.services.contributions import HASHED_FIELDS
from maillage.consultations.tests.conftest import make_record
from maillage.core.sync import payload_hash

URL = "/api/consultations/sync"


def post(client: Any, records: Any, **extra: Any) -> Any:
    body = records if isinstance(records, str | bytes) else json.dumps({"records": records})
    return client.post(URL, body, content_type="application/json", **extra)


def test_a_valid_batch_is_recorded_with_one_result_per_record(client_as, personas, campaign):
    client = client_as("field_agent")
    records = [make_record(campaign, personas.site) for _ in range(3)]
    response = post(client, records)
    assert response.status_code == 200
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["created"] * 3
    assert [r["uuid"] for r in body["results"]] == [r["uuid"] for r in records]
    assert body["created"] == 3
    row = Contribution.objects.get(client_uuid=records[0]["uuid"])
    assert row.agent == personas.field_agent
    assert row.source == "field"
    assert row.status == "pending"
    assert row.answers == {"calm": 4, "moment": "Soir", "uses": ["Lire", "Marcher"]}


def test_the_same_batch_sent_three_times_records_each_record_once(client_as, personas, campaign):
    client = client_as("field_agent")
    records = [make_record(campaign, personas.site, text=f"Idée {i}") for i in range(20)]
    first = post(client, records).json()
    ids = [r["id"] for r in first["results"]]
    for _ in range(2):
        again = post(client, records).json()
        assert [r["result"] for r in again["results"]] == ["duplicate"] * 20
        assert [r["id"] for r in again["results"]] == ids
    assert Contribution.objects.count() == 20


def test_the_same_uuid_with_another_payload_is_a_409_and_the_row_is_kept(
    client_as, personas, campaign
):
    client = client_as("field_agent")
    record = make_record(campaign, personas.site)
    post(client, [record])
    changed = {**record, "text": "Un tout autre texte"}
    result = post(client, [changed]).json()["results"][0]
    assert result["status"] == 409
    assert result["result"] == "conflict"
    assert "different contribution" in result["message"]
    assert Contribution.objects.get(client_uuid=record["uuid"]).text == record["text"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"text": ""}, "text", "empty"),
        ({"text": "   "}, "text", "empty"),
        ({"text": "x" * 5001}, "text", "5000"),
        ({"site": 999999}, "site", "unknown site"),
        ({"answers": {"calm": 9}}, "answers", "between 1 and 5"),
        ({"answers": {"nope": 1}}, "answers", "unknown question"),
        ({"relation": "owner"}, "relation", "relation must be"),
        ({"consent": "yes"}, "consent", "true or false"),
        ({"captured_at": "hier"}, "captured_at", "ISO 8601"),
        ({"contact_email": "pas-un-email"}, "contact_email", "not valid"),
    ],
)
def test_a_bad_record_gets_a_422_naming_the_problem_and_the_good_ones_are_kept(
    client_as, personas, campaign, changes, field, words
):
    client = client_as("field_agent")
    good = make_record(campaign, personas.site)
    bad = make_record(campaign, personas.site, **changes)
    results = post(client, [good, bad]).json()["results"]
    assert results[0]["result"] == "created"
    assert results[1]["status"] == 422
    assert words in " ".join(results[1]["errors"][field])
    assert list(Contribution.objects.values_list("client_uuid", flat=True)) == [
        __import__("uuid").UUID(good["uuid"])
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"campaign": ["a-list"]}, "campaign", "unknown campaign"),
        ({"campaign": {"slug": "x"}}, "campaign", "unknown campaign"),
        ({"site": "²"}, "site", "the site is missing"),
        ({"answers": {"calm": "²"}}, "answers", "must be an integer"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_422_not_a_server_error(
    client_as, personas, campaign, changes, field, words
):
    response = post(client_as("field_agent"), [make_record(campaign, personas.site, **changes)])
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == 422
    assert words in " ".join(result["errors"][field])


def test_a_record_hashes_as_it_did_when_records_were_first_synced():
    # Every row stores this digest: another way of computing it would turn the replays of
    # records synced before the change into 409 conflicts.
    record = {
        "uuid": "d7f6c1de-3c1b-4f7e-9a8e-0c2f1b5a6e71",
        "campaign": "berges",
        "site": 12,
        "text": "Plus de bancs à l’ombre",
        "answers": {"calm": 4, "uses": ["Lire"]},
        "age_band": "30_44",
        "relation": "lives",
        "consent": True,
        "captured_at": "2026-05-04T10:00:00+02:00",
        "contact_email": "",
    }
    assert payload_hash(record, HASHED_FIELDS) == (
        "a061445af7d13e0467a35bb082ab52b8415a886461af3ce93b5c6559d8c5e0be"
    )


def test_a_text_of_exactly_5000_characters_is_accepted(client_as, personas, campaign):
    result = post(client_as("field_agent"), [make_record(campaign, personas.site, text="é" * 5000)])
    assert result.json()["results"][0]["result"] == "created"


def test_a_site_outside_the_campaign_is_refused(client_as, personas, campaign, outside_site):
    result = post(client_as("field_agent"), [make_record(campaign, outside_site)]).json()
    assert result["results"][0]["status"] == 422
    assert "not one of the sites of this campaign" in result["results"][0]["errors"]["site"][0]


def test_a_closed_campaign_refuses_new_records_but_acknowledges_replays(
    client_as, personas, campaign
):
    client = client_as("field_agent")
    synced = make_record(campaign, personas.site)
    post(client, [synced])
    campaign.status = "closed"
    campaign.save(update_fields=["status"])
    late = make_record(campaign, personas.site)
    results = post(client, [synced, late]).json()["results"]
    assert results[0]["result"] == "duplicate"
    assert results[1]["status"] == 422
    assert "closed" in results[1]["errors"]["campaign"][0]


def test_an_unknown_campaign_or_a_missing_uuid_is_a_422(client_as, personas, campaign):
    results = post(
        client_as("field_agent"),
        [
            make_record(campaign, personas.site, campaign="nope"),
            make_record(campaign, personas.site, uuid="x"),
            7,
        ],
    ).json()["results"]
    assert [r["status"] for r in results] == [422, 422, 422]


def test_an_agent_not_on_the_team_gets_a_403_per_record(client_as, personas, campaign):
    campaign.team.clear()
    result = post(client_as("field_agent"), [make_record(campaign, personas.site)]).json()
    assert result["results"][0]["status"] == 403
    assert "team" in result["results"][0]["message"]
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("participant", False),
        ("org_admin", False),
        ("field_agent", True),
        ("facilitator", True),
        ("territory_admin", True),
        ("platform_admin", True),
    ],
)
def test_who_may_sync(client_as, personas, campaign, role, allowed):
    result = post(client_as(role), [make_record(campaign, personas.site)]).json()
    assert (result["results"][0]["status"] == 201) is allowed


def test_a_visitor_cannot_sync(client_as, personas, campaign):
    assert post(client_as("visitor"), [make_record(campaign, personas.site)]).status_code == 401


def test_malformed_json_is_a_400_with_a_clear_message(client_as, campaign):
    response = post(client_as("field_agent"), '{"records": [')
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["detail"]
    response = post(client_as("field_agent"), "[1, 2]")
    assert response.status_code == 400
    assert '"records"' in response.json()["detail"]


def test_a_batch_over_500_records_is_a_413_naming_the_limit(client_as, personas, campaign):
    records = [make_record(campaign, personas.site) for _ in range(501)]
    response = post(client_as("field_agent"), records)
    assert response.status_code == 413
    assert response.json()["limit"] == 500
    assert "500" in response.json()["detail"]
    assert Contribution.objects.count() == 0


def test_a_bearer_token_syncs_without_a_session_or_csrf(personas, campaign):
    from maillage.people.services import api_token_create

    _, key = api_token_create(
        person=personas.field_agent, actor=personas.field_agent, name="phone", scope="write"
    )
    client = Client(enforce_csrf_checks=True)
    response = post(
        client, [make_record(campaign, personas.site)], HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_a_session_without_csrf_token_is_refused(personas, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.field_agent, backend="maillage.people.backends.EmailBackend")
    response = post(client, [make_record(campaign, personas.site)])
    assert response.status_code in (401, 403)
    assert Contribution.objects.count() == 0


def _sync_waiting_for_locks(personas: Any, records: list) -> list:
    """Sync, retrying while SQLite's in-memory test database reports a locked table.

    The test database of SQLite is in memory with a shared cache, where a lock fails at once
    instead of waiting like the file database does (busy_timeout); PostgreSQL never needs this.
    """
    for _ in range(200):
        try:
            return contribution_sync_batch(actor=personas.field_agent, records=records)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.02)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_batches_record_each_record_exactly_once(personas, campaign):
    records = [make_record(campaign, personas.site, text=f"Idée {i}") for i in range(30)]
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        try:
            barrier.wait()
            outcomes.append([r.result for r in _sync_waiting_for_locks(personas, records)])
        except BaseException as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Contribution.objects.count() == 30
    # Across the four batches, each record was created once and acknowledged three times.
    for index in range(30):
        column = sorted(outcome[index] for outcome in outcomes)
        assert column == ["created", "duplicate", "duplicate", "duplicate"]


@pytest.mark.parametrize(
    "changes",
    [
        {"text": "Plus de bancs\ud800"},
        {"answers": {"calm\x00": 4}},
        {"campaign": "place\x00"},
        {"answers": {"uses": ["Lire", "Mar\udfffcher"]}},
    ],
)
def test_a_record_with_text_no_database_can_store_is_refused_alone(
    client_as, personas, campaign, changes
):
    records = [
        make_record(campaign, personas.site, **changes),
        make_record(campaign, personas.site),
    ]
    response = post(client_as("field_agent"), records)
    assert response.status_code == 200
    refused, created = response.json()["results"]
    assert (refused["status"], refused["result"]) == (422, "invalid")
    assert "cannot be stored" in refused["message"]
    assert created["result"] == "created"
    assert Contribution.objects.count() == 1
