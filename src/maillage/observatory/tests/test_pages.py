"""Observatory pages: what each role sees and may do, charts with their tables, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from maillage.conftest import ROLES
from maillage.observatory.models import AnalysisRun, SignalInterpretation

pytestmark = pytest.mark.django_db

MANAGERS = {"facilitator", "territory_admin", "platform_admin"}


def test_the_campaign_observatory_shows_charts_each_with_a_table(
    analysed: Any, campaign: Any, client_as: Any
) -> None:
    response = client_as("visitor").get(reverse("observatory:campaign", args=[campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') >= 2
    assert html.count("<table") >= 4
    assert 'role="region"' in html and 'id="observatory-map"' in html
    assert "observatory-geojson" in html
    # A representative contribution is quoted; the recompute button is for managers only.
    example = campaign.contributions.get(pk=analysed.themes.first().example_ids[0])
    assert escape(example.text) in html
    assert "Recompute the analysis" not in html


def test_the_map_shows_the_theme_asked_for(analysed: Any, campaign: Any, client_as: Any) -> None:
    theme = analysed.themes.order_by("share").first()
    url = reverse("observatory:campaign", args=[campaign.slug])
    response = client_as("visitor").get(url, {"theme": theme.number})
    assert f'value="{theme.number}" selected' in response.content.decode()
    assert theme.label in response.context["map_data"]["features"][0]["properties"]["name"]


def test_a_period_without_signals_or_an_unknown_one_falls_back_to_the_last(
    analysed: Any, campaign: Any, client_as: Any
) -> None:
    url = reverse("observatory:campaign", args=[campaign.slug])
    response = client_as("visitor").get(url, {"period": "not-a-period", "theme": "x"})
    assert response.status_code == 200
    assert response.context["period"] == response.context["periods"][-1]


def test_a_hidden_example_is_no_longer_quoted(analysed: Any, campaign: Any, client_as: Any) -> None:
    from maillage.consultations.models import Contribution

    theme = analysed.themes.first()
    Contribution.objects.filter(pk__in=theme.example_ids).update(
        status="hidden", hidden_reason="insult"
    )
    response = client_as("visitor").get(reverse("observatory:campaign", args=[campaign.slug]))
    shown = {t.pk: examples for t, examples in response.context["themes"]}
    assert shown[theme.pk] == []


def test_the_page_of_a_failed_analysis_shows_why(campaign: Any, client_as: Any) -> None:
    AnalysisRun.objects.create(
        scope="campaign", campaign=campaign, status="failed", error="Trop peu de textes."
    )
    response = client_as("visitor").get(reverse("observatory:campaign", args=[campaign.slug]))
    assert response.status_code == 200
    assert "Trop peu de textes." in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_a_draft_campaign_has_no_public_observatory(campaign: Any, client_as: Any) -> None:
    from maillage.consultations.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    url = reverse("observatory:campaign", args=[campaign.slug])
    assert client_as("visitor").get(url).status_code == 404
    assert client_as("facilitator").get(url).status_code == 200


def test_the_campaign_and_territory_pages_link_to_the_observatory(
    analysed: Any, campaign: Any, client_as: Any, personas: Any
) -> None:
    client = client_as("visitor")
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert reverse("observatory:campaign", args=[campaign.slug]) in detail
    territory = client.get(personas.commune.get_absolute_url()).content.decode()
    assert reverse("observatory:territory", args=[personas.commune.slug]) in territory
    page = client.get(reverse("observatory:territory", args=[personas.commune.slug]))
    assert page.status_code == 200 and "No analysis yet" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_and_admins_can_ask_for_a_recomputation(
    role: str, analysed: Any, campaign: Any, client_as: Any
) -> None:
    url = reverse("observatory:campaign_recompute", args=[campaign.slug])
    response = client_as(role).post(url, {"n_themes": ""})
    before = AnalysisRun.objects.count()
    if role == "visitor":
        assert response.status_code == 302 and "/connexion/" in response["Location"]
    elif role in MANAGERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("observatory:campaign", args=[campaign.slug])
        assert AnalysisRun.objects.filter(campaign=campaign).count() == 2
    else:
        assert response.status_code == 403
        assert AnalysisRun.objects.count() == before == 1


@pytest.mark.parametrize("role", ROLES)
def test_only_territory_facilitators_and_admins_recompute_a_territory(
    role: str, personas: Any, client_as: Any
) -> None:
    url = reverse("observatory:territory_recompute", args=[personas.commune.slug])
    response = client_as(role).post(url)
    expected = 302 if role in MANAGERS or role == "visitor" else 403
    assert response.status_code == expected
    assert AnalysisRun.objects.exists() == (role in MANAGERS)


def test_a_recomputation_asking_one_theme_is_a_422(campaign: Any, client_as: Any) -> None:
    url = reverse("observatory:campaign_recompute", args=[campaign.slug])
    response = client_as("facilitator").post(url, {"n_themes": "1"})
    assert response.status_code == 422
    assert not AnalysisRun.objects.exists()


def test_a_recomputation_by_get_is_refused(campaign: Any, client_as: Any) -> None:
    url = reverse("observatory:campaign_recompute", args=[campaign.slug])
    assert client_as("facilitator").get(url).status_code == 405


def test_recomputations_are_rate_limited(campaign: Any, client_as: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "write": "2/m"}
    url = reverse("observatory:campaign_recompute", args=[campaign.slug])
    client = client_as("facilitator")
    statuses = [client.post(url).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_and_admins_interpret_a_signal(
    role: str, analysed: Any, client_as: Any
) -> None:
    signal = analysed.signals.first()
    url = reverse("observatory:signal", args=[signal.pk])
    client = client_as(role)
    page = client.get(url)
    assert page.status_code == 200
    assert ("Record my interpretation" in page.content.decode()) == (role in MANAGERS)
    response = client.post(url, {"note": "Les moustiques arrivent avec la chaleur."})
    if role in MANAGERS:
        assert response.status_code == 302
        interpretation = SignalInterpretation.objects.get()
        assert interpretation.lemma == signal.lemma and interpretation.period == signal.period
    else:
        assert response.status_code == 403
        assert not SignalInterpretation.objects.exists()


def test_an_empty_interpretation_is_a_422_with_the_error(analysed: Any, client_as: Any) -> None:
    signal = analysed.signals.first()
    response = client_as("facilitator").post(
        reverse("observatory:signal", args=[signal.pk]), {"note": "   "}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["note"]
    assert not SignalInterpretation.objects.exists()


def test_an_interpretation_stays_beside_its_signal_after_recomputation(
    analysed: Any, campaign: Any, personas: Any
) -> None:
    from maillage.observatory.selectors import interpretations_for, run_latest_done
    from maillage.observatory.services import analysis_queue, analysis_run_pending, signal_interpret

    signal = analysed.signals.first()
    signal_interpret(signal=signal, actor=personas.facilitator, note="À suivre de près.")
    analysis_queue(campaign=campaign, wake=False, parameters={"n_themes": 3})
    analysis_run_pending()
    latest = run_latest_done(campaign=campaign)
    assert latest.pk != analysed.pk
    notes = interpretations_for(latest)[(signal.lemma, signal.period)]
    assert [n.note for n in notes] == ["À suivre de près."]
    page = interpretations_for(latest)
    assert page


def test_the_observatory_page_costs_a_fixed_number_of_queries(
    analysed: Any, campaign: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as("visitor")
    url = reverse("observatory:campaign", args=[campaign.slug])
    client.get(url)
    with django_assert_max_num_queries(25):
        client.get(url)
