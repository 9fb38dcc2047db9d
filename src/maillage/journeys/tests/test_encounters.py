"""Encounters: offline sync guarantees, places never precise, notes only with consent,
permissions per role, the journey page, and the co-written account when co-writing exists."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from maillage.core.sync import payload_hash
from maillage.journeys.models import Encounter
from maillage.journeys.services import encounter_sync_batch
from maillage.journeys.services.encounters import HASHED_FIELDS
from maillage.journeys.tests.conftest import make_record

URL = "/api/journeys/sync"


def post(client, records):
    return client.post(URL, json.dumps({"records": records}), content_type="application/json")


def test_a_batch_is_recorded_with_one_result_per_record(client_as, personas, journey):
    records = [make_record(journey) for _ in range(3)]
    body = post(client_as("participant"), records).json()
    assert [r["result"] for r in body["results"]] == ["created"] * 3
    assert body["created"] == 3
    row = Encounter.objects.get(client_uuid=records[0]["uuid"])
    assert row.recorded_by == personas.participant
    assert row.themes == ["commerce", "lien social"]
    assert row.consent_notes is True


def test_the_same_batch_sent_three_times_records_each_encounter_once(client_as, journey):
    client = client_as("participant")
    records = [make_record(journey, who=f"Habitant {i}") for i in range(25)]
    ids = [r["id"] for r in post(client, records).json()["results"]]
    for _ in range(2):
        again = post(client, records).json()["results"]
        assert [r["result"] for r in again] == ["duplicate"] * 25
        assert [r["id"] for r in again] == ids
    assert Encounter.objects.count() == 25


def test_the_same_uuid_with_another_payload_is_a_409_and_the_row_is_kept(client_as, journey):
    client = client_as("participant")
    record = make_record(journey)
    post(client, [record])
    result = post(client, [{**record, "who": "Un autre"}]).json()["results"][0]
    assert result["status"] == 409
    assert Encounter.objects.get(client_uuid=record["uuid"]).who == "Une boulangère"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"lat": 47.71234, "lon": 7.31234}, "lat", "never stored"),
        ({"territory": None, "place_name": ""}, "place", "a territory or a place name"),
        ({"territory": 999999}, "territory", "unknown territory"),
        ({"consent": False}, "notes", "consent"),
        ({"met_on": "hier"}, "met_on", "YYYY-MM-DD"),
        ({"met_on": "2020-01-01"}, "met_on", "outside the journey"),
        ({"who": ""}, "who", "without a name"),
        ({"themes": "commerce"}, "themes", "list"),
        ({"uuid": "pas-un-uuid"}, "uuid", "UUID"),
    ],
)
def test_a_bad_record_gets_a_422_naming_the_problem_and_the_good_ones_are_kept(
    client_as, journey, changes, field, words
):
    good = make_record(journey)
    bad = make_record(journey, **changes)
    results = post(client_as("participant"), [good, bad]).json()["results"]
    assert results[0]["result"] == "created"
    assert results[1]["status"] == 422
    assert words in " ".join(results[1]["errors"][field])
    assert Encounter.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"journey": ["a-list"]}, "journey", "unknown journey"),
        ({"journey": {"slug": "x"}}, "journey", "unknown journey"),
        ({"territory": "²"}, "territory", "a territory id"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_422_not_a_server_error(
    client_as, journey, changes, field, words
):
    response = post(client_as("participant"), [make_record(journey, **changes)])
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == 422
    assert words in " ".join(result["errors"][field])


def test_an_encounter_hashes_as_it_did_when_encounters_were_first_synced():
    # Every row stores this digest: another way of computing it would turn the replays of
    # encounters synced before the change into 409 conflicts.
    record = {
        "uuid": "0b8e2f52-6c1d-4d8e-a3f1-5e7c9b2d4a60",
        "journey": "vallee",
        "territory": 3,
        "place_name": "Lavoir",
        "met_on": "2026-05-04",
        "who": "Une boulangère",
        "notes": "Le matin.",
        "consent": True,
        "themes": ["commerce"],
    }
    assert payload_hash(record, HASHED_FIELDS) == (
        "a6d3df5e3842fe498b870cdd26ad4390723f629144382804451df122a3e90085"
    )


def test_an_encounter_without_notes_needs_no_consent(client_as, journey):
    record = make_record(journey, notes="", consent=False)
    assert post(client_as("participant"), [record]).json()["results"][0]["status"] == 201


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 201), ("facilitator", 201), ("field_agent", 403), ("org_admin", 403)],
)
def test_only_walkers_and_facilitators_record_encounters(client_as, journey, role, status):
    result = post(client_as(role), [make_record(journey)]).json()["results"][0]
    assert result["status"] == status


def test_a_visitor_cannot_sync(client, journey):
    assert post(client, [make_record(journey)]).status_code == 401


def test_malformed_json_and_oversized_batches_are_refused(client_as, journey):
    client = client_as("participant")
    assert client.post(URL, "{", content_type="application/json").status_code == 400
    response = post(client, [make_record(journey) for _ in range(501)])
    assert response.status_code == 413
    assert Encounter.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_a_batch_record_each_encounter_exactly_once(personas, journey):
    records = [make_record(journey, who=f"Habitant {i}") for i in range(30)]
    errors: list[BaseException] = []

    def send() -> None:
        try:
            encounter_sync_batch(actor=personas.participant, records=records)
        except BaseException as error:  # noqa: BLE001  reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Encounter.objects.count() == 30


def test_the_page_hides_notes_from_visitors_and_shows_them_to_walkers(client_as, journey):
    post(client_as("participant"), [make_record(journey)])
    public = client_as("visitor").get(journey.get_absolute_url()).content.decode()
    assert "Une boulangère" in public
    assert "tout le village" not in public
    walker = client_as("participant").get(journey.get_absolute_url()).content.decode()
    assert "tout le village" in walker


def test_a_private_journey_is_a_404_for_others(client_as, personas, journey):
    journey.is_public = False
    journey.save(update_fields=["is_public"])
    assert client_as("visitor").get(journey.get_absolute_url()).status_code == 404
    assert client_as("org_admin").get(journey.get_absolute_url()).status_code == 404
    assert client_as("participant").get(journey.get_absolute_url()).status_code == 200


def test_the_online_form_refuses_notes_without_consent(client_as, journey):
    response = client_as("participant").post(
        f"/itinerances/{journey.slug}/rencontres/nouvelle/",
        {
            "met_on": journey.starts_on.isoformat(),
            "place_name": "Halle",
            "who": "Un maraîcher",
            "notes": "Il parle du marché.",
            "themes": "marché",
        },
    )
    assert response.status_code == 422
    assert "consent" in response.content.decode()
    assert not Encounter.objects.exists()


def test_the_account_button_is_hidden_when_co_writing_is_not_installed(
    client_as, journey, monkeypatch
):
    from maillage.journeys import selectors

    monkeypatch.setattr(selectors, "cowriting_installed", lambda: False)
    page = client_as("participant").get(journey.get_absolute_url()).content.decode()
    assert "/recit/" not in page


def test_a_walker_starts_the_co_written_account_with_the_other_walkers(
    client_as, personas, journey
):
    from django.apps import apps

    if not apps.is_installed("maillage.cowriting"):
        pytest.skip("co-writing is not installed")
    from maillage.cowriting.models import Participant
    from maillage.cowriting.services import work_text

    journey.walkers.add(personas.field_agent)
    post(client_as("participant"), [make_record(journey)])
    client = client_as("participant")
    page = client.get(journey.get_absolute_url()).content.decode()
    assert "/recit/" in page
    response = client.post(f"/itinerances/{journey.slug}/recit/")
    assert response.status_code == 302
    from maillage.journeys.selectors import journey_shared_work

    work = journey_shared_work(journey)
    assert response["Location"] == work.get_absolute_url()
    assert set(Participant.objects.filter(work=work).values_list("person_id", flat=True)) == {
        personas.participant.pk,
        personas.field_agent.pk,
    }
    assert "tout le village" in work_text(work=work)
    again = client.post(f"/itinerances/{journey.slug}/recit/")
    assert again["Location"] == work.get_absolute_url()


def test_a_visitor_is_not_shown_a_link_to_a_private_account(client_as, personas, journey):
    from django.apps import apps

    if not apps.is_installed("maillage.cowriting"):
        pytest.skip("co-writing is not installed")
    from maillage.journeys.selectors import journey_shared_work

    post(client_as("participant"), [make_record(journey)])
    client_as("participant").post(f"/itinerances/{journey.slug}/recit/")
    work = journey_shared_work(journey)
    assert not work.is_public
    walker_page = client_as("participant").get(journey.get_absolute_url()).content.decode()
    assert work.get_absolute_url() in walker_page
    visitor_page = client_as("visitor").get(journey.get_absolute_url()).content.decode()
    assert work.get_absolute_url() not in visitor_page


def test_someone_who_did_not_walk_cannot_start_the_account(client_as, journey):
    assert client_as("org_admin").post(f"/itinerances/{journey.slug}/recit/").status_code == 403


def test_the_open_data_of_encounters_has_no_notes_nor_who(client_as, journey):
    from maillage.core.opendata import get_dataset

    post(client_as("participant"), [make_record(journey)])
    rows = list(get_dataset("journey_encounters").iter_rows())
    assert rows[0]["themes"] == "commerce;lien social"
    assert "notes" not in rows[0] and "who" not in rows[0]


def test_a_walker_finds_their_encounters_in_their_data_export(client_as, personas, journey):
    from maillage.people.services import person_export_data

    post(client_as("participant"), [make_record(journey)])
    data = person_export_data(person=personas.participant, actor=personas.participant)
    assert data["journeys"]["walked"] == [journey.title]
    assert data["journeys"]["encounters_recorded"][0]["who"] == "Une boulangère"


UNSTORABLE = "a\ud800b"  # a lone UTF-16 surrogate: valid JSON escapes, not UTF-8
NUL = "a\x00b"  # PostgreSQL refuses NUL in text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"who": UNSTORABLE}, "who"),
        ({"notes": NUL}, "notes"),
        ({"journey": UNSTORABLE}, "journey"),
        ({"themes": ["commerce", NUL]}, "themes[1]"),
        ({UNSTORABLE: "x"}, "a\\ud800b"),
        ({"uuid": NUL}, "uuid"),
    ],
)
def test_a_record_with_text_no_database_can_store_is_refused_alone(
    client_as, journey, changes, field
):
    bad, good = make_record(journey, **changes), make_record(journey)
    response = post(client_as("participant"), [bad, good])
    assert response.status_code == 200
    refused, created = response.json()["results"]
    assert refused["status"] == 422
    assert field in refused["errors"]
    assert "cannot be stored" in refused["message"]
    assert created["result"] == "created"
    assert Encounter.objects.count() == 1
