"""Who may run, moderate and take part in conversations."""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import ACCOUNT, EVERYONE, NOBODY, STAFF, is_platform_admin
from maillage.people.permissions import is_territory_facilitator


@rules.predicate
def is_conversation_facilitator(user: Any, conversation: Any) -> bool:
    if conversation is None or not getattr(user, "is_authenticated", False):
        return False
    return conversation.facilitator_id == user.pk or is_territory_facilitator(
        user, conversation.territory
    )


@rules.predicate
def may_create_here(user: Any, territory: Any) -> bool:
    return is_territory_facilitator(user, territory)


rules.add_perm("opinions.add_conversation", may_create_here | is_platform_admin)
rules.add_perm("opinions.moderate_conversation", is_conversation_facilitator | is_platform_admin)
rules.add_perm("opinions.view_conversation", rules.always_allow)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/opinions/conversations/{slug}/votes": ACCOUNT,
    "POST /api/opinions/conversations": ACCOUNT,
    "PATCH /api/opinions/conversations/{slug}": ACCOUNT,
    "POST /api/opinions/conversations/{slug}/close": ACCOUNT,
    "POST /api/opinions/conversations/{slug}/reopen": ACCOUNT,
    "POST /api/opinions/conversations/{slug}/statements": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "opinions:create": (STAFF, NOBODY),
    "opinions:detail": (EVERYONE, NOBODY),
    "opinions:edit": (STAFF, NOBODY),
    "opinions:index": (EVERYONE, NOBODY),
    "opinions:moderation": (STAFF, NOBODY),
    "opinions:open_or_close": (NOBODY, STAFF),
    "opinions:report": (EVERYONE, NOBODY),
    "opinions:skip": (NOBODY, NOBODY),
    # Anyone may take part, as in Polis: even a refused statement records its author as a
    # participant of the conversation.
    "opinions:submit": (NOBODY, EVERYONE),
    "opinions:vote": (NOBODY, NOBODY),
}
