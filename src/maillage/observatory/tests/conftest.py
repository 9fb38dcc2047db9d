"""Fixtures: a campaign whose inhabitants speak of three themes, and a word rising at the end."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from typing import Any

import pytest

START = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)
DAYS = 12
THEMES = {
    "lumière": [
        "Il faudrait plus d'éclairage le soir, la place est trop sombre la nuit.",
        "Le soir on ne se sent pas en sécurité, il manque des lampadaires.",
        "Un meilleur éclairage public rendrait la place plus sûre la nuit.",
        "Les lampadaires sont éteints trop tôt, on rentre dans le noir.",
    ],
    "enfants": [
        "Les enfants ont besoin d'une aire de jeux avec des toboggans.",
        "Une aire de jeux pour les petits enfants serait bienvenue ici.",
        "Il manque des jeux pour les enfants et des bancs pour les parents.",
        "Les familles voudraient des jeux d'enfants et un bac à sable.",
    ],
    "arbres": [
        "Plantez des arbres pour avoir de l'ombre quand il fait chaud l'été.",
        "Il fait trop chaud en été, des arbres donneraient de l'ombre.",
        "Plus d'arbres et de fontaines contre la chaleur de l'été.",
        "L'ombre des arbres manque, la place est une fournaise en été.",
    ],
}
TAILS = ["", " Merci.", " C'est important pour le quartier.", " Vivement les travaux !", " Voilà."]
RISING = "Les moustiques envahissent la fontaine depuis quelques jours, il faut agir."


def make_contributions(
    campaign: Any, sites: list[Any], texts: list[str], *, status: str = "published", start=START
) -> list[Any]:
    """Create one contribution per text, spread over the days in order (as moderated ones)."""
    from maillage.consultations.models import Contribution

    rows = []
    for index, text in enumerate(texts):
        rows.append(
            Contribution(
                client_uuid=uuid.uuid4(),
                campaign=campaign,
                site=sites[index % len(sites)],
                text=text,
                consent_publication=status != "private",
                source="field",
                status=status,
                hidden_reason="insult" if status == "hidden" else "",
                age_band=["18_29", "30_44", "45_59", ""][index % 4],
                payload_hash=hashlib.sha256(text.encode()).hexdigest(),
                captured_at=start + dt.timedelta(hours=index * DAYS * 24 // max(len(texts), 1)),
            )
        )
    return Contribution.objects.bulk_create(rows)


def three_theme_texts(count: int = 150, seed: int = 7) -> list[str]:
    """Return ``count`` French contributions on three themes; the last fifth adds mosquitoes."""
    rng = random.Random(seed)
    texts = []
    for index in range(count):
        theme = list(THEMES)[index % 3]
        text = rng.choice(THEMES[theme]) + rng.choice(TAILS)
        if index > count * 0.8 and rng.random() < 0.7:
            text = f"{RISING} {text}"
        texts.append(text)
    return texts


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Run in English, the language of the msgids, whatever the French catalogue holds."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(personas: Any) -> Any:
    from maillage.consultations.services import campaign_create
    from maillage.territories.services import territory_create

    second = territory_create(
        name="Square Observatoire",
        kind="site",
        parent=personas.neighbourhood,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[7.36, 47.76], [7.362, 47.76], [7.362, 47.761], [7.36, 47.761], [7.36, 47.76]]
            ],
        },
    )
    return campaign_create(
        actor=personas.facilitator,
        title="Nos places cet été",
        territory=personas.commune,
        open_question="Comment avez-vous envie de vous sentir sur cette place ?",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 6, 30),
        sites=[personas.site, second],
        team=[personas.field_agent],
        facilitator=personas.facilitator,
        status="open",
    )


@pytest.fixture
def analysed(campaign: Any) -> Any:
    """Return the campaign's done analysis over 150 published contributions."""
    from maillage.observatory.services import analysis_queue, analysis_run_pending

    make_contributions(campaign, list(campaign.sites.order_by("pk")), three_theme_texts())
    run = analysis_queue(campaign=campaign, wake=False, parameters={"n_themes": 3})
    analysis_run_pending()
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run
