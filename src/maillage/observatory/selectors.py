"""Reads of the observatory: the latest analysis of a scope and what the pages draw from it.

Every read costs a fixed number of queries whatever the number of themes, sites or signals.
Examples are shown only while their contribution is still published: a text hidden after the
analysis disappears from the page at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.consultations.models import Campaign, Contribution
from maillage.consultations.selectors import campaign_get
from maillage.observatory.models import (
    AnalysisRun,
    SignalInterpretation,
    Theme,
    ThemeShare,
    WeakSignal,
)
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_get

PENDING = (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _scope(*, campaign: Campaign | None = None, territory: Territory | None = None) -> Q:
    if campaign is not None:
        return Q(scope=AnalysisRun.Scope.CAMPAIGN, campaign=campaign)
    return Q(scope=AnalysisRun.Scope.TERRITORY, territory=territory)


@dataclass
class ObservatoryState:
    """The latest done run, the run waiting or computing, and a failure newer than the done run."""

    latest: AnalysisRun | None
    pending: AnalysisRun | None
    failure: AnalysisRun | None


def observatory_state(
    *, campaign: Campaign | None = None, territory: Territory | None = None
) -> ObservatoryState:
    """Return the state of the analyses of a campaign or a territory (one query)."""
    runs = list(
        AnalysisRun.objects.filter(_scope(campaign=campaign, territory=territory))
        .select_related("campaign", "territory")
        .order_by("-created_at", "-id")[:10]
    )
    latest = next((r for r in runs if r.status == AnalysisRun.Status.DONE), None)
    pending = next((r for r in runs if r.status in PENDING), None)
    failure = None
    for run in runs:
        if run.status == AnalysisRun.Status.DONE:
            break
        if run.status == AnalysisRun.Status.FAILED:
            failure = run
            break
    return ObservatoryState(latest=latest, pending=pending, failure=failure)


def run_latest_done(
    *, campaign: Campaign | None = None, territory: Territory | None = None
) -> AnalysisRun | None:
    """Return the latest done run of a campaign or a territory."""
    return (
        AnalysisRun.objects.filter(
            _scope(campaign=campaign, territory=territory), status=AnalysisRun.Status.DONE
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def run_themes(run: AnalysisRun) -> list[Theme]:
    """Return the themes of ``run``, largest first."""
    return list(run.themes.order_by("-share", "number"))


def published_examples(ids: list[int]) -> dict[int, Contribution]:
    """Return {id: contribution} for those of ``ids`` still published (one query)."""
    if not ids:
        return {}
    return {
        c.pk: c
        for c in Contribution.objects.filter(
            pk__in=ids, status=Contribution.Status.PUBLISHED
        ).select_related("site")
    }


def theme_examples(themes: list[Theme]) -> dict[int, list[Contribution]]:
    """Return, per theme id, its representative contributions that are still published."""
    found = published_examples([pk for theme in themes for pk in theme.example_ids])
    return {theme.pk: [found[pk] for pk in theme.example_ids if pk in found] for theme in themes}


@dataclass
class ShareRow:
    """One site, territory, period or age band with the share of each theme (in theme order)."""

    key: str
    name: str
    total: int | None
    shares: list[float]
    territory: Territory | None = None
    top: int = field(default=0)


def share_rows(run: AnalysisRun, themes: list[Theme], dimension: str) -> list[ShareRow]:
    """Return the rows of one dimension's shares, one share per theme in ``themes`` order."""
    position = {theme.pk: i for i, theme in enumerate(themes)}
    cells: dict[str, list[float]] = {}
    totals: dict[str, int | None] = {}
    for key, theme_id, share, total in ThemeShare.objects.filter(
        run=run, dimension=dimension
    ).values_list("key", "theme_id", "share", "total"):
        cells.setdefault(key, [0.0] * len(themes))[position[theme_id]] = share
        totals[key] = total
    territories: dict[str, Territory] = {}
    if dimension in (ThemeShare.Dimension.SITE, ThemeShare.Dimension.TERRITORY):
        territories = {
            str(t.pk): t for t in Territory.objects.filter(pk__in=[int(k) for k in cells])
        }
    labels = dict(Contribution.AgeBand.choices) if dimension == ThemeShare.Dimension.PROFILE else {}
    rows = []
    for key, shares in cells.items():
        place = territories.get(key)
        name = place.name if place else str(labels.get(key, key))
        top = max(range(len(shares)), key=shares.__getitem__) if shares else 0
        rows.append(ShareRow(key, name, totals[key], shares, place, top))
    if dimension == ThemeShare.Dimension.PERIOD:
        return sorted(rows, key=lambda row: row.key)
    if dimension == ThemeShare.Dimension.PROFILE:
        order = {value: i for i, value in enumerate(Contribution.AgeBand.values)}
        return sorted(rows, key=lambda row: order.get(row.key, 99))
    return sorted(rows, key=lambda row: row.name)


