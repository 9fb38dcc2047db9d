"""Who may read and act in circles: members take part, the facilitator runs the rounds.

Every object permission takes the circle's object (circle, decision, round, poll, election)
and finds its circle; observers read public circles and nothing of private ones.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from maillage.core.periods import active_q
from maillage.core.permissions import (
    ACCOUNT,
    EVERYONE,
    FACILITATOR,
    MEMBER,
    NOBODY,
    ORG_ADMIN,
    PLATFORM_ADMIN,
    STAFF,
    TERRITORY_ADMIN,
    is_platform_admin,
)
from maillage.organizations.permissions import is_organization_admin
from maillage.people.models import TerritoryRole
from maillage.people.selectors import person_has_territory_role


def circle_of(obj: Any) -> Any:
    """Return the circle an object of this app belongs to (itself for a circle)."""
    if obj is None:
        return None
    label = obj._meta.label_lower
    if label == "decisions.circle":
        return obj
    if label == "decisions.round":
        return obj.decision.circle
    return obj.circle


def decision_of(obj: Any) -> Any:
    """Return the decision of a decision or a round."""
    return obj.decision if obj._meta.label_lower == "decisions.round" else obj


def person_is_member(user: Any, circle: Any) -> bool:
    """Return whether ``user`` is an active member of ``circle``."""
    if circle is None or not getattr(user, "is_authenticated", False):
        return False
    return circle.memberships.filter(person=user).filter(active_q()).exists()


@rules.predicate
def is_circle_member(user: Any, obj: Any) -> bool:
    return person_is_member(user, circle_of(obj))


@rules.predicate
def is_public_circle(user: Any, obj: Any) -> bool:
    circle = circle_of(obj)
    return circle is not None and circle.is_public


@rules.predicate
def is_circle_steward(user: Any, obj: Any) -> bool:
    """The admins of the circle's organization or of its territory set the circle up."""
    circle = circle_of(obj)
    if circle is None or not getattr(user, "is_authenticated", False):
        return False
    if circle.organization_id and is_organization_admin(user, circle.organization):
        return True
    return person_has_territory_role(user, circle.territory, (TerritoryRole.Role.ADMIN,))


@rules.predicate
def is_decision_facilitator(user: Any, obj: Any) -> bool:
    decision = decision_of(obj)
    return (
        getattr(user, "is_authenticated", False)
        and decision.facilitator_id == user.pk
        and person_is_member(user, decision.circle)
    )


@rules.predicate
def is_decision_author(user: Any, obj: Any) -> bool:
    decision = decision_of(obj)
    return (
        getattr(user, "is_authenticated", False)
        and decision.author_id == user.pk
        and person_is_member(user, decision.circle)
    )


@rules.predicate
def is_poll_opener(user: Any, poll: Any) -> bool:
    return getattr(user, "is_authenticated", False) and poll.opened_by_id == user.pk


@rules.predicate
def is_election_facilitator(user: Any, election: Any) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and election.facilitator_id == user.pk
        and person_is_member(user, election.circle)
    )


rules.add_perm(
    "decisions.view_circle",
    is_public_circle | is_circle_member | is_circle_steward | is_platform_admin,
)
rules.add_perm("decisions.manage_circle", is_circle_steward | is_platform_admin)
rules.add_perm("decisions.take_part", is_circle_member)
rules.add_perm("decisions.propose", is_circle_member)
rules.add_perm("decisions.facilitate", is_decision_facilitator)
rules.add_perm("decisions.amend", is_decision_author | is_decision_facilitator)
rules.add_perm("decisions.assign_roles", is_circle_member | is_circle_steward)
rules.add_perm("decisions.open_poll", is_circle_member)
rules.add_perm("decisions.close_poll", (is_poll_opener & is_circle_member) | is_circle_steward)
rules.add_perm("decisions.run_election", is_election_facilitator)
rules.add_perm("decisions.open_election", is_circle_member | is_circle_steward)


