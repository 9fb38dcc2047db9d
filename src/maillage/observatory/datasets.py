"""Open data: the themes, theme shares and weak signals of every done analysis.

Only analyses of public campaigns and of territories are exported. No text is: contributions
are named by their id, and only while they are published (their text is then in the
``consultation_contributions`` dataset). Shares of a site, territory or age band with fewer
than ``MIN_GROUP`` analysed contributions are left out, so that nobody's words can be
singled out by crossing them with the published contributions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.consultations.models import Campaign, Contribution
from maillage.core.opendata import Dataset, Field
from maillage.observatory.models import AnalysisRun, Theme, ThemeShare, WeakSignal

MIN_GROUP = 5
PUBLIC_RUN = Q(status=AnalysisRun.Status.DONE) & ~Q(campaign__status=Campaign.Status.DRAFT)


def _public_runs() -> dict[int, dict[str, Any]]:
    """Return {run id: scope, campaign slug, territory slug, finished_at} of the public runs."""
    return {
        row["id"]: dict(row)
        for row in AnalysisRun.objects.filter(PUBLIC_RUN)
        .order_by("id")
        .values("id", "scope", "campaign__slug", "territory__slug", "finished_at")
    }


def _published(ids: list[int]) -> set[int]:
    return set(
        Contribution.objects.filter(pk__in=ids, status=Contribution.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )


def _ids(values: list[int], published: set[int]) -> str:
    return ";".join(str(pk) for pk in values if pk in published)


def _run_columns(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": run["id"],
        "scope": run["scope"],
        "campaign": run["campaign__slug"] or "",
        "territory": run["territory__slug"] or "",
        "computed_at": run["finished_at"],
    }


def _theme_rows() -> Iterator[dict[str, Any]]:
    runs = _public_runs()
    for run_id, run in runs.items():
        themes = list(Theme.objects.filter(run_id=run_id).order_by("number"))
        published = _published([pk for theme in themes for pk in theme.example_ids])
        for theme in themes:
            yield {
                "id": theme.pk,
                **_run_columns(run),
                "number": theme.number,
                "language": theme.language,
                "label": theme.label,
                "terms": "; ".join(theme.terms),
                "share": round(theme.share, 6),
                "contributions": theme.size,
                "duplicate_groups": theme.duplicate_groups,
                "example_ids": _ids(theme.example_ids, published),
            }


def _share_rows() -> Iterator[dict[str, Any]]:
    runs = _public_runs()
    qs = (
        ThemeShare.objects.filter(run_id__in=list(runs))
        .exclude(
            Q(dimension__in=["site", "territory", "profile"])
            & (Q(total__lt=MIN_GROUP) | Q(total__isnull=True))
        )
        .order_by("id")
        .values("id", "run_id", "theme_id", "dimension", "key", "share", "total")
    )
    for row in qs.iterator(chunk_size=2000):
        yield {
            "id": row["id"],
            "run_id": row["run_id"],
            "theme_id": row["theme_id"],
            "dimension": row["dimension"],
            "key": row["key"],
            "share": round(row["share"], 6),
            "contributions": row["total"],
        }


def _signal_rows() -> Iterator[dict[str, Any]]:
    runs = _public_runs()
    for run_id, run in runs.items():
        signals = list(WeakSignal.objects.filter(run_id=run_id).order_by("id"))
        published = _published([pk for signal in signals for pk in signal.example_ids])
        for signal in signals:
            yield {
                "id": signal.pk,
                **_run_columns(run),
                "term": signal.term,
                "period": signal.period,
                "quadrant": signal.quadrant,
                "diffusion_quadrant": signal.diffusion_quadrant,
                "frequency": signal.frequency,
                "document_frequency": signal.document_frequency,
                "visibility": round(signal.visibility, 8),
                "diffusion": round(signal.diffusion, 8),
                "visibility_increase": round(signal.visibility_increase, 6),
                "diffusion_increase": round(signal.diffusion_increase, 6),
                "log_likelihood": round(signal.log_likelihood, 4),
                "p_value": signal.p_value,
                "q_value": signal.q_value,
                "burst": signal.burst,
                "emerging": signal.emerging,
                "example_ids": _ids(signal.example_ids, published),
            }


RUN_FIELDS = (
    Field("run_id", "integer", _("Identifier of the analysis"), required=True),
    Field("scope", "string", _("What was analysed"), required=True, enum=("campaign", "territory")),
    Field("campaign", "string", _("Campaign slug (campaign scope)")),
    Field("territory", "string", _("Territory slug (territory scope)")),
    Field("computed_at", "datetime", _("When the analysis finished"), required=True),
)
QUADRANTS = tuple(WeakSignal.Quadrant.values)


DATASETS = (
    Dataset(
        name="observatory_themes",
        title=_("Observatory: themes of the contributions"),
        description=_(
            "The themes found in the published contributions of each consultation and "
            "territory: label, top terms, share and most representative contributions."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            *RUN_FIELDS,
            Field("number", "integer", _("Number of the theme in its analysis"), required=True),
            Field("language", "string", _("Language of the theme's texts"), required=True),
            Field("label", "string", _("Label: its heaviest terms"), required=True),
            Field("terms", "string", _("Top terms, ';'-separated"), required=True),
            Field("share", "number", _("Share of the analysed contributions"), required=True),
            Field("contributions", "integer", _("Contributions in the theme"), required=True),
            Field("duplicate_groups", "integer", _("Groups of near-identical texts")),
            Field("example_ids", "string", _("Representative published contributions, ';'")),
        ),
        rows=_theme_rows,
        pseudonymization=_(
            "No personal data and no text: contributions are given by id, and only published ones."
        ),
        keywords=("observatoire", "thèmes", "concertation"),
    ),
    Dataset(
        name="observatory_theme_shares",
        title=_("Observatory: shares of each theme per place, territory, period and age band"),
        description=_(
            "For each theme of each analysis, its share among the analysed contributions of a "
            "site, a territory, a period or an age band."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("run_id", "integer", _("Identifier of the analysis"), required=True),
            Field("theme_id", "integer", _("Identifier of the theme"), required=True),
            Field(
                "dimension",
                "string",
                _("What the key is"),
                required=True,
                enum=tuple(ThemeShare.Dimension.values),
            ),
            Field(
                "key",
                "string",
                _("Territory id (site, territory), period or age band"),
                required=True,
            ),
            Field("share", "number", _("Share of the theme"), required=True),
            Field("contributions", "integer", _("Contributions analysed with this key")),
        ),
        rows=_share_rows,
        pseudonymization=_(
            "No personal data; a site, territory or age band with fewer than 5 analysed "
            "contributions is left out."
        ),
        keywords=("observatoire", "thèmes", "territoire"),
    ),
    Dataset(
        name="observatory_weak_signals",
        title=_("Observatory: weak signals"),
        description=_(
            "Terms placed per period on Yoon's keyword emergence map (weak, strong, latent, "
            "well-known), with their increase rates, significance test, bursts and examples."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            *RUN_FIELDS,
            Field("term", "string", _("Term as people wrote it"), required=True),
            Field("period", "string", _("Period"), required=True),
            Field("quadrant", "string", _("Quadrant (visibility)"), required=True, enum=QUADRANTS),
            Field("diffusion_quadrant", "string", _("Quadrant (diffusion)"), enum=QUADRANTS),
            Field("frequency", "integer", _("Occurrences in the period"), required=True),
            Field(
                "document_frequency",
                "integer",
                _("Contributions of the period using it"),
                required=True,
            ),
            Field("visibility", "number", _("Degree of visibility"), required=True),
            Field("diffusion", "number", _("Degree of diffusion"), required=True),
            Field("visibility_increase", "number", _("Increase rate of visibility")),
            Field("diffusion_increase", "number", _("Increase rate of diffusion")),
            Field("log_likelihood", "number", _("Log-likelihood G² against earlier periods")),
            Field("p_value", "number", _("p-value of G²")),
            Field("q_value", "number", _("p-value adjusted (Benjamini-Hochberg)")),
            Field("burst", "boolean", _("In a Kleinberg burst")),
            Field("emerging", "boolean", _("Emerging")),
            Field("example_ids", "string", _("Example published contributions, ';'")),
        ),
        rows=_signal_rows,
        pseudonymization=_(
            "No personal data and no text: contributions are given by id, and only published "
            "ones; place names are left out of the signals."
        ),
        keywords=("observatoire", "signaux faibles", "concertation"),
    ),
)
