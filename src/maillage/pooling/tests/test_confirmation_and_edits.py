"""An exchange counts once the other side confirms it; offers and needs are edited and withdrawn
by their organization's members, in the pages and the API; every write checked per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from maillage.conftest import ROLES
from maillage.organizations.models import Membership
from maillage.pooling.mesh import exchange_links
from maillage.pooling.models import Exchange
from maillage.pooling.services import exchange_confirm, exchange_record
from maillage.pooling.tests.conftest import TODAY, listing

DAY = TODAY - dt.timedelta(days=3)


def _record(personas, partner, **changes):
    fields = {"what": "Prêt de la découpeuse laser", "happened_on": DAY}
    fields.update(changes)
    return exchange_record(
        actor=personas.org_admin, giver=partner, receiver=personas.organization, **fields
    )


def test_an_exchange_recorded_by_one_side_waits_and_counts_nowhere(
    client, personas, partner, django_capture_on_commit_callbacks
):
    from maillage.core.opendata import get_dataset

    with django_capture_on_commit_callbacks(execute=True):
        exchange = _record(personas, partner)
    assert not exchange.is_confirmed and exchange.confirming_side == "giver"
    assert not list(get_dataset("pooling_exchanges").iter_rows())
    assert exchange_links() == []
    assert client.get("/api/pooling/exchanges").json()["items"] == []
    history = client.get(f"/mutualisation/organisations/{partner.slug}/")
    assert "découpeuse" not in history.content.decode()
    assert history.context["given"] == 0
    # The partner has no member to tell: nobody gets an email.
    assert mail.outbox == []


def test_the_other_side_is_told_and_its_confirmation_makes_it_count(
    client, personas, partner, partner_member, django_capture_on_commit_callbacks
):
    from maillage.core.opendata import get_dataset

    with django_capture_on_commit_callbacks(execute=True):
        exchange = _record(personas, partner)
    assert [m.to for m in mail.outbox] == [[partner_member.email]]
    assert f"/mutualisation/organisations/{partner.slug}/" in mail.outbox[0].body
    exchange_confirm(exchange=exchange, actor=partner_member, feedback="Avec plaisir")
    exchange.refresh_from_db()
    assert exchange.is_confirmed and exchange.giver_feedback == "Avec plaisir"
    assert [row["id"] for row in get_dataset("pooling_exchanges").iter_rows()] == [exchange.pk]
    assert len(exchange_links()) == 1
    assert client.get("/api/pooling/exchanges").json()["items"][0]["confirmed"] is True


def test_someone_in_both_organizations_records_a_confirmed_exchange(personas, partner):
    Membership.objects.create(person=personas.org_admin, organization=partner)
    assert _record(personas, partner).is_confirmed


@pytest.mark.parametrize("role", [*ROLES, "recording_side", "third_organization"])
def test_only_the_awaited_side_may_confirm(
    client_as, personas, partner, partner_member, outsider_org, role
):
    exchange = _record(personas, partner)
    if role == "recording_side":
        client = client_as("org_admin")
    elif role == "third_organization":
        client = client_as("participant")
        Membership.objects.create(person=personas.participant, organization=outsider_org)
    else:
        client = client_as(role)
    api = client.post(
        f"/api/pooling/exchanges/{exchange.pk}/confirm", {}, content_type="application/json"
    )
    page = client.post(f"/mutualisation/echanges/{exchange.pk}/confirmer/")
    assert api.status_code == (401 if role == "visitor" else 403)
    assert page.status_code == (302 if role == "visitor" else 403)
    exchange.refresh_from_db()
    assert not exchange.is_confirmed


def test_the_awaited_side_confirms_in_the_page_with_its_feedback(
    client_as, personas, partner, partner_member
):
    exchange = _record(personas, partner)
    own_side = client_as("org_admin").get(
        f"/mutualisation/organisations/{personas.organization.slug}/"
    )
    assert "En attente de la confirmation de Fablab Test" in own_side.content.decode()
    assert "Confirmer cet échange" not in own_side.content.decode()
    client = client_as("visitor")
    client.force_login(partner_member)
    history = client.get(f"/mutualisation/organisations/{partner.slug}/").content.decode()
    assert "Confirmer cet échange" in history
    response = client.post(
        f"/mutualisation/echanges/{exchange.pk}/confirmer/", {"feedback": "Merci !"}, follow=True
    )
    assert "il compte désormais pour les deux" in response.content.decode()
    exchange.refresh_from_db()
    assert exchange.is_confirmed and exchange.giver_feedback == "Merci !"
    again = client.post(
        f"/api/pooling/exchanges/{exchange.pk}/confirm",
        {},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 422


def test_pending_exchanges_are_shown_only_to_members_of_the_two_sides(client_as, personas, partner):
    _record(personas, partner)
    for role in ("visitor", "participant", "platform_admin"):
        page = client_as(role).get(f"/mutualisation/organisations/{partner.slug}/")
        assert "découpeuse" not in page.content.decode()
    assert (
        client_as("participant")
        .get(f"/api/pooling/exchanges/pending?organization={personas.organization.slug}")
        .status_code
        == 403
    )
    pending = client_as("org_admin").get(
        f"/api/pooling/exchanges/pending?organization={personas.organization.slug}"
    )
    assert [e["what"] for e in pending.json()] == ["Prêt de la découpeuse laser"]


def test_the_receiving_side_gives_its_feedback_in_the_api_and_only_its_own(
    client_as, personas, partner
):
    exchange = _record(personas, partner)
    client = client_as("org_admin")
    url = f"/api/pooling/exchanges/{exchange.pk}/feedback"
    wrong = client.post(url, {"side": "giver", "text": "x"}, content_type="application/json")
    assert wrong.status_code == 403
    right = client.post(
        url, {"side": "receiver", "text": "Très utile"}, content_type="application/json"
    )
    assert right.status_code == 200 and right.json()["receiver_feedback"] == "Très utile"
    assert client_as("visitor").post(url, {"side": "receiver", "text": "x"}).status_code == 401


def test_the_exchange_form_preselects_the_persons_organization_and_groups_offers_by_name(
    client_as, personas, partner
):
    offer = listing("offer", personas.platform_admin, partner, personas.commune)
    client = client_as("org_admin")
    blank = client.get("/mutualisation/echanges/nouveau/").context["form"]
    assert blank.initial["giver"] == personas.organization.pk
    from_offer = client.get(f"/mutualisation/echanges/nouveau/?giver={partner.pk}&offer={offer.pk}")
    form = from_offer.context["form"]
    assert form.initial["receiver"] == personas.organization.pk
    assert ("Fablab Test", [(offer.pk, offer.title)]) in form.fields["offer"].choices
    assert '<optgroup label="Fablab Test">' in from_offer.content.decode()


def test_the_listing_form_preselects_the_only_organization(client_as, personas):
    form = client_as("org_admin").get("/mutualisation/offres/nouvelle/").context["form"]
    assert form.initial["organization"] == personas.organization.pk


@pytest.mark.parametrize("role", ROLES)
def test_only_members_of_its_organization_edit_and_withdraw_an_offer(client_as, personas, role):
    offer = listing("offer", personas.org_admin, personas.organization, personas.commune)
    client = client_as(role)
    data = {
        "category": "equipment",
        "title": "Prêt de deux imprimantes 3D",
        "description": "",
        "available_from": TODAY.isoformat(),
        "available_until": (TODAY + dt.timedelta(days=30)).isoformat(),
        "conditions": "free",
        "territory": personas.commune.pk,
    }
    edit = client.post(f"/mutualisation/offres/{offer.pk}/modifier/", data)
    api = client.patch(
        f"/api/pooling/offers/{offer.pk}",
        {"conditions": "exchange"},
        content_type="application/json",
    )
    withdraw = client.post(f"/api/pooling/offers/{offer.pk}/withdraw")
    offer.refresh_from_db()
    may = role in ("org_admin", "platform_admin")
    assert (offer.title == "Prêt de deux imprimantes 3D") is may
    assert (offer.conditions == "exchange") is may
    assert offer.is_active is not may
    if may:
        assert (edit.status_code, api.status_code, withdraw.status_code) == (302, 200, 200)
    elif role == "visitor":
        assert (edit.status_code, api.status_code, withdraw.status_code) == (302, 401, 401)
    else:
        assert (edit.status_code, api.status_code, withdraw.status_code) == (403, 403, 403)


def test_a_need_is_withdrawn_from_the_directory_and_published_again(client_as, personas):
    need = listing(
        "need", personas.org_admin, personas.organization, personas.commune, title="Des chaises"
    )
    client = client_as("org_admin")
    client.post(f"/mutualisation/besoins/{need.pk}/retrait/", {"active": "0"})
    assert need.title not in client.get("/mutualisation/?kind=need").content.decode()
    client.post(f"/mutualisation/besoins/{need.pk}/retrait/", {"active": "1"})
    assert need.title in client.get("/mutualisation/?kind=need").content.decode()


def test_withdrawing_an_offer_of_a_pending_exchange_keeps_the_exchange_and_says_so(
    client_as, personas, partner, partner_member
):
    offer = listing("offer", personas.org_admin, personas.organization, personas.commune)
    exchange = exchange_record(
        actor=personas.org_admin,
        giver=personas.organization,
        receiver=partner,
        what="Impressions",
        happened_on=DAY,
        offer=offer,
    )
    page = client_as("org_admin").post(
        f"/mutualisation/offres/{offer.pk}/retrait/", {"active": "0"}, follow=True
    )
    text = page.content.decode()
    assert "Fablab Test" in text and "est conservé" in text
    offer.refresh_from_db()
    assert not offer.is_active
    exchange_confirm(exchange=exchange, actor=partner_member)
    exchange.refresh_from_db()
    assert exchange.offer_id == offer.pk and exchange.is_confirmed


def test_a_bad_edit_names_the_field_in_french_and_english(client_as, personas):
    offer = listing("offer", personas.org_admin, personas.organization, personas.commune)
    response = client_as("org_admin").patch(
        f"/api/pooling/offers/{offer.pk}",
        {"available_until": (TODAY - dt.timedelta(days=400)).isoformat()},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "before it starts" in response.json()["detail"]["available_until"][0]
    from maillage.pooling.services import listing_update

    with pytest.raises(ValidationError) as error, translation.override("fr"):
        listing_update(listing=offer, actor=personas.org_admin, title=" ")
    assert "titre" in error.value.message_dict["title"][0]
    with pytest.raises(PermissionDenied):
        listing_update(listing=offer, actor=personas.participant, title="Volé")
    offer.refresh_from_db()
    assert offer.title == "Prêt d'une imprimante 3D"
    assert Exchange.objects.count() == 0


@pytest.mark.parametrize("role", [*ROLES, "recording_side", "third_organization", "awaited"])
def test_only_the_awaited_side_may_decline_and_the_recorder_is_told(
    client_as,
    personas,
    partner,
    partner_member,
    outsider_org,
    role,
    django_capture_on_commit_callbacks,
):
    from maillage.core.models import AuditEntry

    exchange = _record(personas, partner)
    if role == "recording_side":
        client = client_as("org_admin")
    else:
        client = client_as("visitor" if role in ("third_organization", "awaited") else role)
    if role == "third_organization":
        Membership.objects.create(person=personas.participant, organization=outsider_org)
        client.force_login(personas.participant)
    elif role == "awaited":
        client.force_login(partner_member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/pooling/exchanges/{exchange.pk}/decline",
            {"reason": "Nous n'avons rien prêté ce jour-là"},
            content_type="application/json",
        )
    if role == "awaited":
        assert response.status_code == 204
        assert not Exchange.objects.exists()
        entry = AuditEntry.objects.get(action="pooling.exchange.decline")
        assert entry.data["what"] == "Prêt de la découpeuse laser"
        assert [m.to for m in mail.outbox] == [[personas.org_admin.email]]
        assert "rien prêté" in mail.outbox[0].body
    else:
        assert response.status_code == (401 if role == "visitor" else 403)
        assert Exchange.objects.filter(pk=exchange.pk).exists()


def test_a_confirmed_exchange_cannot_be_declined(client_as, personas, partner, partner_member):
    exchange = _record(personas, partner)
    exchange_confirm(exchange=exchange, actor=partner_member)
    client = client_as("visitor")
    client.force_login(partner_member)
    page = client.post(f"/mutualisation/echanges/{exchange.pk}/refuser/", follow=True)
    assert "déjà confirmé" in page.content.decode()
    assert Exchange.objects.filter(pk=exchange.pk).exists()


def test_the_forms_start_from_sensible_dates(client_as):
    client = client_as("org_admin")
    listing_form = client.get("/mutualisation/besoins/nouveau/").context["form"]
    assert listing_form.initial["available_from"] == TODAY
    assert listing_form.initial["available_until"] == TODAY + dt.timedelta(days=90)
    exchange_form = client.get("/mutualisation/echanges/nouveau/").context["form"]
    assert exchange_form.initial["happened_on"] == TODAY
