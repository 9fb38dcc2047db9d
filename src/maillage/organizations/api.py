"""API endpoints for organizations and memberships."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_write
from maillage.organizations import selectors, services
from maillage.organizations.models import Membership, Organization

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
    kind_approved: bool = Field(
        description="False while a claimed commune, public body or intercommunality waits for "
        "a territory admin's approval"
    )

    @staticmethod
    def resolve_kind_approved(obj: Organization) -> bool:
        return not obj.kind_pending


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
        return selectors.organization_get_with_member_count(slug)
    except Organization.DoesNotExist:
        raise Http404(f"no organization {slug!r}") from None


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


class OrganizationIn(Schema):
    name: str = Field(max_length=200)
    kind: str = Field(description="One of: " + ", ".join(Organization.Kind.values))
    mission: str = ""
    description: str = ""
    website: str = Field("", max_length=200)
    is_mission_company: bool = False


class OrganizationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    mission: str | None = None
    description: str | None = None
    website: str | None = Field(None, max_length=200)
    is_mission_company: bool | None = None


class MemberInviteIn(Schema):
    email: str = Field(max_length=254)
    role: str = "member"
    title: str = Field("", max_length=120)


class MembershipOut(Schema):
    id: int
    public_name: str
    role: str
    title: str
    since: dt.date
    until: dt.date | None


def _organization(slug: str) -> Organization:
    try:
        return selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404(f"no organization {slug!r}") from None


@router.post("", response={201: OrganizationDetailOut}, auth=AUTHENTICATED)
def organization_create(request: AuthenticatedRequest, payload: OrganizationIn):
    """Create an organization; the caller becomes its admin.

    A commune, public body or intercommunality shows as such (``kind_approved``) only once a
    territory admin approves it.
    """
    hit_write(request)
    return 201, services.organization_create(actor=request.user, **payload.dict())


@router.patch("/{slug}", response=OrganizationDetailOut, auth=AUTHENTICATED)
def organization_update(request: AuthenticatedRequest, slug: str, payload: OrganizationPatch):
    """Edit an organization (its admins); a new institutional kind waits for approval again."""
    hit_write(request)
    changes = payload.dict(exclude_none=True)
    return services.organization_update(
        organization=_organization(slug), actor=request.user, **changes
    )


@router.post("/{slug}/approve", response=OrganizationDetailOut, auth=AUTHENTICATED)
def organization_approve(request: AuthenticatedRequest, slug: str):
    """Approve an institutional kind (a territory admin of one of its territories)."""
    hit_write(request)
    return services.organization_approve_kind(organization=_organization(slug), actor=request.user)


@router.post("/{slug}/memberships", response={202: None}, auth=AUTHENTICATED)
def membership_invite(request: AuthenticatedRequest, slug: str, payload: MemberInviteIn):
    """Add the owner of a verified address (its admins); 202 whether or not one exists."""
    hit_write(request)
    services.membership_invite(
        organization=_organization(slug), actor=request.user, **payload.dict()
    )
    return 202, None


@router.post("/{slug}/memberships/{membership_id}/end", response=MembershipOut, auth=AUTHENTICATED)
def membership_end(request: AuthenticatedRequest, slug: str, membership_id: int):
    """End a membership (its admins, or the member); the last admin stays."""
    hit_write(request)
    membership = get_object_or_404(
        Membership.objects.select_related("person"),
        pk=membership_id,
        organization=_organization(slug),
    )
    membership = services.membership_end(membership=membership, actor=request.user)
    return MembershipOut(
        id=membership.pk,
        public_name=membership.person.public_name,
        role=membership.role,
        title=membership.title,
        since=membership.since,
        until=membership.until,
    )
