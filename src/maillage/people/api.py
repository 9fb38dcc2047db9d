"""API endpoints about the authenticated person."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from maillage.core.api_auth import AUTHENTICATED
from maillage.people.selectors import person_territory_roles

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
def me(request: HttpRequest):
    person = request.user
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
