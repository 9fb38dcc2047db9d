"""Closing a campaign in the participation service's page starts the observatory's analysis."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maillage.observatory.models import AnalysisRun

from .conftest import make_contributions, three_theme_texts


def test_closing_a_campaign_in_its_page_runs_the_analysis(
    campaign: Any, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(90))
    client = client_as("facilitator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consultations:move", args=[campaign.slug, "fermer"]))
    assert response.status_code == 302
    run = AnalysisRun.objects.get(campaign=campaign)
    assert run.status == "done" and run.themes.exists()
