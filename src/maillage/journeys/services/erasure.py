"""Erase what journeys hold about a person who deletes their account."""

from __future__ import annotations

from typing import Any

from maillage.journeys.models import Response


def person_erase(person: Any) -> None:
    """Delete their self-observation answers: they describe the person, not a shared work.

    The round's published figures were computed from groups large enough to hide anyone; the
    person simply no longer counts in the next ones. Their walks stay, walked by a deleted
    participant.
    """
    Response.objects.filter(respondent=person).delete()