def can(user: Any, permission: str, obj: Any = None) -> bool:
    """Return whether ``user`` holds ``permission`` by its rule alone.

    Django grants every permission to superusers; taking part and facilitating are for the
    circle's members and the facilitator only, so those are checked without that shortcut.
    """
    return rules.has_perm(permission, user, obj)


def require_rule(user: Any, permission: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless the rule of ``permission`` holds for ``user``."""
    if not can(user, permission, obj):
        raise PermissionDenied(permission)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "PATCH /api/decisions/delegations/{delegation_id}": ACCOUNT,
    "POST /api/decisions/decisions/{decision_id}/rounds": ACCOUNT,
    "POST /api/decisions/delegations/{delegation_id}/end": ACCOUNT,
    "POST /api/decisions/notes/{note_id}/reply": ACCOUNT,
    "POST /api/decisions/rounds/{round_id}/close": ACCOUNT,
    "POST /api/decisions/turns/{turn_id}/take-over": ACCOUNT,
    "POST /api/decisions/rounds/{round_id}/answers": ACCOUNT,
    "POST /api/decisions/polls/{poll_id}/grades": ACCOUNT,
    "POST /api/decisions/circles": ACCOUNT,
    "PATCH /api/decisions/circles/{slug}": ACCOUNT,
    "POST /api/decisions/circles/{slug}/archive": ACCOUNT,
    "POST /api/decisions/circles/{slug}/delegations": ACCOUNT,
    "POST /api/decisions/circles/{slug}/members": ACCOUNT,
    "POST /api/decisions/members/{membership_id}/end": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "decisions:amend": (frozenset({FACILITATOR, ORG_ADMIN}), NOBODY),
    "decisions:answer": (frozenset({TERRITORY_ADMIN, FACILITATOR, ORG_ADMIN, MEMBER}), NOBODY),
    "decisions:assign_roles": (NOBODY, NOBODY),
    "decisions:circle": (EVERYONE, NOBODY),
    "decisions:circle_archive": (NOBODY, NOBODY),
    "decisions:circle_create": (frozenset({PLATFORM_ADMIN, TERRITORY_ADMIN, ORG_ADMIN}), NOBODY),
    "decisions:circle_edit": (STAFF - {FACILITATOR}, NOBODY),
    "decisions:decision": (EVERYONE, NOBODY),
    "decisions:delegation_add": (STAFF - {FACILITATOR}, NOBODY),
    "decisions:delegation_edit": (STAFF - {FACILITATOR}, NOBODY),
    "decisions:delegation_end": (NOBODY, STAFF - {FACILITATOR}),
    "decisions:election": (EVERYONE, NOBODY),
    "decisions:election_act": (NOBODY, NOBODY),
    "decisions:election_create": (NOBODY, NOBODY),
    "decisions:feed": (EVERYONE, NOBODY),
    "decisions:index": (EVERYONE, NOBODY),
    "decisions:meeting_roles": (NOBODY, NOBODY),
    "decisions:member_add": (STAFF - {FACILITATOR}, NOBODY),
    "decisions:member_end": (NOBODY, STAFF),
    "decisions:note": (NOBODY, NOBODY),
    "decisions:note_reply": (NOBODY, NOBODY),
    "decisions:poll": (EVERYONE, NOBODY),
    "decisions:poll_close": (NOBODY, NOBODY),
    "decisions:poll_create": (NOBODY, NOBODY),
    "decisions:propose": (frozenset({TERRITORY_ADMIN, FACILITATOR, ORG_ADMIN, MEMBER}), NOBODY),
    "decisions:register": (EVERYONE, NOBODY),
    "decisions:rotation": (EVERYONE, NOBODY),
    "decisions:round_close": (NOBODY, NOBODY),
    "decisions:round_open": (NOBODY, NOBODY),
    "decisions:turn_pass": (NOBODY, frozenset({FACILITATOR})),
    "decisions:turn_take_over": (NOBODY, frozenset({TERRITORY_ADMIN, ORG_ADMIN, MEMBER})),
    "decisions:unavailability": (NOBODY, NOBODY),
    "decisions:withdraw": (NOBODY, NOBODY),
}
