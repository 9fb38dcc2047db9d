"""Writes of the observatory: request an analysis, compute it in the background, store it, and
record a person's interpretation of a signal.

A request queues a run (one pending run per scope, enforced by a unique constraint) and, after
commit, enqueues a task that a ``maillage worker`` runs (``observatory.tasks``); the web
process never computes. ``manage.py observatory_recompute`` runs the
queued runs too, and puts back in the queue the runs a crash left "running". A run is claimed
by one conditional UPDATE, so that two workers and the command never compute it twice. The
computation reads the published contributions through the consultations selectors, calls the
Django-free pipeline and writes every result in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis.themes import TooFewTextsError, analyze_themes
from maillage.consultations.models import Campaign
from maillage.consultations.selectors import contributions_for_analysis
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.observatory.models import (
    AnalysisRun,
    SignalInterpretation,
    Theme,
    ThemeShare,
    WeakSignal,
)
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


logger = logging.getLogger(__name__)

PENDING = (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING)
# Fewer published contributions than this make themes that mean nothing.
MIN_CONTRIBUTIONS = 20
THEME_COUNT_RANGE = (2, 30)
# A run still "running" after this long was left by a crashed process.
STALE_AFTER = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 3
KEEP_RUNS = 3
EXAMPLES_PER_THEME = 5
NOTE_MAX_LENGTH = 2000


def _scope_filter(*, campaign: Campaign | None, territory: Territory | None) -> Q:
    if campaign is not None:
        return Q(scope=AnalysisRun.Scope.CAMPAIGN, campaign=campaign)
    return Q(scope=AnalysisRun.Scope.TERRITORY, territory=territory)


# ---------------------------------------------------------------------------------------------
# Requesting


def analysis_request(
    *,
    actor: Person,
    campaign: Campaign | None = None,
    territory: Territory | None = None,
    n_themes: int | None = None,
) -> AnalysisRun:
    """Queue the analysis of a campaign or a territory; return the pending run.

    When one is already queued or running for the same scope, return it instead: the request
    joins it. ``n_themes`` fixes the number of themes (else it is chosen automatically).
    """
    if (campaign is None) == (territory is None):
        raise ValueError("give a campaign or a territory, not both")
    require(actor, "observatory.request_analysis", campaign or territory)
    low, high = THEME_COUNT_RANGE
    if n_themes is not None and not low <= n_themes <= high:
        raise ValidationError(
            {
                "n_themes": _("The number of themes must be between %(low)s and %(high)s.")
                % {"low": low, "high": high}
            }
        )
    run = analysis_queue(
        campaign=campaign, territory=territory, actor=actor, parameters={"n_themes": n_themes}
    )
    audit_record(
        actor=actor,
        action="observatory.analysis.request",
        target=run,
        data={"n_themes": n_themes},
    )
    return run


def analysis_request_on_close(campaign_id: int) -> None:
    """Queue the analysis of a campaign that has just closed (called after commit)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        analysis_queue(campaign=campaign)


