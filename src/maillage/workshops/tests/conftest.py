"""Fixtures: a workshop of the personas' association, with 3 places."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def workshop(personas: Any) -> Any:
    from maillage.workshops.services import workshop_create

    start = timezone.now() + dt.timedelta(days=10)
    return workshop_create(
        actor=personas.org_admin,
        title="Atelier : la rue aux enfants, sans chef d'orchestre",
        theme="Espace public, enfance",
        method="World café; design fiction",
        territory=personas.commune,
        place="Fabrique, 12 rue des Tisserands",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=3,
        organizers=[personas.organization],
    )


def register(workshop: Any, n: int, **profile: Any) -> list[Any]:
    from django.contrib.auth.models import AnonymousUser

    from maillage.workshops.services import registration_create

    return [
        registration_create(
            workshop=workshop,
            actor=AnonymousUser(),
            name=f"Personne {i}",
            email=f"p{i}-{profile.get('sector', 'x')}@example.org",
            **profile,
        )
        for i in range(n)
    ]
