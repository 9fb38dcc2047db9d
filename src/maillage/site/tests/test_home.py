"""The home page shows what is happening now on the visitor's territory, each item linking to
its page: open consultations, next workshops, latest answers to ideas; nothing private."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings
from django.utils import timezone

from maillage.consultations import services as consultations
from maillage.consultations.tests.conftest import campaign  # noqa: F401
from maillage.workshops import services as workshops


def _workshop(personas: Any, territory: Any, days: int, title: str) -> Any:
    start = timezone.now() + dt.timedelta(days=days)
    return workshops.workshop_create(
        actor=personas.org_admin,
        title=title,
        theme="Mobilité",
        method="world_cafe",
        territory=territory,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        organizers=[personas.organization],
        place="Salle des fêtes",
    )


def test_a_visitor_sees_the_open_consultation_and_next_workshop_of_the_territory(
    client: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    workshop = _workshop(personas, personas.commune, 3, "Atelier des berges")
    _workshop(personas, personas.commune, -3, "Atelier passé")
    page = client.get("/", {"territoire": personas.commune.slug}, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 200
    assert "En ce moment à Commune Test" in html
    assert "Consultations ouvertes" in html
    assert f'href="{campaign.get_absolute_url()}"' in html
    assert "Prochains ateliers" in html
    assert f'href="{workshop.get_absolute_url()}"' in html
    assert "Atelier passé" not in html


def test_another_territory_does_not_show_this_ones_consultation(
    client: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    page = client.get("/", {"territoire": personas.other_commune.slug})
    html = page.content.decode()
    assert page.status_code == 200
    assert campaign.title not in html
    assert "Rien n’est en cours à Autre Commune en ce moment." in html


def test_a_draft_consultation_and_its_answers_stay_off_the_home_page(
    client: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    consultations.response_create(
        campaign=campaign, actor=personas.facilitator, title="Trois bancs commandés"
    )
    shown = client.get("/", {"territoire": personas.commune.slug}).content.decode()
    assert "Dernières réponses aux idées" in shown
    assert "Trois bancs commandés" in shown
    assert f'href="/concertations/{campaign.slug}/suites/"' in shown
    campaign.status = "draft"
    campaign.save(update_fields=["status"])
    hidden = client.get("/", {"territoire": personas.commune.slug}).content.decode()
    assert campaign.title not in hidden
    assert "Trois bancs commandés" not in hidden


def test_a_person_sees_her_own_territory_first_and_an_unknown_choice_falls_back(
    client_as: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    mine = client_as("field_agent").get("/").content.decode()
    assert "En ce moment à Commune Test" in mine
    unknown = client_as("visitor").get("/", {"territoire": "nowhere"})
    assert unknown.status_code == 200
    assert "En ce moment à Région Test" in unknown.content.decode()


@override_settings(SITE_NAME="Ville de Bramont", SITE_LOGO_URL="/static/favicon.svg")
@override_settings(SITE_COLOUR="#7c2d12")
def test_the_operators_name_logo_and_colour_are_on_every_page(client: Any, db: Any) -> None:
    html = client.get("/accessibilite/").content.decode()
    assert "<span>Ville de Bramont</span>" in html
    assert '<img src="/static/favicon.svg" alt=""' in html
    assert "--accent: #7c2d12;" in html
    assert "— Ville de Bramont</title>" in html


def test_an_open_conversation_is_on_the_home_page_until_it_closes(
    client: Any, personas: Any
) -> None:
    from maillage.opinions import services as opinions

    conversation = opinions.conversation_create(
        territory=personas.commune,
        topic="Quel avenir pour la halle ?",
        actor=personas.facilitator,
        seed_statements=["La halle doit rester ouverte le soir."],
    )
    shown = client.get("/", {"territoire": personas.commune.slug}).content.decode()
    assert "Conversations ouvertes au vote" in shown
    assert f'href="{conversation.get_absolute_url()}"' in shown
    conversation.is_open = False
    conversation.save(update_fields=["is_open"])
    closed = client.get("/", {"territoire": personas.commune.slug}).content.decode()
    assert "Quel avenir pour la halle ?" not in closed
