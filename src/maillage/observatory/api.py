"""API of the observatory: public reads of the latest analysis of a campaign or a territory.

``GET /campaigns/{slug}`` (and ``/territories/{slug}``) give the state of the analyses and the
latest done one's themes; ``…/signals`` its weak signals, of one period with ``?period=``.
``POST`` on the same address queues a recomputation (facilitators and territory admins: else
403); the answer is 202 with the pending run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.observatory import selectors, services
from maillage.observatory.models import AnalysisRun

router = Router(tags=["observatory"])


class RunOut(Schema):
    id: int
    scope: str
    status: str
    error: str
    contribution_count: int
    analysed_count: int
    skipped: dict[str, int]
    periods: list[str]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ThemeOut(Schema):
    id: int
    number: int
    label: str
    terms: list[str]
    share: float
    size: int
    language: str
    example_ids: list[int]
    duplicate_groups: int


class ObservatoryOut(Schema):
    latest: RunOut | None
    pending: RunOut | None
    failure: RunOut | None
    themes: list[ThemeOut]


class SignalOut(Schema):
    id: int
    term: str
    period: str
    quadrant: str
    diffusion_quadrant: str
    frequency: int
    document_frequency: int
    visibility: float
    diffusion: float
    visibility_increase: float
    diffusion_increase: float
    log_likelihood: float
    p_value: float
    q_value: float
    burst: bool
    emerging: bool
    example_ids: list[int]


class RecomputeIn(Schema):
    n_themes: int | None = None


def _observatory(**scope: Any) -> dict[str, Any]:
    state = selectors.observatory_state(**scope)
    themes = selectors.run_themes(state.latest) if state.latest else []
    published = selectors.published_examples([pk for t in themes for pk in t.example_ids])
    for theme in themes:
        theme.example_ids = [pk for pk in theme.example_ids if pk in published]
    return {
        "latest": state.latest,
        "pending": state.pending,
        "failure": state.failure,
        "themes": themes,
    }


def _signals(period: str | None, **scope: Any) -> list[Any]:
    run = selectors.run_latest_done(**scope)
    if run is None:
        return []
    signals = list(selectors.run_signals(run, period=period))
    published = selectors.published_examples([pk for s in signals for pk in s.example_ids])
    for signal in signals:
        signal.example_ids = [pk for pk in signal.example_ids if pk in published]
    return signals


@router.get("/campaigns/{slug}", response=ObservatoryOut)
def campaign_observatory(request: HttpRequest, slug: str):
    """The state of a campaign's analyses and the themes of the latest done one."""
    return _observatory(campaign=selectors.campaign_for_viewer(request.user, slug))


@router.get("/campaigns/{slug}/signals", response=list[SignalOut])
def campaign_signals(request: HttpRequest, slug: str, period: str | None = None):
    """The weak signals of a campaign's latest done analysis."""
    return _signals(period, campaign=selectors.campaign_for_viewer(request.user, slug))


@router.get("/territories/{slug}", response=ObservatoryOut)
def territory_observatory(request: HttpRequest, slug: str):
    """The state of a territory's analyses and the themes of the latest done one."""
    return _observatory(territory=selectors.territory_or_404(slug))


@router.get("/territories/{slug}/signals", response=list[SignalOut])
def territory_signals(request: HttpRequest, slug: str, period: str | None = None):
    """The weak signals of a territory's latest done analysis."""
    return _signals(period, territory=selectors.territory_or_404(slug))


def _request(request: AuthenticatedRequest, payload: RecomputeIn, **scope: Any) -> AnalysisRun:
    hit_person("write", request.user)
    return services.analysis_request(actor=request.user, n_themes=payload.n_themes, **scope)


@router.post("/campaigns/{slug}", auth=AUTHENTICATED, response={202: RunOut})
def campaign_recompute(request: AuthenticatedRequest, slug: str, payload: RecomputeIn):
    """Queue the recomputation of a campaign's analysis."""
    return Status(
        202, _request(request, payload, campaign=selectors.campaign_for_viewer(request.user, slug))
    )


@router.post("/territories/{slug}", auth=AUTHENTICATED, response={202: RunOut})
def territory_recompute(request: AuthenticatedRequest, slug: str, payload: RecomputeIn):
    """Queue the recomputation of a territory's analysis."""
    return Status(202, _request(request, payload, territory=selectors.territory_or_404(slug)))
