"""Public pages, the online form, the field page and its PWA files."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from maillage.consultations.models import Contribution
from maillage.consultations.services import contribution_sync_batch
from maillage.consultations.tests.conftest import make_record


def _bulk(campaign, site, n: int, **fields) -> None:
    now = timezone.now()
    Contribution.objects.bulk_create(
        [
            Contribution(
                client_uuid=uuid.uuid4(),
                campaign=campaign,
                site=site,
                text=f"Souhait numéro {i}",
                answers={"calm": 1 + i % 5, "uses": ["Jouer", "Lire"] if i % 2 else ["Marcher"]},
                age_band="18_29" if i % 3 else "60_74",
                relation="lives",
                consent_publication=True,
                source="field",
                status="published",
                payload_hash="x",
                captured_at=now - dt.timedelta(minutes=i),
                **fields,
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("n", [10, 200])
def test_the_campaign_page_costs_the_same_queries_whatever_the_number_of_contributions(
    client_as, personas, campaign, django_assert_max_num_queries, n
):
    _bulk(campaign, personas.site, n)
    client = client_as("visitor")
    with django_assert_max_num_queries(8):
        response = client.get(campaign.get_absolute_url() + "?page=2&q=Souhait")
    assert response.status_code == 200


def test_the_contribution_api_costs_the_same_queries_whatever_the_number(
    client_as, personas, campaign, django_assert_max_num_queries
):
    _bulk(campaign, personas.site, 150)
    client = client_as("visitor")
    with django_assert_max_num_queries(3):
        response = client.get(
            f"/api/consultations/campaigns/{campaign.slug}/contributions?limit=100"
        )
    assert len(response.json()["items"]) == 100


def test_filters_by_site_profile_and_closed_answers(client_as, personas, campaign):
    _bulk(campaign, personas.site, 30)
    client = client_as("visitor")
    url = campaign.get_absolute_url()
    assert client.get(url).context["page"].paginator.count == 30
    assert client.get(url + "?age_band=60_74").context["page"].paginator.count == 10
    assert client.get(url + "?answer_calm=3").context["page"].paginator.count == 6
    assert client.get(url + "?answer_uses=Lire").context["page"].paginator.count == 15
    assert (
        client.get(url + "?answer_uses=Marcher&age_band=60_74").context["page"].paginator.count == 5
    )
    assert client.get(url + "?q=numéro 7").context["page"].paginator.count == 1
    other = campaign.sites.exclude(pk=personas.site.pk).get()
    assert client.get(url + f"?site={other.pk}").context["page"].paginator.count == 0


def test_the_map_and_its_table_give_the_count_of_each_site(client_as, personas, campaign):
    _bulk(campaign, personas.site, 7)
    response = client_as("visitor").get(campaign.get_absolute_url())
    sites = {s.name: s.published_count for s in response.context["sites"]}
    assert sites == {"Place Test": 7, "Square Test": 0}
    labels = [f["properties"]["name"] for f in response.context["map_data"]["features"]]
    assert "Place Test — 7" in labels
    assert 'data-geojson="campaign-geojson"' in response.content.decode()


def test_a_draft_campaign_is_invisible_to_the_public(client_as, campaign):
    campaign.status = "draft"
    campaign.save(update_fields=["status"])
    assert client_as("visitor").get(campaign.get_absolute_url()).status_code == 404
    assert (
        client_as("visitor").get(f"/api/consultations/campaigns/{campaign.slug}").status_code == 404
    )
    assert client_as("facilitator").get(campaign.get_absolute_url()).status_code == 200


def _form(campaign, site, /, **changes) -> dict:
    data = {
        "site": site.pk,
        "text": "Plus d'arbres et de fontaines",
        "age_band": "",
        "relation": "works",
        "answer_calm": "5",
        "answer_uses": ["Lire"],
        "consent": "on",
        "contact_email": "",
        "website": "",
    }
    data.update(changes)
    return data


def test_an_inhabitant_without_account_contributes_online(client_as, personas, campaign):
    response = client_as("visitor").post(
        f"/concertations/{campaign.slug}/contribuer/", _form(campaign, personas.site)
    )
    assert response.status_code == 302
    row = Contribution.objects.get()
    assert (row.source, row.author, row.status) == ("online", None, "pending")
    assert row.answers == {"calm": 5, "uses": ["Lire"]}


def test_a_participant_contribution_is_linked_to_the_account(client_as, personas, campaign):
    client_as("participant").post(
        f"/concertations/{campaign.slug}/contribuer/", _form(campaign, personas.site)
    )
    assert Contribution.objects.get().author == personas.participant


def test_the_honeypot_records_nothing_but_looks_like_success(client_as, personas, campaign):
    response = client_as("visitor").post(
        f"/concertations/{campaign.slug}/contribuer/",
        _form(campaign, personas.site, website="http://spam"),
    )
    assert response.status_code == 302
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"site": "999999"}, "site"),
        ({"contact_email": "nope"}, "contact_email"),
    ],
)
def test_the_online_form_refuses_bad_input(client_as, personas, campaign, changes, field):
    response = client_as("visitor").post(
        f"/concertations/{campaign.slug}/contribuer/", _form(campaign, personas.site, **changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Contribution.objects.count() == 0


def test_the_online_form_is_rate_limited_per_address(client_as, personas, campaign, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anonymous_write": "2/m"}
    client = client_as("visitor")
    url = f"/concertations/{campaign.slug}/contribuer/"
    codes = [client.post(url, _form(campaign, personas.site)).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Contribution.objects.count() == 2


def test_a_closed_campaign_takes_no_online_contribution(client_as, personas, campaign):
    campaign.status = "closed"
    campaign.save(update_fields=["status"])
    response = client_as("visitor").post(
        f"/concertations/{campaign.slug}/contribuer/", _form(campaign, personas.site)
    )
    assert response.status_code == 410
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("visitor", 302),
        ("participant", 403),
        ("org_admin", 403),
        ("field_agent", 200),
        ("facilitator", 200),
        ("platform_admin", 200),
    ],
)
def test_the_field_page_is_for_the_team(client_as, campaign, role, status):
    response = client_as(role).get(f"/concertations/{campaign.slug}/terrain/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'rel="manifest"' in body
        assert "dist/field.js" in body
        assert 'id="field-config"' in body


def test_the_manifest_and_the_service_worker_are_served(client, campaign):
    manifest = client.get(f"/concertations/{campaign.slug}/terrain/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == f"/concertations/{campaign.slug}/terrain/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    worker = client.get("/concertations/sw.js")
    assert worker.status_code == 200
    assert worker["Service-Worker-Allowed"] == "/concertations/"
    assert "addEventListener" in b"".join(worker.streaming_content).decode()


def test_the_index_lists_public_campaigns_and_the_agents_field_campaigns(
    client_as, personas, campaign
):
    contribution_sync_batch(
        actor=personas.field_agent, records=[make_record(campaign, personas.site)]
    )
    assert campaign.title in client_as("visitor").get("/concertations/").content.decode()
    body = client_as("field_agent").get("/concertations/").content.decode()
    assert f"/concertations/{campaign.slug}/terrain/" in body


def test_the_territory_page_lists_its_campaigns(client_as, personas, campaign):
    body = client_as("visitor").get(personas.region.get_absolute_url()).content.decode()
    assert campaign.title in body


def test_the_public_api_describes_the_campaign_and_its_sites(client_as, personas, campaign):
    _bulk(campaign, personas.site, 3)
    client = client_as("visitor")
    detail = client.get(f"/api/consultations/campaigns/{campaign.slug}").json()
    assert detail["published_count"] == 3
    assert [q["id"] for q in detail["closed_questions"]] == ["calm", "moment", "uses"]
    geo = client.get(f"/api/consultations/campaigns/{campaign.slug}/sites.geojson").json()
    counts = {f["properties"]["name"]: f["properties"]["published_count"] for f in geo["features"]}
    assert counts == {"Place Test": 3, "Square Test": 0}
    listing = client.get("/api/consultations/campaigns").json()
    assert listing["items"][0]["slug"] == campaign.slug


def test_the_openapi_schema_documents_the_sync_body_and_its_limit(client):
    schema = client.get("/api/openapi.json").json()
    body = schema["paths"]["/api/consultations/sync"]["post"]["requestBody"]
    records = body["content"]["application/json"]["schema"]["properties"]["records"]
    assert records["maxItems"] == 500
    assert "uuid" in records["items"]["required"]


def _list_queries(client, url: str) -> tuple[int, str]:
    """Return the number of queries on contributions made by a visit, and the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    reads = [q for q in queries if 'FROM "consultations_contribution"' in q["sql"]]
    return len(reads), response.content.decode()


