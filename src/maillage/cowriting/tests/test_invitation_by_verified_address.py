"""An invitation to a work goes only to the owner of a verified address, and says nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.cowriting import services
from maillage.people.models import Person

pytestmark = pytest.mark.django_db


def _invite(client: Any, work: Any, email: str) -> str:
    response = client.post(
        reverse("cowriting:invite", args=[work.pk]), {"email": email, "role": "writer"}, follow=True
    )
    return " ".join(str(m) for m in response.context["messages"])


def test_a_squatter_of_an_unverified_address_is_not_let_into_a_work(
    work: Any, personas: Any, client_as: Any
) -> None:
    squatter = Person.objects.create_user(
        "invitee@example.org", "x-long-password-1", display_name="S", email_verified=False
    )
    client = client_as("facilitator")
    unknown = _invite(client, work, "nobody@example.org")
    unverified = _invite(client, work, "invitee@example.org")
    assert unknown == unverified  # nothing tells whether the address has an account
    assert not work.participants.filter(person=squatter).exists()
    with pytest.raises(ValidationError):
        services.participant_invite(
            work=work, actor=personas.facilitator, person=squatter, role="writer"
        )


def test_the_owner_of_a_verified_address_is_invited_with_the_same_message(
    work: Any, personas: Any, client_as: Any
) -> None:
    client = client_as("facilitator")
    unknown = _invite(client, work, "nobody@example.org")
    known = _invite(client, work, personas.territory_admin.email)
    assert unknown == known
    assert work.participants.filter(person=personas.territory_admin).exists()
