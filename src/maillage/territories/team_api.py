"""The team of a territory in the API: who holds which role, invitations, roles ended."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.permissions import require
from maillage.core.ratelimit import hit_write
from maillage.people import services as people_services
from maillage.people.models import TerritoryRole
from maillage.people.selectors import territory_team
from maillage.territories.models import Territory


class TeamRoleOut(Schema):
    id: int
    person_id: int
    name: str
    email: str
    role: str
    since: date
    until: date | None


class StaffInviteIn(Schema):
    email: str = Field(max_length=254, description="Address of the person invited")
    role: str = Field(description="admin, facilitator or field_agent")


class StaffInvitationOut(Schema):
    id: int
    email: str
    role: str
    territory: str
    expires_at: datetime


def _team_role_out(grant: TerritoryRole) -> TeamRoleOut:
    return TeamRoleOut(
        id=grant.pk,
        person_id=grant.person_id,
        name=grant.person.public_name,
        email=grant.person.email,
        role=grant.role,
        since=grant.since,
        until=grant.until,
    )


def _administered(request: HttpRequest, slug: str) -> Territory:
    territory = get_object_or_404(Territory, slug=slug)
    require(request.user, "people.grant_territory_role", territory)
    return territory


def register(router: Router) -> None:
    """Add the team endpoints to the territories' router (``/api/territories/…``)."""

    @router.get("/{slug}/team", response=list[TeamRoleOut], auth=AUTHENTICATED)
    def team_list(request: AuthenticatedRequest, slug: str):
        """List who holds which active role on the territory (its admins and the platform admin)."""
        return [_team_role_out(g) for g in territory_team(_administered(request, slug))]

    @router.post(
        "/{slug}/invitations",
        response={201: StaffInvitationOut},
        auth=AUTHENTICATED,
    )
    def staff_invitation_create(request: AuthenticatedRequest, slug: str, payload: StaffInviteIn):
        """Invite an address to hold a role on the territory; the link is emailed (valid 7 days).

        422 when the address already holds the role, or for a bad address or role.
        """
        territory = _administered(request, slug)
        hit_write(request)
        invitation = people_services.staff_invite(
            actor=request.user, territory=territory, email=payload.email, role=payload.role
        )
        return 201, StaffInvitationOut(
            id=invitation.pk,
            email=invitation.email,
            role=invitation.role,
            territory=territory.slug,
            expires_at=invitation.expires_at,
        )

    @router.post("/roles/{role_id}/end", response=TeamRoleOut, auth=AUTHENTICATED)
    def role_end(request: AuthenticatedRequest, role_id: int):
        """End a role today (422 for the territory's last admin, or a role already ended)."""
        grant = get_object_or_404(TerritoryRole.objects.select_related("person"), pk=role_id)
        hit_write(request)
        return _team_role_out(people_services.territory_role_end(grant=grant, actor=request.user))
