"""Who may create and change territories."""

from __future__ import annotations

import rules

from maillage.core.permissions import (
    ACCOUNT,
    EVERYONE,
    FACILITATOR,
    NOBODY,
    STAFF,
    is_platform_admin,
)
from maillage.people.permissions import is_territory_admin

rules.add_perm("territories.view_territory", rules.always_allow)
rules.add_perm("territories.add_territory", is_territory_admin | is_platform_admin)
rules.add_perm("territories.change_territory", is_territory_admin | is_platform_admin)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/territories": ACCOUNT,
    "PATCH /api/territories/{slug}": ACCOUNT,
    "POST /api/territories/{slug}/invitations": ACCOUNT,
    "POST /api/territories/roles/{role_id}/end": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "territories:detail": (EVERYONE, NOBODY),
    "territories:import": (STAFF - {FACILITATOR}, NOBODY),
    "territories:list": (EVERYONE, NOBODY),
    "territories:place_edit": (STAFF - {FACILITATOR}, NOBODY),
    "territories:place_new": (STAFF - {FACILITATOR}, NOBODY),
    "territories:role_end": (NOBODY, NOBODY),
    "territories:team": (STAFF - {FACILITATOR}, NOBODY),
}
