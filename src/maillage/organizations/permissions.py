"""Who may change an organization and its memberships."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.periods import active_q
from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    NOBODY,
    ORG_ADMIN,
    PLATFORM_ADMIN,
    is_participant,
    is_platform_admin,
)


@rules.predicate
def is_organization_admin(user: Any, organization: Any) -> bool:
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    return organization.memberships.filter(person=user, role="admin").filter(active_q()).exists()


@rules.predicate
def is_organization_member(user: Any, organization: Any) -> bool:
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    return organization.memberships.filter(person=user).filter(active_q()).exists()


rules.add_perm("organizations.view_organization", rules.always_allow)
rules.add_perm("organizations.add_organization", is_participant)
rules.add_perm("organizations.change_organization", is_organization_admin | is_platform_admin)
rules.add_perm("organizations.manage_memberships", is_organization_admin | is_platform_admin)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object).
API_WRITES = {
    "POST /api/organizations": ACCOUNT,
    "PATCH /api/organizations/{slug}": ACCOUNT,
    "POST /api/organizations/{slug}/approve": ACCOUNT,
    "POST /api/organizations/{slug}/memberships": ACCOUNT,
    "POST /api/organizations/{slug}/memberships/{membership_id}/end": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "organizations:approve": (NOBODY, NOBODY),
    "organizations:detail": (EVERYONE, NOBODY),
    "organizations:edit": (frozenset({PLATFORM_ADMIN, ORG_ADMIN}), NOBODY),
    "organizations:list": (EVERYONE, NOBODY),
    "organizations:members": (frozenset({PLATFORM_ADMIN, ORG_ADMIN}), NOBODY),
    "organizations:membership_end": (NOBODY, frozenset({ORG_ADMIN, PLATFORM_ADMIN})),
    "organizations:new": (ACCOUNTS, NOBODY),
}
