"""API of the mesh: the measures of a territory's public cooperation graph as JSON.

Same visibility as the pages (persons only with consent, pseudonymized; public records only).
A bad filter is a 422 naming it; an empty window gives empty measures that say why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from maillage.analysis.graph import to_jsonable
from maillage.core.permissions import require
from maillage.mesh import measures
from maillage.mesh.forms import MeshFilterForm
from maillage.territories.models import Territory

router = Router(tags=["mesh"])


class FiltersIn(Schema):
    kind: list[str] = []
    sector: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    period: str = "year"


@router.get("/territories/{slug}/measures", response=dict[str, Any])
def territory_measures(
    request: HttpRequest, slug: str, filters: Query[FiltersIn]
) -> dict[str, Any]:
    """Return every measure of a territory's mesh (hybridization, bridges, loops, snowball…)."""
    require(request.user, "mesh.view_observatory")
    place = get_object_or_404(Territory, slug=slug)
    data = filters.dict()
    form = MeshFilterForm(
        {
            "kind": data["kind"],
            "sector": data["sector"],
            "start": data["start"] or "",
            "end": data["end"] or "",
            "period": data["period"],
        }
    )
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    result = measures.observatory(filters=form.filters(), territory=place)
    return {
        "territory": place.slug,
        "measures": to_jsonable(result.analysis),
        "campaign_snowballs": {
            title: to_jsonable(tree) for title, tree in result.campaign_snowballs
        },
    }
