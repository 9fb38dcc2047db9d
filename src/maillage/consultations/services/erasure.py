"""Erase what consultations hold about a person who deletes their account."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from maillage.consultations.models import Contribution


def person_erase(person: Any) -> None:
    """Forget the follow-up address on their contributions; the words stay, unsigned.

    Run before the account's own address is overwritten: contributions left with their
    verified address (before or without an account) are theirs too. No follow-up email goes
    to a blank address.
    """
    theirs = Q(author=person)
    if person.verified_email:
        theirs |= Q(contact_email__iexact=person.verified_email)
    Contribution.objects.filter(theirs).exclude(contact_email="").update(contact_email="")
