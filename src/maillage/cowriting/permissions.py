"""Who may read, write, comment, invite, propose and co-sign a shared work."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import (
    ACCOUNT,
    ACCOUNTS,
    EVERYONE,
    INHABITANT,
    NOBODY,
    PLATFORM_ADMIN,
    is_participant,
    is_platform_admin,
)
from maillage.cowriting.models import Participant, SharedWork
from maillage.organizations.permissions import is_organization_admin, is_organization_member


def participant_role(user: Any, work: SharedWork | None) -> str | None:
    """Return ``user``'s role on ``work`` (cached on the work for the request), or None."""
    if work is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cache: dict[int, str | None] = work.__dict__.setdefault("_role_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Participant.objects.filter(work=work, person=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


@rules.predicate
def is_public_work(user: Any, work: SharedWork | None) -> bool:
    return work is not None and work.is_public


@rules.predicate
def is_work_participant(user: Any, work: SharedWork | None) -> bool:
    return participant_role(user, work) is not None


@rules.predicate
def is_work_writer(user: Any, work: SharedWork | None) -> bool:
    return participant_role(user, work) == Participant.Role.WRITER


@rules.predicate
def is_work_commenter(user: Any, work: SharedWork | None) -> bool:
    return participant_role(user, work) in (Participant.Role.WRITER, Participant.Role.COMMENTER)


@rules.predicate
def is_work_organization_admin(user: Any, work: SharedWork | None) -> bool:
    return work is not None and is_organization_admin(user, work.organization)


@rules.predicate
def is_work_owner(user: Any, work: SharedWork | None) -> bool:
    """The person who started the work, while still one of its writers."""
    return (
        work is not None
        and work.created_by_id is not None
        and work.created_by_id == getattr(user, "pk", None)
        and is_work_writer(user, work)
    )


@rules.predicate
def may_create_for_organization(user: Any, organization: Any) -> bool:
    """A member of the organization may start a work owned by it."""
    return organization is not None and is_organization_member(user, organization)


rules.add_perm("cowriting.view_work", is_public_work | is_work_participant | is_platform_admin)
rules.add_perm("cowriting.write_work", is_work_writer)
rules.add_perm("cowriting.comment_work", is_work_commenter)
# Snowball: every writer may invite others; the owner organization's admins may too.
rules.add_perm("cowriting.invite_to_work", is_work_writer | is_work_organization_admin)
rules.add_perm("cowriting.change_work", is_work_writer | is_work_organization_admin)
# Changing someone's role can make them a co-author or take their consent away: only the
# work's stewards (its owner organization's admins, or the person who started it) may.
rules.add_perm("cowriting.change_participant_role", is_work_owner | is_work_organization_admin)
rules.add_perm("cowriting.name_version", is_work_writer)
rules.add_perm("cowriting.propose_publication", is_work_writer)
rules.add_perm("cowriting.cosign", is_work_writer)
rules.add_perm(
    "cowriting.add_work_for_organization",
    is_participant & (may_create_for_organization | is_platform_admin),
)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the work).
API_WRITES = {
    "PATCH /api/cowriting/works/{work_id}": ACCOUNT,
    "POST /api/cowriting/works/{work_id}/archive": ACCOUNT,
    "POST /api/cowriting/works/{work_id}/unarchive": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "cowriting:archive": (NOBODY, NOBODY),
    "cowriting:authors": (EVERYONE, NOBODY),
    "cowriting:comment": (NOBODY, NOBODY),
    "cowriting:comment_resolve": (NOBODY, ACCOUNTS - {INHABITANT}),
    "cowriting:detail": (EVERYONE, NOBODY),
    "cowriting:index": (EVERYONE, NOBODY),
    "cowriting:invite": (NOBODY, NOBODY),
    "cowriting:new": (ACCOUNTS, NOBODY),
    "cowriting:objective": (NOBODY, ACCOUNTS - {PLATFORM_ADMIN, INHABITANT}),
    "cowriting:publication": (EVERYONE, NOBODY),
    "cowriting:published": (EVERYONE, NOBODY),
    "cowriting:published_html": (EVERYONE, NOBODY),
    "cowriting:published_list": (EVERYONE, NOBODY),
    "cowriting:published_markdown": (EVERYONE, NOBODY),
    "cowriting:settings": (ACCOUNTS - {INHABITANT}, NOBODY),
    "cowriting:versions": (EVERYONE, NOBODY),
}
