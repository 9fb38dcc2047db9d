"""Who may organize a journey, walk it, record encounters, and read notes; self-observation."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.periods import active_q
from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    FACILITATOR,
    MEMBER,
    NOBODY,
    ORG_ADMIN,
    PLATFORM_ADMIN,
    STAFF,
    TERRITORY_ADMIN,
    is_participant,
    is_platform_admin,
)
from maillage.organizations.permissions import is_organization_admin, is_organization_member
from maillage.people.models import TerritoryRole
from maillage.people.permissions import is_territory_facilitator
from maillage.people.selectors import person_has_territory_role


@rules.predicate
def is_walker(user: Any, journey: Any) -> bool:
    if journey is None or not getattr(user, "is_authenticated", False):
        return False
    cache: dict[int, bool] = journey.__dict__.setdefault("_walker_cache", {})
    if user.pk not in cache:
        cache[user.pk] = journey.walkers.filter(pk=user.pk).exists()
    return cache[user.pk]


@rules.predicate
def journey_is_public(user: Any, journey: Any) -> bool:
    return journey is not None and journey.is_public


@rules.predicate
def is_any_facilitator(user: Any) -> bool:
    """A facilitator or admin of some territory: they edit the self-observation questions."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        TerritoryRole.objects.filter(person=user, role__in=("admin", "facilitator"))
        .filter(active_q())
        .exists()
    )


@rules.predicate
def round_is_open_to(user: Any, round_: Any) -> bool:
    """A personal round is open to every participant; a collective's to its members."""
    if round_ is None or not getattr(user, "is_authenticated", False):
        return False
    return round_.organization_id is None or is_organization_member(user, round_.organization)


@rules.predicate
def is_collective_member(user: Any, organization: Any) -> bool:
    return is_organization_member(user, organization)


@rules.predicate
def facilitates_where_collective_acts(user: Any, organization: Any) -> bool:
    """A facilitator (or admin) of a territory where the collective is active, or above it."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        person_has_territory_role(user, territory, ("admin", "facilitator"))
        for territory in organization.territories.all()
    )


can_manage = is_territory_facilitator | is_walker | is_platform_admin

rules.add_perm("journeys.add_journey", is_territory_facilitator | is_platform_admin)
rules.add_perm("journeys.view_journey", journey_is_public | can_manage)
rules.add_perm("journeys.change_journey", can_manage)
rules.add_perm("journeys.record_encounter", is_walker | is_territory_facilitator)
# Notes were taken for the walkers' common work, not for the public.
rules.add_perm("journeys.view_notes", can_manage)
rules.add_perm("journeys.start_account", is_walker)
rules.add_perm("journeys.change_questionnaire", is_any_facilitator | is_platform_admin)
rules.add_perm("journeys.answer_round", is_participant & round_is_open_to)
# A collective's round: its admins, or the facilitators of the territories where it acts.
rules.add_perm(
    "journeys.open_collective_round",
    is_organization_admin | facilitates_where_collective_acts | is_platform_admin,
)
rules.add_perm("journeys.view_collective", is_collective_member | is_platform_admin)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/journeys/sync": ACCOUNT,
    "POST /api/journeys/{slug}/route": ACCOUNT,
    "POST /api/journeys/self-observation/rounds/{round_id}/answers": ACCOUNT,
    "POST /api/journeys/self-observation/rounds": ACCOUNT,
    "POST /api/journeys/self-observation/rounds/{round_id}/close": ACCOUNT,
    "POST /api/journeys/self-observation/questions": ACCOUNT,
    "PATCH /api/journeys/self-observation/questions/{key}": ACCOUNT,
    "DELETE /api/journeys/self-observation/questions/{key}": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "journeys:account_start": (NOBODY, NOBODY),
    "journeys:collective": (frozenset({PLATFORM_ADMIN, ORG_ADMIN, MEMBER}), NOBODY),
    "journeys:create": (ACCOUNTS, NOBODY),
    "journeys:detail": (EVERYONE, NOBODY),
    "journeys:encounter": (
        frozenset({PLATFORM_ADMIN, TERRITORY_ADMIN, FACILITATOR, MEMBER}),
        NOBODY,
    ),
    "journeys:gpx_export": (EVERYONE, NOBODY),
    "journeys:gpx_import": (NOBODY, NOBODY),
    "journeys:index": (EVERYONE, NOBODY),
    "journeys:observation": (EVERYONE, NOBODY),
    "journeys:questions": (STAFF, NOBODY),
    "journeys:round_answer": (frozenset({PLATFORM_ADMIN, ORG_ADMIN, MEMBER}), NOBODY),
    "journeys:round_close": (NOBODY, STAFF | {ORG_ADMIN}),
    "journeys:round_create": (
        frozenset({PLATFORM_ADMIN, TERRITORY_ADMIN, FACILITATOR, ORG_ADMIN}),
        NOBODY,
    ),
    "journeys:service_worker": (EVERYONE, NOBODY),
    "journeys:stage_add": (NOBODY, NOBODY),
}
