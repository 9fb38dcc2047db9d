"""Who may publish offers and needs, and record exchanges: members of the organizations."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    INHABITANT,
    NOBODY,
    PLATFORM,
    is_platform_admin,
)
from maillage.organizations.permissions import is_organization_member


@rules.predicate
def is_member_of_listing_organization(user: Any, listing: Any) -> bool:
    return listing is not None and is_organization_member(user, listing.organization)


@rules.predicate
def is_member_of_either_side(user: Any, exchange: Any) -> bool:
    """A member of the giving or of the receiving organization (``exchange`` may be unsaved)."""
    if exchange is None:
        return False
    return is_organization_member(user, exchange.giver) or is_organization_member(
        user, exchange.receiver
    )


rules.add_perm("pooling.publish_listing", is_organization_member | is_platform_admin)
rules.add_perm("pooling.change_listing", is_member_of_listing_organization | is_platform_admin)
# Recording an exchange is the two organizations' word; an admin of the platform cannot speak
# for them.
rules.add_perm("pooling.record_exchange", is_member_of_either_side)
rules.add_perm("pooling.recompute_suggestions", is_platform_admin)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/pooling/exchanges/{exchange_id}/decline": ACCOUNT,
    "POST /api/pooling/offers": ACCOUNT,
    "POST /api/pooling/needs": ACCOUNT,
    "POST /api/pooling/exchanges": ACCOUNT,
    "PATCH /api/pooling/offers/{offer_id}": ACCOUNT,
    "PATCH /api/pooling/needs/{need_id}": ACCOUNT,
    "POST /api/pooling/offers/{offer_id}/withdraw": ACCOUNT,
    "POST /api/pooling/needs/{need_id}/withdraw": ACCOUNT,
    "POST /api/pooling/exchanges/{exchange_id}/confirm": ACCOUNT,
    "POST /api/pooling/exchanges/{exchange_id}/feedback": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "pooling:exchange_confirm": (NOBODY, NOBODY),
    "pooling:exchange_create": (ACCOUNTS, NOBODY),
    "pooling:exchange_decline": (NOBODY, NOBODY),
    "pooling:exchange_feedback": (NOBODY, NOBODY),
    "pooling:history": (EVERYONE, NOBODY),
    "pooling:index": (EVERYONE, NOBODY),
    "pooling:need": (EVERYONE, NOBODY),
    "pooling:need_create": (ACCOUNTS - {INHABITANT}, NOBODY),
    "pooling:need_edit": (PLATFORM, NOBODY),
    "pooling:need_withdraw": (NOBODY, PLATFORM),
    "pooling:offer": (EVERYONE, NOBODY),
    "pooling:offer_create": (ACCOUNTS - {INHABITANT}, NOBODY),
    "pooling:offer_edit": (PLATFORM, NOBODY),
    "pooling:offer_withdraw": (NOBODY, PLATFORM),
}
