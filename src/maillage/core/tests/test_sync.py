"""The shared offline-sync protocol's pieces that need no capability (the batches themselves are
tested through the field sync of consultations and the encounters of journeys)."""

from __future__ import annotations

import pytest

from maillage.core.storable import unstorable_field
from maillage.core.sync import Refusal, parse_uuid, payload_hash

UUID = "d7f6c1de-3c1b-4f7e-9a8e-0c2f1b5a6e71"


@pytest.mark.parametrize(
    "spelling", [UUID, UUID.upper(), UUID.replace("-", ""), "{" + UUID + "}", f"urn:uuid:{UUID}"]
)
def test_a_uuid_is_read_in_any_of_its_spellings(spelling):
    assert parse_uuid(spelling) == UUID


@pytest.mark.parametrize("value", [None, "", "x", 7, [UUID], {"uuid": UUID}, UUID[:-1]])
def test_anything_else_is_not_a_uuid(value):
    assert parse_uuid(value) is None


def test_the_payload_hash_reads_only_the_defining_fields_in_any_order():
    record = {"text": "Des bancs", "site": 3, "uuid": UUID}
    same = {"site": 3, "text": "Des bancs", "uuid": "another", "photo": "ignored"}
    assert payload_hash(record, ("text", "site")) == payload_hash(same, ("site", "text"))
    assert payload_hash(record, ("text", "site")) != payload_hash(
        {**record, "site": "3"}, ("text", "site")
    )


def test_a_refusal_names_the_field_of_an_unknown_parent_and_nothing_for_a_forbidden_one():
    unknown = Refusal.unknown("campaign", "unknown campaign 'x'").result(UUID)
    assert (unknown.status, unknown.result) == (422, "invalid")
    assert unknown.errors == {"campaign": ["unknown campaign 'x'"]}
    forbidden = Refusal.forbidden("you are not on the team").result(UUID)
    assert (forbidden.status, forbidden.result, forbidden.errors) == (403, "forbidden", {})


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"text": "ok", "notes": "bad\x00"}, "notes"),
        ({"answers": {"uses": ["Lire", "x\udc80"]}}, "answers.uses[1]"),
        ({"k\ud800": 1}, "k\\ud800"),
    ],
)
def test_the_first_field_no_database_can_store_is_named(record, field):
    assert unstorable_field(record) == field


def test_text_any_database_stores_is_accepted_whatever_its_script():
    assert unstorable_field({"text": "Crèche 🌳 مرحبا 你好", "n": 3, "l": [None, 1.5]}) is None
