"""Fixtures: two other organizations on the personas' territory, an offer and a need."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

TODAY = dt.date.today()


@pytest.fixture
def partner(personas: Any) -> Any:
    from maillage.organizations.services import organization_create

    return organization_create(
        name="Fablab Test", kind="association", territories=[personas.commune]
    )


@pytest.fixture
def partner_member(partner: Any) -> Any:
    """A member of the partner organization (who confirms what the personas' one records)."""
    from maillage.organizations.models import Membership
    from maillage.people.models import Person

    person = Person.objects.create_user(
        "fablab@example.org", "correct horse battery staple", display_name="fablab"
    )
    Membership.objects.create(person=person, organization=partner)
    return person


@pytest.fixture
def outsider_org(personas: Any) -> Any:
    from maillage.organizations.services import organization_create

    return organization_create(
        name="Entreprise Tierce", kind="business", territories=[personas.other_commune]
    )


def listing(kind: str, actor: Any, organization: Any, territory: Any, **changes: Any) -> Any:
    from maillage.pooling.services import listing_create

    fields = {
        "category": "equipment",
        "title": "Prêt d'une imprimante 3D",
        "description": "Une imprimante 3D et de la formation pour s'en servir.",
        "available_from": TODAY,
        "available_until": TODAY + dt.timedelta(days=90),
        "conditions": "free",
    }
    fields.update(changes)
    return listing_create(
        kind=kind, actor=actor, organization=organization, territory=territory, **fields
    )
