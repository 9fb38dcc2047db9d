"""An inhabitant follows what she gave: her contributions with their status and responses, her
votes and statements, her workshop registrations; nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from maillage.consultations import services as consultations
from maillage.consultations.tests.conftest import campaign, make_record  # noqa: F401
from maillage.opinions import services as opinions
from maillage.workshops import services as workshops

URL = "/ma-participation/"


def _contribute(client: Any, campaign: Any, site: Any, text: str) -> None:  # noqa: F811
    response = client.post(
        reverse("consultations:contribute", args=[campaign.slug]),
        {"site": site.pk, "text": text, "consent": "on", "contact_email": ""},
    )
    assert response.status_code == 302, response.content


def test_her_contributions_votes_and_registrations_are_shown_with_the_responses(
    client_as: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    client = client_as("participant")
    _contribute(client, campaign, personas.site, "Un banc à l'ombre du tilleul.")
    mine = campaign.contributions.get()
    consultations.response_create(
        campaign=campaign,
        actor=personas.facilitator,
        title="Trois bancs commandés",
        status="retained",
        contribution_ids=[mine.pk],
    )
    conversation = opinions.conversation_create(
        territory=personas.commune,
        topic="La rue aux enfants",
        actor=personas.facilitator,
        seed_statements=["Fermer la rue le dimanche", "Planter des arbres"],
    )
    participant = opinions.participant_get_or_create(
        conversation=conversation, person=personas.participant
    )
    first, second = conversation.statements.order_by("pk")
    opinions.vote_cast(participant=participant, statement=first, value=1)
    opinions.vote_cast(participant=participant, statement=second, value=-1)
    start = timezone.now() + dt.timedelta(days=5)
    workshop = workshops.workshop_create(
        actor=personas.org_admin,
        title="Atelier des places",
        theme="Espace public",
        method="World café",
        territory=personas.commune,
        place="Salle des fêtes",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
        organizers=[personas.organization],
    )
    workshops.registration_create(workshop=workshop, actor=personas.participant)

    page = client.get(URL).content.decode()
    assert "Un banc à l&#x27;ombre du tilleul." in page
    assert "Trois bancs commandés" in page and "Retenue" in page
    assert "La rue aux enfants" in page and "1 d’accord, 1 pas d’accord, 0 passés" in page
    assert "Atelier des places" in page


def test_nothing_of_another_person_is_shown(
    client_as: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    _contribute(client_as("participant"), campaign, personas.site, "Mon idée à moi.")
    page = client_as("facilitator").get(URL).content.decode()
    assert "Mon idée à moi." not in page
    assert "Rien pour l’instant." in page


def test_a_visitor_is_asked_to_log_in(client_as: Any) -> None:
    response = client_as("visitor").get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_the_form_prefills_her_email_and_the_thanks_page_links_her_participation(
    client_as: Any,
    personas: Any,
    campaign: Any,  # noqa: F811
) -> None:
    client = client_as("participant")
    form = client.get(reverse("consultations:contribute", args=[campaign.slug])).content.decode()
    assert 'value="participant@example.org"' in form
    # The spam trap is out of sight and out of the accessibility tree.
    assert 'class="honeypot" aria-hidden="true"' in form and 'tabindex="-1"' in form
    thanks = client.get(reverse("consultations:thanks", args=[campaign.slug])).content.decode()
    assert URL in thanks
    anonymous = client_as("visitor").get(reverse("consultations:thanks", args=[campaign.slug]))
    assert URL not in anonymous.content.decode()
