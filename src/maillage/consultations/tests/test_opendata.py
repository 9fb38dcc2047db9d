"""Open data: only published contributions, pseudonymized, coordinates snapped to the site."""

from __future__ import annotations

import csv
import io
import json

from maillage.consultations import services
from maillage.consultations.models import Contribution
from maillage.consultations.tests.conftest import make_record
from maillage.core.exports import stream_csv, stream_geojson
from maillage.core.opendata import get_dataset


def test_contribution_rows_contain_no_name_email_or_account(personas, campaign):
    records = [
        make_record(campaign, personas.site, contact_email="secret.person@example.org"),
        make_record(campaign, personas.site, consent=False, text="Pas de consentement"),
    ]
    results = services.contribution_sync_batch(actor=personas.field_agent, records=records)
    contribution = Contribution.objects.get(pk=results[0].id)
    contribution.author = personas.participant
    contribution.save(update_fields=["author"])
    services.contribution_publish(contribution=contribution, actor=personas.facilitator)
    text = "".join(stream_csv(get_dataset("consultation_contributions")))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    for forbidden in (
        "secret.person",
        "participant",
        "agent@example.org",
        "Pas de consentement",
        "facilitator",
        str(contribution.client_uuid),
    ):
        assert forbidden not in text
    assert set(rows[0]) == {
        "id",
        "campaign",
        "site_id",
        "site",
        "site_lon",
        "site_lat",
        "text",
        "answers",
        "age_band",
        "relation",
        "source",
        "captured_on",
        "photo_url",
    }
    assert rows[0]["captured_on"] == "2026-05-14"
    assert float(rows[0]["site_lon"]) == personas.site.centroid_lon
    assert float(rows[0]["site_lat"]) == personas.site.centroid_lat
    assert rows[0]["photo_url"] == ""


def test_site_geojson_counts_published_contributions(personas, campaign):
    results = services.contribution_sync_batch(
        actor=personas.field_agent, records=[make_record(campaign, personas.site) for _ in range(3)]
    )
    for result in results[:2]:
        services.contribution_publish(
            contribution=Contribution.objects.get(pk=result.id), actor=personas.facilitator
        )
    data = json.loads("".join(stream_geojson(get_dataset("consultation_sites"))))
    counts = {
        f["properties"]["name"]: f["properties"]["published_contributions"]
        for f in data["features"]
    }
    assert counts == {"Place Test": 2, "Square Test": 0}
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_draft_campaigns_and_their_data_stay_out_of_open_data(personas, campaign):
    campaign.status = "draft"
    campaign.save(update_fields=["status"])
    for name in (
        "consultation_campaigns",
        "consultation_sites",
        "consultation_contributions",
        "consultation_responses",
    ):
        assert list(get_dataset(name).iter_rows()) == []


def test_responses_list_only_published_contributions(personas, campaign):
    results = services.contribution_sync_batch(
        actor=personas.field_agent, records=[make_record(campaign, personas.site) for _ in range(2)]
    )
    shown = Contribution.objects.get(pk=results[0].id)
    services.contribution_publish(contribution=shown, actor=personas.facilitator)
    services.response_create(
        campaign=campaign,
        actor=personas.facilitator,
        title="Bancs",
        status="retained",
        contribution_ids=[r.id for r in results],
    )
    (row,) = get_dataset("consultation_responses").iter_rows()
    assert row["contribution_ids"] == str(shown.pk)
    (campaign_row,) = get_dataset("consultation_campaigns").iter_rows()
    assert campaign_row["published_contributions"] == 1
    assert campaign_row["site_count"] == 2
