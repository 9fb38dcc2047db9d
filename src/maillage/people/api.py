"""API endpoints about the authenticated person."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.people import services
from maillage.people.models import ApiToken, Person
from maillage.people.selectors import person_api_tokens, person_territory_roles

router = Router(tags=["people"])


class RoleOut(Schema):
    territory: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    public_name: str
    is_platform_admin: bool
    territory_roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=AUTHENTICATED)
def me(request: AuthenticatedRequest):
    person = request.user
    assert isinstance(person, Person)  # AUTHENTICATED lets only a signed-in person through
    return MeOut(
        id=person.pk,
        email=person.email,
        display_name=person.display_name,
        public_name=person.public_name,
        is_platform_admin=person.is_superuser,
        territory_roles=[
            RoleOut(territory=r.territory.slug, role=r.role) for r in person_territory_roles(person)
        ],
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


@router.get("/tokens", response=list[TokenOut], auth=AUTHENTICATED)
def token_list(request: AuthenticatedRequest):
    """List the caller's API tokens in use (neither revoked nor expired)."""
    return list(person_api_tokens(request.user))


@router.delete("/tokens/{token_id}", response={204: None}, auth=AUTHENTICATED)
def token_revoke(request: AuthenticatedRequest, token_id: int):
    """Revoke one of the caller's tokens (a read token cannot: revoking writes)."""
    token = get_object_or_404(ApiToken, pk=token_id, person=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    return 204, None
