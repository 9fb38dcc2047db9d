"""Contributions left with an email reach an account's data export only once it is verified."""

from __future__ import annotations

import json

import pytest

from maillage.consultations import services
from maillage.consultations.tests.conftest import make_record
from maillage.people.models import Person

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_a_squatter_of_an_unverified_address_gets_no_contribution_left_with_it(
    client, personas, campaign
) -> None:
    record = make_record(
        campaign, personas.site, contact_email="habitante@example.org", consent=False
    )
    services.contribution_sync_batch(actor=personas.field_agent, records=[record])
    squatter = Person.objects.create_user(
        "habitante@example.org", PASSWORD, display_name="Squat", email_verified=False
    )
    client.force_login(squatter)
    data = json.loads(client.get("/compte/mes-donnees.json").content)
    assert data["consultations"] == []


def test_the_owner_of_a_verified_address_gets_her_contributions(client, personas, campaign) -> None:
    record = make_record(campaign, personas.site, contact_email="Habitante@example.org")
    services.contribution_sync_batch(actor=personas.field_agent, records=[record])
    owner = Person.objects.create_user("habitante@example.org", PASSWORD, display_name="H")
    client.force_login(owner)
    data = json.loads(client.get("/compte/mes-donnees.json").content)
    assert [c["text"] for c in data["consultations"]] == [record["text"]]
