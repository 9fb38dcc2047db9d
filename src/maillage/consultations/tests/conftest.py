"""Fixtures: an open campaign on the personas' territory, with two sites and one agent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

QUESTIONS = [
    {"id": "calm", "kind": "scale", "label": "Calme ?", "min": 1, "max": 5},
    {"id": "moment", "kind": "single", "label": "Quand ?", "options": ["Matin", "Soir"]},
    {"id": "uses", "kind": "multiple", "label": "Usages", "options": ["Jouer", "Lire", "Marcher"]},
]
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[7.36, 47.76], [7.362, 47.76], [7.362, 47.761], [7.36, 47.761], [7.36, 47.76]]
    ],
}


@pytest.fixture(autouse=True)
def _memory_cache(settings: Any) -> None:
    """Keep cached counts out of the SQL query budgets, as Redis does in production.

    Without REDIS_URL the cache is a database table, and each cache read would count as a
    query of the page under test.
    """
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    # Ids repeat from one test to the next: no count may outlive its test.
    cache.clear()


@pytest.fixture
def campaign(personas: Any) -> Any:
    from maillage.consultations.services import campaign_create
    from maillage.territories.services import territory_create

    second = territory_create(
        name="Square Test", kind="site", parent=personas.neighbourhood, geometry=SQUARE
    )
    return campaign_create(
        actor=personas.facilitator,
        title="Comment vous sentir ici",
        territory=personas.commune,
        open_question="Comment avez-vous envie de vous sentir dans cet espace public ?",
        closed_questions=QUESTIONS,
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 6, 30),
        sites=[personas.site, second],
        team=[personas.field_agent],
        facilitator=personas.facilitator,
        status="open",
    )


@pytest.fixture
def outside_site(personas: Any) -> Any:
    """A public space of the territory that is not one of the campaign's sites."""
    from maillage.territories.services import territory_create

    return territory_create(name="Parvis Hors Campagne", kind="site", parent=personas.neighbourhood)


def make_record(campaign: Any, place: Any, /, **changes: Any) -> dict[str, Any]:
    """Return a valid sync record, as the phone sends it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "campaign": campaign.slug,
        "site": place.pk,
        "text": "Je voudrais me sentir en sécurité le soir, avec plus de lumière.",
        "answers": {"calm": 4, "moment": "Soir", "uses": ["Lire", "Marcher"]},
        "age_band": "30_44",
        "relation": "lives",
        "consent": True,
        "captured_at": "2026-05-14T10:30:00+02:00",
        "contact_email": "",
    }
    record.update(changes)
    return record


def publish_all(campaign: Any, actor: Any) -> None:
    """Publish every consented contribution of ``campaign``."""
    from maillage.consultations.models import Contribution

    Contribution.objects.filter(campaign=campaign, consent_publication=True).update(
        status=Contribution.Status.PUBLISHED
    )
