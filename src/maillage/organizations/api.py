"""API endpoints for organizations and memberships."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.organizations import selectors
from maillage.organizations.models import Organization

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    sector: str
    mission: str
    is_mission_company: bool
    website: str
    member_count: int = 0


class OrganizationDetailOut(OrganizationOut):
    description: str
    territories: list[str]

    @staticmethod
    def resolve_territories(obj: Organization) -> list[str]:
        return [t.slug for t in obj.territories.all()]


class MemberOut(Schema):
    public_name: str
    role: str
    title: str
    since: dt.date


@router.get("", response=list[OrganizationOut])
@paginate(BoundedLimitOffsetPagination)
def organization_list(request: HttpRequest, kind: str | None = None, q: str = ""):
    return selectors.organization_list(kind=kind, search=q[:100])


@router.get("/{slug}", response=OrganizationDetailOut)
def organization_detail(request: HttpRequest, slug: str):
    try:
        organization = selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404(f"no organization {slug!r}") from None
    organization.member_count = selectors.organization_member_count(organization)
    return organization


@router.get("/{slug}/members", response=list[MemberOut])
def organization_members(request: HttpRequest, slug: str):
    """Return the members with a public profile (others are counted, never named)."""
    try:
        organization = selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404(f"no organization {slug!r}") from None
    return [
        MemberOut(public_name=m.person.public_name, role=m.role, title=m.title, since=m.since)
        for m in selectors.organization_public_members(organization)
    ]
