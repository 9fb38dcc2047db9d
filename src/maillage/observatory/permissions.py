"""Who may recompute an analysis and interpret its signals: those who run the consultations.

A campaign's facilitator, a facilitator or admin of its territory (or above), or an admin of
the platform; for a territory's analysis, a facilitator or admin of that territory (or above).
Reading the observatory is public wherever the campaign is.
"""

from __future__ import annotations

from typing import Any

import rules

from maillage.consultations.permissions import is_campaign_facilitator, is_territory_facilitator_of
from maillage.core.permissions import ACCOUNT, EVERYONE, NOBODY, STAFF, is_platform_admin


def _subject(obj: Any) -> Any:
    """Return the campaign or territory behind a run, a signal or the subject itself."""
    if obj is None:
        return None
    label = obj._meta.label_lower
    if label == "observatory.weaksignal":
        obj = obj.run
    if obj._meta.label_lower == "observatory.analysisrun":
        return obj.subject
    return obj


@rules.predicate
def steers_the_subject(user: Any, obj: Any) -> bool:
    subject = _subject(obj)
    if subject is None:
        return False
    if subject._meta.label_lower == "consultations.campaign":
        return bool(is_campaign_facilitator(user, subject))
    return bool(is_territory_facilitator_of(user, subject))


can_steer = steers_the_subject | is_platform_admin

rules.add_perm("observatory.request_analysis", can_steer)
rules.add_perm("observatory.interpret_signal", can_steer)


# Who may call each write of this app's API (checked by core/tests/test_authorization_matrix.py):
# ACCOUNT needs an account (the service then checks the role on the object); ANYONE is open.
API_WRITES = {
    "POST /api/observatory/campaigns/{slug}": ACCOUNT,
    "POST /api/observatory/territories/{slug}": ACCOUNT,
}


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "observatory:campaign": (EVERYONE, NOBODY),
    "observatory:campaign_recompute": (NOBODY, STAFF),
    "observatory:campaign_report": (EVERYONE, NOBODY),
    "observatory:signal": (EVERYONE, NOBODY),
    "observatory:territory": (EVERYONE, NOBODY),
    "observatory:territory_recompute": (NOBODY, STAFF),
}