def shares_map_geojson(rows: list[ShareRow], theme_index: int, theme: Theme) -> dict[str, Any]:
    """Return the sites as a FeatureCollection shaded by the share of one theme."""
    features = []
    for row in rows:
        place = row.territory
        if place is None or not place.geometry:
            continue
        share = row.shares[theme_index] if theme_index < len(row.shares) else 0.0
        label = f"{place.name} — {round(share * 100)} % « {theme.label} »"
        features.append(
            {
                "type": "Feature",
                "geometry": place.geometry,
                "properties": {"name": label, "kind": "site", "fillOpacity": 0.1 + 0.8 * share},
            }
        )
        if place.centroid_lon is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [place.centroid_lon, place.centroid_lat],
                    },
                    "properties": {"name": label, "radius": 4 + 20 * share**0.5},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def run_signals(run: AnalysisRun, *, period: str | None = None) -> QuerySet[WeakSignal]:
    """Return the signals of ``run`` (of one period when given), emerging and rising first."""
    qs = run.signals.all()
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("period", "-emerging", "-visibility_increase", "id")


def signal_get(pk: int) -> WeakSignal:
    """Return the signal ``pk`` with its run and scope (raise WeakSignal.DoesNotExist)."""
    return WeakSignal.objects.select_related(
        "run", "run__campaign", "run__campaign__territory", "run__territory"
    ).get(pk=pk)


def interpretations_for(run: AnalysisRun) -> dict[tuple[str, str], list[SignalInterpretation]]:
    """Return the interpretations of the run's scope, keyed by (lemma, period)."""
    qs = SignalInterpretation.objects.select_related("author").order_by("created_at", "id")
    if run.campaign_id:
        qs = qs.filter(campaign_id=run.campaign_id)
    elif run.territory_id is not None:
        qs = qs.filter(territory_id=run.territory_id)
    else:  # a run has a campaign or a territory (its scope): none is nothing to interpret
        qs = qs.none()
    found: dict[tuple[str, str], list[SignalInterpretation]] = defaultdict(list)
    for interpretation in qs:
        found[(interpretation.lemma, interpretation.period)].append(interpretation)
    return found


def timeline_terms(run: AnalysisRun, limit: int = 12) -> list[str]:
    """Return the terms worth a timeline: emerging ones first, then weak signals."""
    terms: list[str] = []
    for term in (
        run.signals.filter(quadrant__in=["weak", "strong"])
        .order_by("-emerging", "-burst", "-visibility_increase", "id")
        .values_list("term", flat=True)[: limit * 10]
    ):
        if term not in terms and term in run.timelines:
            terms.append(term)
        if len(terms) == limit:
            break
    return terms


def territory_section(territory: Territory, ids: list[int]) -> dict | None:
    """Return the territory page's section: its latest themes and the observatory's link."""
    run = run_latest_done(territory=territory)
    has_contributions = Contribution.objects.filter(
        site_id__in=ids, status=Contribution.Status.PUBLISHED
    ).exists()
    if run is None and not has_contributions:
        return None
    return {
        "title": "observatory",
        "template": "observatory/territory_section.html",
        "context": {
            "run": run,
            "themes": run_themes(run)[:5] if run else [],
            "url": reverse("observatory:territory", args=[territory.slug]),
        },
    }


def campaign_for_viewer(user: Any, slug: str) -> Campaign:
    """Return the campaign ``slug`` if ``user`` may see it; raise Http404 otherwise (as its page)."""
    try:
        campaign = campaign_get(slug)
    except Campaign.DoesNotExist:
        raise Http404("no such campaign") from None
    if not user.has_perm("consultations.view_campaign", campaign):
        raise Http404("no such campaign")
    return campaign


def territory_or_404(slug: str) -> Territory:
    """Return the territory ``slug``; raise Http404 when there is none."""
    try:
        return territory_get(slug)
    except Territory.DoesNotExist:
        raise Http404("no such territory") from None


SMALL_GROUP = 5


@dataclass
class ReportRow:
    """One line of a report's figures: a site or a profile and its published contributions;
    fewer than ``SMALL_GROUP`` are shown as such, never exactly."""

    label: str
    count: int

    @property
    def small(self) -> bool:
        return 0 < self.count < SMALL_GROUP


def campaign_report(campaign: Campaign) -> dict[str, Any]:
    """Return what the printed report of ``campaign`` shows, from its published data only:
    figures per site and profile, the themes of the latest analysis with quotes, the responses."""
    published = Contribution.objects.filter(campaign=campaign, status=Contribution.Status.PUBLISHED)

    def rows(field: str, labels: Mapping[Any, StrOrPromise]) -> list[ReportRow]:
        counts = dict(published.values_list(field).annotate(n=Count("id")).order_by())
        return [ReportRow(str(label), counts.get(key, 0)) for key, label in labels.items()]

    sites = {s.pk: s.name for s in campaign.sites.order_by("name")}
    run = run_latest_done(campaign=campaign)
    themes = run_themes(run) if run else []
    examples = theme_examples(themes)
    for theme in themes:
        theme.quotes = examples.get(theme.pk, [])[:2]
    quotes = (
        [] if themes else list(published.select_related("site").order_by("-captured_at", "-id")[:6])
    )
    return {
        "total": published.count(),
        "by_site": rows("site_id", sites),
        "by_age": rows("age_band", {**dict(Contribution.AgeBand.choices), "": _("Not given")}),
        "by_relation": rows(
            "relation", {**dict(Contribution.Relation.choices), "": _("Not given")}
        ),
        "run": run,
        "themes": themes,
        "quotes": quotes,
        "responses": list(
            campaign.responses.annotate(
                contribution_count=Count(
                    "contributions", filter=Q(contributions__status=Contribution.Status.PUBLISHED)
                )
            ).order_by("status", "-updated_at")
        ),
    }