def _published(personas, campaign, text: str) -> Contribution:
    """Sync one contribution from the field and publish it, as a facilitator would."""
    from maillage.consultations import services

    result = contribution_sync_batch(
        actor=personas.field_agent, records=[make_record(campaign, personas.site, text=text)]
    )[0]
    contribution = Contribution.objects.get(pk=result.id)
    services.contribution_publish(contribution=contribution, actor=personas.facilitator)
    return contribution


def test_the_map_and_list_part_is_rendered_once_then_served_from_the_cache(
    client_as, personas, campaign
):
    _bulk(campaign, personas.site, 30)
    client = client_as("visitor")
    url = campaign.get_absolute_url() + "?page=2"
    first_queries, first = _list_queries(client, url)
    again_queries, again = _list_queries(client_as("visitor"), url)
    assert first_queries >= 1
    assert again_queries == 0, "the list is not read again"
    assert "Souhait numéro 20" in again
    # The same part, whoever reads it: only the header differs (the CSRF token of each form).
    part = first[first.index('<section aria-labelledby="map-title">') :]
    assert part in again


def test_a_search_is_never_served_from_the_cache(client_as, personas, campaign):
    _bulk(campaign, personas.site, 30)
    client = client_as("visitor")
    url = campaign.get_absolute_url() + "?q=numéro+7"
    _list_queries(client, url)
    again_queries, again = _list_queries(client, url)
    assert again_queries == 1, "the list is read again (its capped count is cached)"
    assert "Souhait numéro 7" in again


