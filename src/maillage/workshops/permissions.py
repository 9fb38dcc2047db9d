"""Who may run a workshop (its organizers' members, the territory's facilitators)."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.periods import active_q
from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    ANYONE,
    EVERYONE,
    INHABITANT,
    NOBODY,
    STAFF,
    is_platform_admin,
)
from maillage.organizations.permissions import is_organization_member
from maillage.people.permissions import is_territory_facilitator


@rules.predicate
def is_organizer(user: Any, workshop: Any) -> bool:
    if workshop is None or not getattr(user, "is_authenticated", False):
        return False
    return workshop.organizers.filter(
        pk__in=user.memberships.filter(active_q()).values("organization_id")
    ).exists()


@rules.predicate
def may_organize_for(user: Any, organization: Any) -> bool:
    return is_organization_member(user, organization)


can_run = is_organizer | is_territory_facilitator | is_platform_admin

rules.add_perm("workshops.add_workshop", may_organize_for | is_platform_admin)
rules.add_perm("workshops.change_workshop", can_run)
rules.add_perm("workshops.view_registrations", can_run)
rules.add_perm("workshops.take_attendance", can_run)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/workshops/{slug}/duplicate": ACCOUNT,
    # Registration is open to visitors (a name and an email), rate-limited per address.
    "POST /api/workshops/{slug}/registrations": ANYONE,
    "POST /api/workshops": ACCOUNT,
    "PATCH /api/workshops/{slug}": ACCOUNT,
    "POST /api/workshops/{slug}/cancel": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "workshops:attendance": (STAFF, NOBODY),
    "workshops:cancel": (NOBODY, STAFF),
    "workshops:create": (ACCOUNTS - {INHABITANT}, NOBODY),
    "workshops:detail": (EVERYONE, ACCOUNTS),
    "workshops:duplicate": (NOBODY, NOBODY),
    "workshops:edit": (STAFF, NOBODY),
    "workshops:ics": (EVERYONE, NOBODY),
    "workshops:index": (EVERYONE, NOBODY),
    "workshops:output_add": (NOBODY, NOBODY),
    "workshops:registration_cancel": (NOBODY, STAFF),
    "workshops:territory_ics": (EVERYONE, NOBODY),
}
