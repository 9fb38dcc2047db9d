"""The analysis service end to end: loading, computing, storing, failing, background hooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.observatory.models import AnalysisRun, ThemeShare
from maillage.observatory.services import (
    MAX_ATTEMPTS,
    analysis_queue,
    analysis_recover_stale,
    analysis_request,
    analysis_run_pending,
)

from .conftest import make_contributions, three_theme_texts

pytestmark = pytest.mark.django_db


def test_a_campaign_analysis_stores_themes_shares_and_signals(analysed: Any, campaign: Any) -> None:
    run = analysed
    themes = list(run.themes.all())
    assert len(themes) >= 2
    assert sum(t.share for t in themes) == pytest.approx(1.0, abs=1e-6)
    words = " ".join(" ".join(t.terms) for t in themes)
    assert "enfants" in words and "arbres" in words
    assert run.contribution_count == 150 and run.analysed_count > 140
    ids = set(campaign.contributions.values_list("pk", flat=True))
    for theme in themes:
        assert theme.example_ids and set(theme.example_ids) <= ids
    sites = run.shares.filter(dimension=ThemeShare.Dimension.SITE)
    assert {s.key for s in sites} == {str(pk) for pk in campaign.sites.values_list("pk", flat=True)}
    assert run.shares.filter(dimension=ThemeShare.Dimension.PROFILE, key="30_44").exists()
    assert run.shares.filter(dimension=ThemeShare.Dimension.TERRITORY).exists()
    assert len(run.periods) >= 2 and run.signals.exists()
    mosquitoes = run.signals.filter(term__icontains="moustique")
    assert mosquitoes.exists()
    # Absent for ten days, then in most texts: a Kleinberg burst, significant against the past.
    assert mosquitoes.filter(burst=True, p_value__lt=0.01).exists()
    assert any("moustique" in term for term in run.timelines)
    assert run.finished_at and run.started_at and run.timings


def test_hidden_pending_and_private_contributions_are_not_analysed(campaign: Any) -> None:
    sites = list(campaign.sites.all())
    make_contributions(campaign, sites, three_theme_texts(60))
    for status in ("hidden", "pending", "private"):
        make_contributions(
            campaign, sites, ["Le zorglub de la placette est zorglubé."] * 30, status=status
        )
    run = analysis_queue(campaign=campaign, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "done" and run.contribution_count == 60
    assert not run.signals.filter(term__icontains="zorglub").exists()
    assert all("zorglub" not in " ".join(t.terms) for t in run.themes.all())


def test_an_empty_campaign_fails_with_a_clear_message(campaign: Any) -> None:
    run = analysis_queue(campaign=campaign, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "No published contribution" in run.error


def test_too_few_contributions_fail_with_the_minimum_needed(campaign: Any) -> None:
    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(5))
    run = analysis_queue(campaign=campaign, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "Only 5 published contributions" in run.error and "20" in run.error


def test_texts_of_common_words_only_fail_with_the_pipeline_reason(campaign: Any) -> None:
    make_contributions(campaign, list(campaign.sites.all()), ["Et le la les de du."] * 25)
    run = analysis_queue(campaign=campaign, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "Too few contributions with enough words" in run.error
    assert run.contribution_count == 25


def test_a_fixed_number_of_themes_out_of_range_is_refused(campaign: Any, personas: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        analysis_request(actor=personas.facilitator, campaign=campaign, n_themes=1)
    assert not AnalysisRun.objects.exists()


def test_requesting_twice_joins_the_pending_run(campaign: Any, personas: Any) -> None:
    first = analysis_request(actor=personas.facilitator, campaign=campaign)
    second = analysis_request(actor=personas.territory_admin, campaign=campaign)
    assert first.pk == second.pk
    assert AnalysisRun.objects.count() == 1


def test_closing_a_campaign_computes_its_analysis_after_commit(
    campaign: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from maillage.consultations.services import campaign_update

    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(90))
    with django_capture_on_commit_callbacks(execute=True):
        campaign_update(campaign=campaign, actor=personas.facilitator, status="closed")
    run = AnalysisRun.objects.get(campaign=campaign)
    assert run.status == "done" and run.themes.exists()
    assert run.requested_by is None


def test_without_eager_mode_closing_a_campaign_only_enqueues_its_analysis(
    campaign: Any, personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from maillage.consultations.services import campaign_update
    from maillage.observatory.tasks import compute_pending

    settings.OBSERVATORY_RECOMPUTE_EAGER = False
    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(30))
    with django_capture_on_commit_callbacks(execute=True):
        campaign_update(campaign=campaign, actor=personas.facilitator, status="closed")
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert AnalysisRun.objects.get(campaign=campaign).status == "queued"
    assert DBTaskResult.objects.get().task_path == compute_pending.module_path


def test_other_status_changes_queue_nothing(
    campaign: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from maillage.consultations.services import campaign_update

    with django_capture_on_commit_callbacks(execute=True):
        campaign_update(campaign=campaign, actor=personas.facilitator, title="Autre titre")
    assert not AnalysisRun.objects.exists()


def test_a_run_left_running_by_a_crash_is_requeued_then_given_up(campaign: Any) -> None:
    run = analysis_queue(campaign=campaign, wake=False)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", started_at=long_ago, attempts=1)
    assert analysis_recover_stale() == 1
    run.refresh_from_db()
    assert run.status == "queued"
    AnalysisRun.objects.filter(pk=run.pk).update(
        status="running", started_at=long_ago, attempts=MAX_ATTEMPTS
    )
    analysis_recover_stale()
    run.refresh_from_db()
    assert run.status == "failed" and "interrupted" in run.error


def test_a_recent_running_run_is_left_alone(campaign: Any) -> None:
    run = analysis_queue(campaign=campaign, wake=False)
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", started_at=timezone.now())
    assert analysis_recover_stale() == 0


def test_the_command_queues_and_computes_a_territory_analysis(campaign: Any, personas: Any) -> None:
    import io

    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(90))
    out = io.StringIO()
    call_command("observatory_recompute", territory=personas.commune.slug, stdout=out)
    run = AnalysisRun.objects.get(territory=personas.commune)
    assert run.status == "done" and run.contribution_count == 90
    assert "1 analysis(es) computed" in out.getvalue()


def test_a_territory_analysis_leaves_out_draft_campaigns(campaign: Any, personas: Any) -> None:
    from maillage.consultations.models import Campaign

    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(40))
    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    run = analysis_queue(territory=personas.commune, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "failed" and "No published contribution" in run.error


def test_only_the_latest_runs_are_kept(analysed: Any, campaign: Any) -> None:
    for _ in range(4):
        analysis_queue(campaign=campaign, wake=False)
        analysis_run_pending()
    assert AnalysisRun.objects.filter(campaign=campaign).count() == 3


@pytest.mark.django_db(transaction=True)
def test_without_eager_mode_the_request_is_enqueued_and_a_worker_computes_it(
    campaign: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from maillage.core.tests.test_queue import run_worker
    from maillage.observatory.tasks import compute_pending

    settings.OBSERVATORY_RECOMPUTE_EAGER = False
    make_contributions(campaign, list(campaign.sites.all()), three_theme_texts(60))
    run = analysis_queue(campaign=campaign, parameters={"n_themes": 2})
    run.refresh_from_db()
    assert run.status == "queued"  # the web process only enqueued it
    assert DBTaskResult.objects.ready().get().task_path == compute_pending.module_path
    run_worker()
    run.refresh_from_db()
    assert run.status == "done", run.error
