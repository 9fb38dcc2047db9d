"""Exchanges: recorded by a member of either organization, else 403; feedback per side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.organizations.models import Membership
from maillage.pooling.models import Exchange
from maillage.pooling.services import exchange_confirm, exchange_give_feedback, exchange_record


def record(actor, giver, receiver, **changes):
    fields = {"what": "Deux jours de prêt de la salle", "happened_on": dt.date(2026, 1, 15)}
    fields.update(changes)
    return exchange_record(actor=actor, giver=giver, receiver=receiver, **fields)


def test_a_member_of_the_giver_records_an_exchange_with_their_feedback(personas, partner):
    exchange = record(
        personas.org_admin, personas.organization, partner, duration_hours=16, feedback="Ravis"
    )
    assert exchange.giver_feedback == "Ravis"
    assert exchange.receiver_feedback == ""
    assert exchange.duration_hours == 16


def test_a_member_of_the_receiver_may_record_it_too(personas, partner):
    exchange = record(personas.org_admin, partner, personas.organization, feedback="Merci")
    assert exchange.receiver_feedback == "Merci"


@pytest.mark.parametrize(
    "role", ["participant", "field_agent", "facilitator", "territory_admin", "platform_admin"]
)
def test_someone_in_neither_organization_cannot_record_an_exchange(
    personas, partner, outsider_org, role
):
    with pytest.raises(PermissionDenied):
        record(personas.by_role(role), partner, outsider_org)
    assert not Exchange.objects.exists()


def test_the_api_answers_403_to_someone_in_neither_organization(
    client_as, personas, partner, outsider_org
):
    response = client_as("org_admin").post(
        "/api/pooling/exchanges",
        {
            "giver": partner.slug,
            "receiver": outsider_org.slug,
            "what": "Un atelier",
            "happened_on": "2026-01-10",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def test_the_exchange_page_answers_403_to_someone_in_neither_organization(
    client_as, partner, outsider_org
):
    response = client_as("participant").post(
        "/mutualisation/echanges/nouveau/",
        {
            "giver": partner.pk,
            "receiver": outsider_org.pk,
            "what": "Un atelier",
            "happened_on": "2026-01-10",
        },
    )
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def test_an_organization_does_not_exchange_with_itself(personas):
    with pytest.raises(ValidationError) as error:
        record(personas.org_admin, personas.organization, personas.organization)
    assert "receiver" in error.value.message_dict


def test_an_exchange_in_the_future_is_refused(personas, partner):
    with pytest.raises(ValidationError) as error:
        record(
            personas.org_admin,
            personas.organization,
            partner,
            happened_on=dt.date.today() + dt.timedelta(days=3),
        )
    assert "happened_on" in error.value.message_dict


def test_each_side_writes_only_its_own_feedback(personas, partner):
    exchange = record(personas.org_admin, personas.organization, partner)
    with pytest.raises(PermissionDenied):
        exchange_give_feedback(
            exchange=exchange, actor=personas.org_admin, side="receiver", text="Top"
        )
    member = personas.participant
    Membership.objects.create(person=member, organization=partner)
    exchange_give_feedback(exchange=exchange, actor=member, side="receiver", text="Top")
    exchange.refresh_from_db()
    assert exchange.receiver_feedback == "Top"


def test_the_history_page_shows_exchanges_given_and_received_and_partners(
    client, personas, partner, partner_member, outsider_org
):
    for exchange in (
        record(personas.org_admin, personas.organization, partner, what="Salle prêtée"),
        record(personas.org_admin, partner, personas.organization, what="Découpe laser"),
    ):
        exchange_confirm(exchange=exchange, actor=partner_member)
    page = client.get(f"/mutualisation/organisations/{personas.organization.slug}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Salle prêtée" in text and "Découpe laser" in text
    assert page.context["given"] == 1 and page.context["received"] == 1
    assert page.context["partners"] == [{"name": "Fablab Test", "slug": partner.slug, "count": 2}]


def test_the_open_data_of_exchanges_names_organizations_only(personas, partner, partner_member):
    from maillage.core.opendata import get_dataset
    from maillage.people.services import person_export_data

    exchange_confirm(
        exchange=record(
            personas.org_admin, personas.organization, partner, feedback="Merci à Jean Dupont"
        ),
        actor=partner_member,
    )
    rows = list(get_dataset("pooling_exchanges").iter_rows())
    assert rows[0]["giver"] == personas.organization.slug
    assert "Dupont" not in str(rows) and "orgadmin" not in str(rows)
    exported = person_export_data(person=personas.org_admin, actor=personas.org_admin)
    assert exported["pooling"]["exchanges_recorded"][0]["receiver"] == "Fablab Test"
