"""The printable report of a campaign: question, figures per site and profile (small groups
not given exactly), themes with quotes, responses; from published data only."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maillage.consultations import services
from maillage.consultations.models import Contribution
from maillage.observatory.services import analysis_request

from .conftest import make_contributions, three_theme_texts


def test_report_gives_figures_themes_quotes_and_responses(
    client_as: Any, personas: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(90))
    with django_capture_on_commit_callbacks(execute=True):
        analysis_request(actor=personas.facilitator, campaign=campaign)
    services.response_create(
        campaign=campaign,
        actor=personas.facilitator,
        title="Éclairage du square",
        status="retained",
        contribution_ids=list(
            Contribution.objects.filter(campaign=campaign).values_list("pk", flat=True)[:3]
        ),
    )
    page = client_as("visitor").get(reverse("observatory:campaign_report", args=[campaign.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert campaign.open_question in body
    assert (
        page.context["total"]
        == Contribution.objects.filter(campaign=campaign, status="published").count()
    )
    assert sum(r.count for r in page.context["by_site"]) == page.context["total"]
    assert page.context["themes"] and page.context["themes"][0].quotes
    assert "Éclairage du square" in body
    assert 'href="/static/observatory/report.css"' in body


def test_small_groups_are_not_given_exactly(client_as: Any, personas: Any, campaign: Any) -> None:
    from maillage.consultations.tests.conftest import make_record

    records = [
        make_record(campaign, personas.site, age_band="75_plus", answers={}) for _ in range(3)
    ]
    services.contribution_sync_batch(actor=personas.field_agent, records=records)
    Contribution.objects.filter(campaign=campaign).update(status="published")
    page = client_as("visitor").get(reverse("observatory:campaign_report", args=[campaign.slug]))
    oldest = next(r for r in page.context["by_age"] if r.label == "75 and over")
    assert oldest.count == 3 and oldest.small
    # The observatory's tests run in English (see conftest).
    assert "fewer than 5" in page.content.decode()
    assert "No analysis of the themes yet" in page.content.decode()


def test_a_draft_report_is_hidden_from_the_public(
    client_as: Any, personas: Any, campaign: Any
) -> None:
    Contribution.objects.all().delete()
    campaign.status = "draft"
    campaign.save(update_fields=["status"])
    url = reverse("observatory:campaign_report", args=[campaign.slug])
    assert client_as("visitor").get(url).status_code == 404
    assert client_as("facilitator").get(url).status_code == 200