def analysis_queue(
    *,
    campaign: Campaign | None = None,
    territory: Territory | None = None,
    actor: Person | None = None,
    parameters: dict[str, Any] | None = None,
    wake: bool = True,
) -> AnalysisRun:
    """Queue an analysis with no permission check (the platform's own request); return it.

    The pending run of the same scope is returned when there is one. ``wake`` starts the
    computation after commit; the management command, which computes the queue itself, says no.
    """
    scope = _scope_filter(campaign=campaign, territory=territory)
    with transaction.atomic():
        pending = AnalysisRun.objects.filter(scope, status__in=PENDING).first()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                run = AnalysisRun.objects.create(
                    scope=AnalysisRun.Scope.CAMPAIGN if campaign else AnalysisRun.Scope.TERRITORY,
                    campaign=campaign,
                    territory=territory,
                    parameters=parameters or {"n_themes": None},
                    requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            # Another request queued one between our read and our insert.
            return AnalysisRun.objects.get(scope, status__in=PENDING)
        if wake:
            transaction.on_commit(_wake_worker)
    return run


# ---------------------------------------------------------------------------------------------
# Running: in a queue worker (``observatory.tasks``), or the management command


def _wake_worker() -> None:
    """Hand the queued runs to the task queue: computed at once in tests, else by a worker."""
    if getattr(settings, "OBSERVATORY_RECOMPUTE_EAGER", False):
        analysis_run_pending()
        return
    from maillage.observatory.tasks import compute_pending

    compute_pending.enqueue()


def analysis_run_pending(*, limit: int | None = None) -> int:
    """Compute queued runs, oldest first, until none is left (or ``limit``); return how many."""
    done = 0
    while limit is None or done < limit:
        run = _claim_next()
        if run is None:
            break
        analysis_execute(run)
        done += 1
    return done


def _claim_next() -> AnalysisRun | None:
    """Mark the oldest queued run as running and return it; None when the queue is empty."""
    candidates = AnalysisRun.objects.filter(status=AnalysisRun.Status.QUEUED).order_by(
        "created_at", "id"
    )
    for run_id in candidates.values_list("pk", flat=True)[:20]:
        claimed = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED).update(
            status=AnalysisRun.Status.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if claimed:
            return AnalysisRun.objects.select_related("campaign", "territory").get(pk=run_id)
    return None


def analysis_recover_stale(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Put back in the queue the runs left "running" by a crash; return how many.

    A run that was already tried ``MAX_ATTEMPTS`` times fails instead, with a message, so that
    a text that crashes the computation does not loop for ever.
    """
    cutoff = timezone.now() - older_than
    stale = AnalysisRun.objects.filter(status=AnalysisRun.Status.RUNNING, started_at__lt=cutoff)
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=AnalysisRun.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The analysis was interrupted %(count)s times; it was given up.")
        % {"count": MAX_ATTEMPTS},
    )
    requeued = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=AnalysisRun.Status.QUEUED, started_at=None
    )
    if failed or requeued:
        logger.warning("observatory: %s stale run(s) requeued, %s given up", requeued, failed)
    return failed + requeued


def analysis_execute(run: AnalysisRun) -> AnalysisRun:
    """Compute a claimed run and store its results, or its failure with a human message."""
    rows: list[tuple] = []
    try:
        rows = list(contributions_for_analysis(campaign=run.campaign, territory=run.territory))
        if not rows:
            return _fail(run, _("No published contribution to analyse yet."), count=0)
        if len(rows) < MIN_CONTRIBUTIONS:
            return _fail(
                run,
                _(
                    "Only %(count)s published contributions: the observatory needs at least "
                    "%(minimum)s to find themes."
                )
                % {"count": len(rows), "minimum": MIN_CONTRIBUTIONS},
                count=len(rows),
            )
        analysis = analyze_themes(
            [row[1] for row in rows],
            dates=np.array(
                [timezone.localtime(row[3]).date() for row in rows], dtype="datetime64[D]"
            ),
            territories=[str(row[2]) for row in rows],
            profiles=[row[4] or None for row in rows],
            n_themes=run.parameters.get("n_themes"),
            seed=int(run.parameters.get("seed", 0)),
        )
    except TooFewTextsError as error:
        return _fail(
            run,
            _(
                "Too few contributions with enough words to find themes (%(detail)s). Wait for "
                "more published contributions, or ask for fewer themes."
            )
            % {"detail": error},
            count=len(rows),
        )
    except Exception:
        logger.exception("observatory analysis of run %s failed", run.pk)
        return _fail(
            run,
            _("The analysis stopped on an unexpected error; the administrators can read why."),
            count=len(rows),
        )
    _store(run, rows, analysis)
    return run


def _fail(run: AnalysisRun, message: str, *, count: int) -> AnalysisRun:
    run.status = AnalysisRun.Status.FAILED
    run.error = message
    run.contribution_count = count
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "contribution_count", "finished_at"])
    return run


def _example_rows(row_theme: np.ndarray, row_weight: np.ndarray, texts: list[str]) -> dict:
    """Return, per theme, its most representative rows: heaviest theme weight, distinct texts."""
    examples: dict[int, list[int]] = {}
    order = np.lexsort((np.arange(len(row_theme)), -row_weight))
    seen: dict[int, set[str]] = {}
    for row in order.tolist():
        theme = int(row_theme[row])
        if theme < 0 or len(examples.setdefault(theme, [])) >= EXAMPLES_PER_THEME:
            continue
        text = texts[row].strip().casefold()
        if text in seen.setdefault(theme, set()):
            continue
        seen[theme].add(text)
        examples[theme].append(row)
    return examples


def _territory_of_site(scope_territory: Territory, site_ids: set[int]) -> dict[str, str]:
    """Return {site id: id of the child of ``scope_territory`` that contains it}."""
    children = list(scope_territory.children.values_list("pk", "path"))
    sites = Territory.objects.filter(pk__in=site_ids).values_list("pk", "path")
    result = {}
    for site_id, path in sites:
        for child_id, child_path in children:
            if path.startswith(child_path):
                result[str(site_id)] = str(child_id)
                break
    return result


def _store(run: AnalysisRun, rows: list[tuple], analysis: Any) -> None:
    """Write the themes, shares and signals of ``run`` and mark it done, in one transaction."""
    ids = [row[0] for row in rows]
    texts = [row[1] for row in rows]
    row_theme = analysis.row_theme
    analysed = row_theme >= 0
    theme_ids = {theme.id for theme in analysis.themes}
    examples = _example_rows(row_theme, analysis.row_weight, texts)
    site_labels = [str(row[2]) for row in rows]
    site_totals = Counter(label for label, ok in zip(site_labels, analysed, strict=True) if ok)
    profile_totals = Counter(
        row[4] for row, ok in zip(rows, analysed, strict=True) if ok and row[4]
    )
    if run.territory is not None:
        scope_territory = run.territory
    else:
        assert run.campaign is not None  # a run analyses a territory or a campaign
        scope_territory = run.campaign.territory
    child_of = _territory_of_site(scope_territory, {int(key) for key in site_totals})

    with transaction.atomic():
        stored = {
            theme.id: Theme(
                run=run,
                number=theme.id,
                language=theme.language,
                label=theme.label[:300],
                terms=theme.terms,
                share=theme.share,
                size=theme.size,
                example_ids=[ids[row] for row in examples.get(theme.id, [])],
                duplicate_groups=len(theme.duplicate_groups),
                duplicate_rows=sum(group.size for group in theme.duplicate_groups),
            )
            for theme in analysis.themes
        }
        Theme.objects.bulk_create(stored.values())
        shares = []
        for dimension, by_key, totals in (
            (ThemeShare.Dimension.SITE, analysis.shares_by_territory, site_totals),
            (ThemeShare.Dimension.PERIOD, analysis.shares_by_period, None),
            (ThemeShare.Dimension.PROFILE, analysis.shares_by_profile, profile_totals),
        ):
            for key, per_theme in by_key.items():
                shares += [
                    ThemeShare(
                        run=run,
                        theme=stored[theme],
                        dimension=dimension,
                        key=key,
                        share=share,
                        total=totals[key] if totals is not None else None,
                    )
                    for theme, share in per_theme.items()
                    if theme in theme_ids
                ]
        # Territories add up their sites: the count of a theme on a site is share x total.
        territory_counts: Counter = Counter()
        territory_totals: Counter = Counter()
        for site, per_theme in analysis.shares_by_territory.items():
            child = child_of.get(site)
            if child is None:
                continue
            territory_totals[child] += site_totals[site]
            for theme, share in per_theme.items():
                territory_counts[(child, theme)] += round(share * site_totals[site])
        shares += [
            ThemeShare(
                run=run,
                theme=stored[theme],
                dimension=ThemeShare.Dimension.TERRITORY,
                key=child,
                share=count / territory_totals[child],
                total=territory_totals[child],
            )
            for (child, theme), count in territory_counts.items()
            if count and theme in theme_ids
        ]
        ThemeShare.objects.bulk_create(shares, batch_size=1000)

        report = analysis.weak_signals
        if report is not None:
            WeakSignal.objects.bulk_create(
                [
                    WeakSignal(
                        run=run,
                        term=signal.term[:200],
                        lemma=signal.lemma[:200],
                        period=signal.period,
                        quadrant=signal.quadrant,
                        diffusion_quadrant=signal.diffusion_quadrant,
                        frequency=signal.frequency,
                        document_frequency=signal.document_frequency,
                        visibility=signal.visibility,
                        diffusion=signal.diffusion,
                        visibility_increase=_finite(signal.visibility_increase),
                        diffusion_increase=_finite(signal.diffusion_increase),
                        log_likelihood=_finite(signal.log_likelihood),
                        p_value=_finite(signal.p_value, 1.0),
                        q_value=_finite(signal.q_value, 1.0),
                        burst=signal.burst,
                        emerging=signal.emerging,
                        example_ids=[ids[row] for row in signal.examples],
                    )
                    for signal in report.signals
                ],
                batch_size=1000,
            )
            run.periods = report.periods
            run.documents_per_period = report.documents_per_period
            run.timelines = report.timelines
            run.filtered_places = report.filtered_places
        run.contribution_count = len(rows)
        run.analysed_count = int(analysed.sum())
        run.skipped = analysis.skipped
        run.languages = analysis.languages
        run.selection = {
            language: {
                **asdict(selection),
                "scores": {str(k): v for k, v in selection.scores.items()},
            }
            for language, selection in analysis.selection.items()
        }
        run.timings = {stage: round(seconds, 3) for stage, seconds in analysis.timings.items()}
        run.status = AnalysisRun.Status.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "periods",
                "documents_per_period",
                "timelines",
                "filtered_places",
                "contribution_count",
                "analysed_count",
                "skipped",
                "languages",
                "selection",
                "timings",
                "status",
                "error",
                "finished_at",
            ]
        )
        _prune(run)


def _finite(value: float, default: float = 0.0) -> float:
    return float(value) if np.isfinite(value) else default


def _prune(run: AnalysisRun) -> None:
    """Delete the finished runs of the same scope older than the ``KEEP_RUNS`` latest."""
    scope = _scope_filter(campaign=run.campaign, territory=run.territory)
    finished = AnalysisRun.objects.filter(scope).exclude(status__in=PENDING)
    keep = list(finished.order_by("-finished_at", "-id").values_list("pk", flat=True)[:KEEP_RUNS])
    finished.exclude(pk__in=keep).delete()


# ---------------------------------------------------------------------------------------------
# Interpreting


@transaction.atomic
def signal_interpret(*, signal: WeakSignal, actor: Person, note: str) -> SignalInterpretation:
    """Record what ``actor`` makes of ``signal``: a note kept beside the term and its period."""
    require(actor, "observatory.interpret_signal", signal)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what you make of this signal.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("At most %(count)s characters.") % {"count": NOTE_MAX_LENGTH}}
        )
    run = signal.run
    interpretation = SignalInterpretation.objects.create(
        campaign=run.campaign,
        territory=run.territory,
        lemma=signal.lemma,
        term=signal.term,
        period=signal.period,
        note=note,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="observatory.signal.interpret",
        target=interpretation,
        data={"signal": signal.pk, "term": signal.term, "period": signal.period},
    )
    return interpretation
