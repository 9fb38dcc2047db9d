"""Roles on territories, as rules predicates shared by every app."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    MEMBER,
    NOBODY,
    VISITOR,
    is_participant,
    is_platform_admin,
)
from maillage.people.models import TerritoryRole
from maillage.people.selectors import person_has_territory_role

Role = TerritoryRole.Role


def _territory_of(obj: Any) -> Any:
    """Return the territory an object belongs to (itself when it is one)."""
    if obj is None:
        return None
    if obj._meta.label_lower == "territories.territory":
        return obj
    return getattr(obj, "territory", None)


@rules.predicate
def is_territory_admin(user: Any, obj: Any) -> bool:
    return person_has_territory_role(user, _territory_of(obj), (Role.ADMIN,))


@rules.predicate
def is_territory_facilitator(user: Any, obj: Any) -> bool:
    return person_has_territory_role(user, _territory_of(obj), (Role.ADMIN, Role.FACILITATOR))


@rules.predicate
def is_territory_field_agent(user: Any, obj: Any) -> bool:
    return person_has_territory_role(
        user, _territory_of(obj), (Role.ADMIN, Role.FACILITATOR, Role.FIELD_AGENT)
    )


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    return person is not None and getattr(user, "pk", None) == person.pk


@rules.predicate
def has_public_profile(user: Any, person: Any) -> bool:
    return person is not None and person.public_profile and person.deleted_at is None


rules.add_perm("people.view_profile", has_public_profile | is_self | is_platform_admin)
rules.add_perm("people.change_person", is_self | is_platform_admin)
rules.add_perm("people.export_data", is_self)
rules.add_perm("people.delete_account", is_self | is_platform_admin)
rules.add_perm("people.grant_territory_role", is_territory_admin | is_platform_admin)
rules.add_perm("people.create_token", is_participant)
rules.add_perm("people.set_password", is_self | is_platform_admin)


@rules.predicate
def is_admin_of_an_organization_territory(user: Any, organization: Any) -> bool:
    """Return whether ``user`` administers a territory the organization declares (or above)."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        person_has_territory_role(user, territory, (Role.ADMIN,))
        for territory in organization.territories.all()
    )


# Declared here, not in organizations: organizations sit below people and know no roles on
# territories. Approving an institutional kind is a territory admin's act.
rules.add_perm(
    "organizations.approve_kind", is_admin_of_an_organization_territory | is_platform_admin
)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "DELETE /api/people/tokens/{token_id}": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "people:account": (ACCOUNTS, NOBODY),
    "people:data_export": (ACCOUNTS, NOBODY),
    "people:delete": (ACCOUNTS, NOBODY),
    "people:invitation": (EVERYONE, NOBODY),
    "people:login": (frozenset({VISITOR}), NOBODY),
    "people:logout": (NOBODY, NOBODY),
    # Sign-in through an identity service: with none configured (as in the matrix), the
    # provider's pages are 404, the confirmation has nothing pending and redirects.
    "people:oidc_callback": (NOBODY, NOBODY),
    "people:oidc_confirm": (NOBODY, NOBODY),
    "people:oidc_logged_out": (NOBODY, NOBODY),
    "people:oidc_start": (NOBODY, NOBODY),
    "people:oidc_unlink": (NOBODY, NOBODY),
    "people:password_change": (ACCOUNTS, NOBODY),
    "people:password_change_done": (ACCOUNTS, NOBODY),
    "people:password_reset": (EVERYONE, NOBODY),
    "people:password_reset_complete": (EVERYONE, NOBODY),
    "people:password_reset_confirm": (EVERYONE, NOBODY),
    "people:password_reset_done": (EVERYONE, NOBODY),
    "people:profile": (EVERYONE, NOBODY),
    "people:register": (frozenset({VISITOR}), NOBODY),
    "people:token_create": (NOBODY, NOBODY),
    "people:token_revoke": (NOBODY, frozenset({MEMBER})),
    "people:verify_email": (NOBODY, NOBODY),
}