def test_publishing_hiding_and_redacting_reach_a_cached_page_at_once(client_as, personas, campaign):
    from maillage.consultations import services

    insult = _published(personas, campaign, "Un texte injurieux envers le voisin")
    phone = _published(personas, campaign, "Appelez Jean Dupont au 06 12 34 56 78 pour les bancs")
    facilitator = personas.facilitator
    client = client_as("visitor")
    url = campaign.get_absolute_url()
    page = client.get(url).content.decode()
    assert "injurieux" in page and "06 12 34 56 78" in page  # now cached

    services.contribution_hide(contribution=insult, actor=facilitator, reason="insult")
    services.contribution_redact(
        contribution=phone, actor=facilitator, text="Appelez [nom retiré] pour les bancs"
    )
    page = client.get(url).content.decode()
    assert "injurieux" not in page
    assert "06 12 34 56 78" not in page
    assert "Appelez [nom retiré] pour les bancs" in page

    _published(personas, campaign, "De l'ombre pour les enfants l'été")
    assert "De l&#x27;ombre pour les enfants" in client.get(url).content.decode()


def test_the_cached_part_is_kept_per_language(client_as, personas, campaign):
    _bulk(campaign, personas.site, 3)
    url = campaign.get_absolute_url()
    french = client_as("visitor").get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client_as("visitor").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Carte des lieux" in french
    assert "Map of the places" in english and "Carte des lieux" not in english


def test_a_lost_version_never_brings_back_a_part_cached_before_a_hiding(
    client_as, personas, campaign
):
    from django.core.cache import cache

    from maillage.consultations import services

    insult = _published(personas, campaign, "Un texte injurieux a masquer")
    url = campaign.get_absolute_url()
    client = client_as("visitor")
    cache.delete(f"consultations:counts-version:{campaign.pk}")  # evicted before any visit
    assert "injurieux" in client.get(url).content.decode()  # cached under a new version
    services.contribution_hide(contribution=insult, actor=personas.facilitator, reason="insult")
    cache.delete(f"consultations:counts-version:{campaign.pk}")  # evicted again
    assert "injurieux" not in client.get(url).content.decode()


def test_the_contribution_api_is_cached_and_a_hiding_reaches_it_at_once(
    client_as, personas, campaign
):
    from maillage.consultations import services

    insult = _published(personas, campaign, "Un texte injurieux a masquer")
    _bulk(campaign, personas.site, 5)
    url = f"/api/consultations/campaigns/{campaign.slug}/contributions?limit=10"
    client = client_as("visitor")
    first = client.get(url).json()
    assert "injurieux" in str(first["items"])
    reads, _page = _list_queries(client, url)
    assert reads == 0, "the items come from the cache"
    services.contribution_hide(contribution=insult, actor=personas.facilitator, reason="insult")
    after = client.get(url).json()
    assert "injurieux" not in str(after["items"])
    assert after["count"] == 5
    assert after["items"][0]["site"] == personas.site.slug


def test_a_draft_campaigns_manifest_is_404_for_the_public_and_served_to_its_team(
    client_as, campaign
):
    campaign.status = "draft"
    campaign.save(update_fields=["status"])
    url = f"/concertations/{campaign.slug}/terrain/manifest.webmanifest"
    response = client_as("visitor").get(url)
    assert response.status_code == 404
    assert campaign.title not in response.content.decode()
    assert client_as("participant").get(url).status_code == 404
    assert client_as("facilitator").get(url).status_code == 200
