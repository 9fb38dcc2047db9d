"""Offers and needs: publishing, the date range, the directory page, permissions per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from maillage.pooling.models import Need, Offer
from maillage.pooling.tests.conftest import TODAY, listing


def test_an_organization_member_publishes_an_offer(personas):
    offer = listing("offer", personas.org_admin, personas.organization, personas.commune)
    assert Offer.objects.get().title == "Prêt d'une imprimante 3D"
    assert offer.created_by == personas.org_admin


def test_an_offer_ending_before_it_starts_is_refused_naming_both_dates(personas):
    with pytest.raises(ValidationError) as error:
        listing(
            "offer",
            personas.org_admin,
            personas.organization,
            personas.commune,
            available_from=dt.date(2026, 6, 10),
            available_until=dt.date(2026, 6, 1),
        )
    message = error.value.message_dict["available_until"][0]
    assert "2026-06-01" in message and "2026-06-10" in message
    assert not Offer.objects.exists()


def test_the_database_refuses_a_period_ending_before_it_starts(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(
            organization=personas.organization,
            category="skills",
            title="x",
            territory=personas.commune,
            available_from=dt.date(2026, 6, 10),
            available_until=dt.date(2026, 6, 1),
        )


@pytest.mark.parametrize("role", ["participant", "field_agent", "facilitator", "territory_admin"])
def test_someone_outside_the_organization_cannot_publish_for_it(personas, role):
    with pytest.raises(PermissionDenied):
        listing("need", personas.by_role(role), personas.organization, personas.commune)


def test_a_platform_admin_may_publish_for_an_organization(personas):
    listing("need", personas.platform_admin, personas.organization, personas.commune)
    assert Need.objects.count() == 1


def test_the_offer_form_shows_a_clear_error_when_the_range_ends_before_it_starts(
    client_as, personas
):
    client = client_as("org_admin")
    response = client.post(
        "/mutualisation/offres/nouvelle/",
        {
            "organization": personas.organization.pk,
            "category": "spaces",
            "title": "Salle de réunion",
            "available_from": "2026-09-10",
            "available_until": "2026-09-01",
            "conditions": "free",
            "territory": personas.commune.pk,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "2026-09-01" in page and "2026-09-10" in page  # the error names both dates
    assert not Offer.objects.exists()


def test_the_offer_form_publishes_and_redirects_to_the_offer(client_as, personas):
    response = client_as("org_admin").post(
        "/mutualisation/offres/nouvelle/",
        {
            "organization": personas.organization.pk,
            "category": "spaces",
            "title": "Salle de réunion",
            "available_from": "2026-09-01",
            "available_until": "2026-09-10",
            "conditions": "cost_price",
            "territory": personas.commune.pk,
        },
    )
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == offer.get_absolute_url()


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 302), ("participant", 403), ("field_agent", 403), ("org_admin", 200)],
)
def test_the_publish_page_is_for_organization_members(client_as, role, status):
    assert client_as(role).get("/mutualisation/besoins/nouveau/").status_code == status


def test_the_api_refuses_a_range_ending_before_it_starts_with_a_422(client_as, personas):
    response = client_as("org_admin").post(
        "/api/pooling/offers",
        {
            "organization": personas.organization.slug,
            "category": "skills",
            "title": "Animation",
            "available_from": "2026-09-10",
            "available_until": "2026-09-01",
            "territory": personas.commune.slug,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    message = response.json()["detail"]["available_until"][0]
    assert "2026-09-01" in message and "2026-09-10" in message


def test_the_directory_searches_maps_and_lists_with_a_fixed_number_of_queries(
    client, personas, partner, django_assert_max_num_queries
):
    for i in range(30):
        listing(
            "offer",
            personas.platform_admin,
            personas.organization if i % 2 else partner,
            personas.commune if i % 3 else personas.neighbourhood,
            title=f"Offre {i}",
        )
    listing("offer", personas.platform_admin, partner, personas.commune, title="Vélo cargo")
    with django_assert_max_num_queries(12):
        response = client.get("/mutualisation/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-geojson="pooling-geojson"' in page
    assert "Commune Test" in page
    assert "31 offers" in page or "31 offres" in page
    found = client.get("/mutualisation/?q=cargo").content.decode()
    assert "Vélo cargo" in found and "Offre 1<" not in found


def test_a_past_offer_leaves_the_directory_but_stays_in_the_history(client, personas, partner):
    listing(
        "offer",
        personas.org_admin,
        personas.organization,
        personas.commune,
        title="Ancienne offre",
        available_from=TODAY - dt.timedelta(days=30),
        available_until=TODAY - dt.timedelta(days=1),
    )
    assert "Ancienne offre" not in client.get("/mutualisation/").content.decode()
    history = client.get(f"/mutualisation/organisations/{personas.organization.slug}/")
    assert "Ancienne offre" in history.content.decode()


def test_the_api_lists_offers_of_one_territory(client, personas, partner):
    listing("offer", personas.org_admin, personas.organization, personas.commune, title="Ici")
    listing("offer", personas.platform_admin, partner, personas.other_commune, title="Ailleurs")
    items = client.get(f"/api/pooling/offers?territory={personas.commune.slug}").json()["items"]
    assert [item["title"] for item in items] == ["Ici"]
