"""Who may run a campaign, capture on the field, moderate and answer."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    NOBODY,
    STAFF,
    TEAM,
    is_platform_admin,
)
from maillage.people.selectors import person_has_territory_role


def _campaign_of(obj: Any) -> Any:
    if obj is None:
        return None
    return obj if obj._meta.label_lower == "consultations.campaign" else obj.campaign


@rules.predicate
def is_campaign_facilitator(user: Any, obj: Any) -> bool:
    """The campaign's facilitator, or a facilitator/admin of its territory (or above)."""
    campaign = _campaign_of(obj)
    if campaign is None or not getattr(user, "is_authenticated", False):
        return False
    if campaign.facilitator_id == user.pk:
        return True
    return person_has_territory_role(user, campaign.territory, ("admin", "facilitator"))


@rules.predicate
def is_on_team(user: Any, obj: Any) -> bool:
    campaign = _campaign_of(obj)
    if campaign is None or not getattr(user, "is_authenticated", False):
        return False
    return campaign.team.filter(pk=user.pk).exists()


@rules.predicate
def is_territory_facilitator_of(user: Any, territory: Any) -> bool:
    return person_has_territory_role(user, territory, ("admin", "facilitator"))


@rules.predicate
def campaign_is_public(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.is_public


can_manage = is_campaign_facilitator | is_platform_admin

rules.add_perm("consultations.add_campaign", is_territory_facilitator_of | is_platform_admin)
rules.add_perm("consultations.view_campaign", campaign_is_public | can_manage)
rules.add_perm("consultations.change_campaign", can_manage)
rules.add_perm("consultations.capture_contribution", is_on_team | can_manage)
rules.add_perm("consultations.moderate_contribution", can_manage)
rules.add_perm("consultations.answer_contribution", can_manage)
rules.add_perm("consultations.import_contributions", can_manage)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/consultations/sync": ACCOUNT,
    "POST /api/consultations/contributions/{uuid}/photo": ACCOUNT,
    "POST /api/consultations/campaigns": ACCOUNT,
    "PATCH /api/consultations/campaigns/{slug}": ACCOUNT,
    "POST /api/consultations/campaigns/{slug}/open": ACCOUNT,
    "POST /api/consultations/campaigns/{slug}/close": ACCOUNT,
    "POST /api/consultations/campaigns/{slug}/archive": ACCOUNT,
    "POST /api/consultations/campaigns/{slug}/team": ACCOUNT,
    "DELETE /api/consultations/campaigns/{slug}/team/{person_id}": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "consultations:contribute": (EVERYONE, NOBODY),
    "consultations:detail": (EVERYONE, NOBODY),
    "consultations:edit": (STAFF, NOBODY),
    "consultations:field": (TEAM, NOBODY),
    "consultations:follow_up": (EVERYONE, NOBODY),
    "consultations:import": (STAFF, NOBODY),
    "consultations:index": (EVERYONE, NOBODY),
    "consultations:manage": (STAFF, NOBODY),
    "consultations:manage_index": (ACCOUNTS, NOBODY),
    "consultations:manage_questions": (STAFF, NOBODY),
    "consultations:manage_sites": (STAFF, STAFF),
    "consultations:manage_team": (STAFF, NOBODY),
    "consultations:manifest": (EVERYONE, NOBODY),
    "consultations:moderate": (NOBODY, NOBODY),
    "consultations:moderate_bulk": (NOBODY, NOBODY),
    "consultations:moderation": (STAFF, NOBODY),
    "consultations:move": (NOBODY, STAFF),
    "consultations:new": (STAFF, NOBODY),
    "consultations:photo": (EVERYONE, NOBODY),
    "consultations:redact": (STAFF, NOBODY),
    "consultations:response_edit": (STAFF, NOBODY),
    "consultations:response_update": (NOBODY, NOBODY),
    "consultations:responses_manage": (STAFF, NOBODY),
    "consultations:service_worker": (EVERYONE, NOBODY),
    "consultations:thanks": (EVERYONE, NOBODY),
}
