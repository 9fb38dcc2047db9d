"""Observatory pages: themes and weak signals of a campaign or a territory, recomputation on
demand, and the interpretation of a signal. Thin: they check, call a service and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.observatory import charts, selectors, services
from maillage.observatory.forms import InterpretationForm, RecomputeForm
from maillage.observatory.models import AnalysisRun, ThemeShare, WeakSignal


def _observatory_context(request: HttpRequest, subject: Any, **scope: Any) -> dict[str, Any]:
    state = selectors.observatory_state(**scope)
    context: dict[str, Any] = {
        "state": state,
        "run": state.latest,
        "can_recompute": request.user.has_perm("observatory.request_analysis", subject),
        "recompute_form": RecomputeForm(),
    }
    run = state.latest
    if run is None:
        return context
    themes = selectors.run_themes(run)
    examples = selectors.theme_examples(themes)
    site_rows = selectors.share_rows(run, themes, ThemeShare.Dimension.SITE)
    number = request.GET.get("theme", "")
    by_number = {str(theme.number): i for i, theme in enumerate(themes)}
    theme_index = by_number.get(number, 0)
    periods = list(dict.fromkeys(run.signals.values_list("period", flat=True).order_by("period")))
    period = request.GET.get("period", "")
    period = period if period in periods else (periods[-1] if periods else "")
    signals = list(selectors.run_signals(run, period=period)) if period else []
    interpretations = selectors.interpretations_for(run)
    for signal in signals:
        signal.interpretations = interpretations.get((signal.lemma, signal.period), [])
    terms = selectors.timeline_terms(run)
    context.update(
        {
            "themes": [(theme, examples.get(theme.pk, [])) for theme in themes],
            "theme_chart": charts.theme_bars(themes),
            "theme_headers": themes,
            "map_theme": themes[theme_index] if themes else None,
            "map_data": (
                selectors.shares_map_geojson(site_rows, theme_index, themes[theme_index])
                if themes
                else None
            ),
            "site_rows": site_rows,
            "territory_rows": selectors.share_rows(run, themes, ThemeShare.Dimension.TERRITORY),
            "period_rows": selectors.share_rows(run, themes, ThemeShare.Dimension.PERIOD),
            "profile_rows": selectors.share_rows(run, themes, ThemeShare.Dimension.PROFILE),
            "periods": periods,
            "period": period,
            "signals": signals,
            "quadrant_chart": charts.quadrant_chart(signals, period),
            "timelines": charts.timelines(run, terms),
            "timeline_periods": run.periods,
            "skipped": run.skipped,
        }
    )
    return context


def campaign_observatory(request: HttpRequest, slug: str) -> HttpResponse:
    """The themes and weak signals of a campaign's published contributions."""
    campaign = selectors.campaign_for_viewer(request.user, slug)
    context = _observatory_context(request, campaign, campaign=campaign)
    context.update(
        {
            "campaign": campaign,
            "subject_name": campaign.title,
            "recompute_url": reverse("observatory:campaign_recompute", args=[campaign.slug]),
        }
    )
    return render(request, "observatory/observatory.html", context)


def territory_observatory(request: HttpRequest, slug: str) -> HttpResponse:
    """The themes and weak signals of every public campaign's contributions in a territory."""
    territory = selectors.territory_or_404(slug)
    context = _observatory_context(request, territory, territory=territory)
    context.update(
        {
            "territory": territory,
            "subject_name": territory.name,
            "recompute_url": reverse("observatory:territory_recompute", args=[territory.slug]),
        }
    )
    return render(request, "observatory/observatory.html", context)


def _recompute(
    request: AuthenticatedRequest, subject: Any, back: str, **scope: Any
) -> HttpResponse:
    if not request.user.has_perm("observatory.request_analysis", subject):
        raise PermissionDenied("observatory.request_analysis")
    form = RecomputeForm(request.POST)

    def save() -> HttpResponse:
        run = services.analysis_request(
            actor=request.user, n_themes=form.cleaned_data["n_themes"], **scope
        )
        if run.status == AnalysisRun.Status.DONE:
            messages.success(request, _("The analysis is done."))
        elif run.status == AnalysisRun.Status.FAILED:
            messages.error(request, _("The analysis failed: see why below."))
        else:
            messages.success(
                request,
                _("The analysis is computing in the background; reload this page in a minute."),
            )
        return redirect(back)

    return form_submit(request, form, save) or render(
        request,
        "observatory/recompute.html",
        {"form": form, "back": back, "subject": subject},
        status=form_status(request),
    )


@login_required
@require_POST
def campaign_recompute(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_for_viewer(request.user, slug)
    back = reverse("observatory:campaign", args=[campaign.slug])
    return _recompute(request, campaign, back, campaign=campaign)


@login_required
@require_POST
def territory_recompute(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    territory = selectors.territory_or_404(slug)
    back = reverse("observatory:territory", args=[territory.slug])
    return _recompute(request, territory, back, territory=territory)


def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A signal with its examples, its timeline and what people made of it; a form to add."""
    try:
        signal = selectors.signal_get(pk)
    except WeakSignal.DoesNotExist:
        raise Http404("no such signal") from None
    run = signal.run
    if run.campaign is not None:
        if not request.user.has_perm("consultations.view_campaign", run.campaign):
            raise Http404("no such signal")
        back = reverse("observatory:campaign", args=[run.campaign.slug])
        subject_name = run.campaign.title
    else:
        assert run.territory is not None  # a run analyses a territory or a campaign
        back = reverse("observatory:territory", args=[run.territory.slug])
        subject_name = run.territory.name
    can_interpret = request.user.has_perm("observatory.interpret_signal", signal)
    form = InterpretationForm(request.POST or None)
    if request.method == "POST" and (not can_interpret or not request.user.is_authenticated):
        raise PermissionDenied("observatory.interpret_signal")

    def save() -> HttpResponse:
        assert request.user.is_authenticated  # refused above otherwise
        services.signal_interpret(signal=signal, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Your interpretation is recorded."))
        return redirect("observatory:signal", pk=signal.pk)

    saved = form_submit(request, form, save)
    if saved is not None:
        return saved
    examples = selectors.published_examples(signal.example_ids)
    return render(
        request,
        "observatory/signal.html",
        {
            "signal": signal,
            "run": run,
            "back": back,
            "subject_name": subject_name,
            "examples": [examples[i] for i in signal.example_ids if i in examples],
            "timeline": next(iter(charts.timelines(run, [signal.term])), None),
            "interpretations": selectors.interpretations_for(run).get(
                (signal.lemma, signal.period), []
            ),
            "form": form,
            "can_interpret": can_interpret,
        },
        status=form_status(request),
    )


def campaign_report(request: HttpRequest, slug: str) -> HttpResponse:
    """A printable report of a campaign for the municipal council (print stylesheet)."""
    campaign = selectors.campaign_for_viewer(request.user, slug)
    context = {"campaign": campaign, **selectors.campaign_report(campaign)}
    return render(request, "observatory/report.html", context)
