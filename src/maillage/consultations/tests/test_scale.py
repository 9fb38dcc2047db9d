"""What keeps pages and syncs cheap at a million contributions: cached counts refreshed by
moderation, counts and pages capped for filtered lists, one INSERT per sync batch."""

from __future__ import annotations

import pytest

from maillage.consultations import selectors
from maillage.consultations.models import Contribution
from maillage.consultations.services import contribution_hide, contribution_sync_batch
from maillage.consultations.tests.conftest import make_record
from maillage.consultations.tests.test_pages import _bulk


def test_a_filtered_list_is_counted_up_to_the_cap_and_says_more_than(
    client_as, personas, campaign, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    _bulk(campaign, personas.site, 30)
    response = client_as("visitor").get(
        campaign.get_absolute_url() + "?age_band=18_29", HTTP_ACCEPT_LANGUAGE="en"
    )
    paginator = response.context["page"].paginator
    assert paginator.count == 11
    assert paginator.is_capped
    assert "More than 10 contributions found" in response.content.decode()


def test_a_filtered_list_under_the_cap_is_counted_exactly(
    client_as, personas, campaign, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 15)
    _bulk(campaign, personas.site, 30)
    response = client_as("visitor").get(campaign.get_absolute_url() + "?age_band=60_74")
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.is_capped) == (10, False)


def test_without_filters_the_count_is_exact_and_the_pages_stop_at_the_cap(
    client_as, personas, campaign, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 40)
    _bulk(campaign, personas.site, 90)
    client = client_as("visitor")
    response = client.get(campaign.get_absolute_url() + "?page=5", HTTP_ACCEPT_LANGUAGE="en")
    page = response.context["page"]
    assert page.paginator.count == 90
    assert not page.paginator.is_capped
    assert page.paginator.num_pages == 2
    # Past the last reachable page, the last one is shown; it ends at the cap.
    assert page.number == 2
    assert page.object_list[len(page.object_list) - 1].text == "Souhait numéro 39"
    assert "download every contribution as open data" in response.content.decode()


def test_hiding_a_contribution_updates_the_cached_counts_at_once(client_as, personas, campaign):
    _bulk(campaign, personas.site, 12)
    client = client_as("visitor")
    url = campaign.get_absolute_url()
    assert client.get(url).context["total_published"] == 12
    target = Contribution.objects.filter(campaign=campaign).first()
    contribution_hide(contribution=target, actor=personas.facilitator, reason="off_topic")
    response = client.get(url)
    assert response.context["total_published"] == 11
    assert response.context["page"].paginator.count == 11
    assert {s.pk: s.published_count for s in response.context["sites"]}[personas.site.pk] == 11


def test_the_api_refuses_an_offset_past_the_cap_and_flags_a_capped_count(
    client_as, personas, campaign, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    _bulk(campaign, personas.site, 30)
    client = client_as("visitor")
    api = f"/api/consultations/campaigns/{campaign.slug}/contributions"
    body = client.get(api + "?limit=5").json()
    assert (body["count"], body["count_is_capped"], len(body["items"])) == (21, True, 5)
    body = client.get(api + "?limit=50&offset=10").json()
    assert len(body["items"]) == 10  # the list stops at the cap
    response = client.get(api + "?offset=20")
    assert response.status_code == 400
    assert "offset is limited to 19" in response.json()["detail"]
    body = client.get(api + "?age_band=60_74").json()
    assert (body["count"], body["count_is_capped"]) == (10, False)


@pytest.mark.parametrize("size", [5, 50])
def test_a_sync_batch_costs_the_same_queries_whatever_its_size(
    personas, campaign, django_assert_max_num_queries, size
):
    records = [make_record(campaign, personas.site) for _ in range(size)]
    with django_assert_max_num_queries(12):
        results = contribution_sync_batch(actor=personas.field_agent, records=records)
    assert [r.result for r in results] == ["created"] * size
    assert Contribution.objects.filter(campaign=campaign).count() == size


def test_a_batch_mixing_new_replayed_and_conflicting_records_reports_each(personas, campaign):
    first = make_record(campaign, personas.site)
    contribution_sync_batch(actor=personas.field_agent, records=[first])
    new = make_record(campaign, personas.site)
    conflict = make_record(campaign, personas.site, uuid=first["uuid"], text="Autre chose")
    results = contribution_sync_batch(
        actor=personas.field_agent, records=[new, dict(first), conflict]
    )
    assert [(r.status, r.result) for r in results] == [
        (201, "created"),
        (200, "duplicate"),
        (409, "conflict"),
    ]
    row = Contribution.objects.get(client_uuid=new["uuid"])
    assert results[0].id == row.pk
    assert (row.source, row.agent_id, row.status) == ("field", personas.field_agent.pk, "pending")
    assert row.created_at is not None
    assert Contribution.objects.get(client_uuid=first["uuid"]).text == first["text"]
