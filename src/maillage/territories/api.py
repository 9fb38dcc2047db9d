"""API endpoints for territories."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.territories import selectors, services, team_api
from maillage.territories.models import Territory

router = Router(tags=["territories"])


class TerritoryOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    parent_id: int | None
    official_code: str
    centroid_lon: float | None
    centroid_lat: float | None
    bbox: list[float] | None


class TerritoryDetailOut(TerritoryOut):
    description: str
    geometry: dict[str, Any] | None
    ancestors: list[TerritoryOut]


class TerritoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str
    parent: str | None = Field(None, description="slug of the enclosing territory")
    official_code: str = ""
    description: str = ""
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON geometry (WGS 84)")


class TerritoryPatch(Schema):
    name: str | None = None
    description: str | None = None
    official_code: str | None = None
    geometry: dict[str, Any] | None = None


def _get(slug: str) -> Territory:
    try:
        return selectors.territory_get(slug)
    except Territory.DoesNotExist:
        raise Http404(f"no territory {slug!r}") from None


@router.get("", response=list[TerritoryOut])
@paginate(BoundedLimitOffsetPagination)
def territory_list(request: HttpRequest, kind: str | None = None, parent: str | None = None):
    qs = Territory.objects.order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__slug=parent)
    return qs


@router.get("/{slug}", response=TerritoryDetailOut)
def territory_detail(request: HttpRequest, slug: str):
    territory = _get(slug)
    territory.ancestors = list(selectors.territory_ancestors(territory))
    return territory


@router.get("/{slug}/descendants", response=list[TerritoryOut])
@paginate(BoundedLimitOffsetPagination)
def territory_descendants(request: HttpRequest, slug: str, kind: str | None = None):
    return selectors.territory_descendants(_get(slug), kind=kind)


@router.post("", response={201: TerritoryDetailOut}, auth=AUTHENTICATED)
def territory_create(request: AuthenticatedRequest, payload: TerritoryIn):
    parent = _get(payload.parent) if payload.parent else None
    territory = services.territory_create(
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        geometry=payload.geometry,
        official_code=payload.official_code,
        description=payload.description,
        actor=request.user,
    )
    territory.ancestors = list(selectors.territory_ancestors(territory))
    return 201, territory


@router.patch("/{slug}", response=TerritoryDetailOut, auth=AUTHENTICATED)
def territory_update(request: AuthenticatedRequest, slug: str, payload: TerritoryPatch):
    changes = payload.dict(exclude_unset=True)
    territory = services.territory_update(
        territory=_get(slug),
        actor=request.user,
        geometry=changes.pop("geometry", ...),
        **{k: v for k, v in changes.items() if v is not None},
    )
    territory.ancestors = list(selectors.territory_ancestors(territory))
    return territory


# The team endpoints (roles and staff invitations) live in their own module.
team_api.register(router)
