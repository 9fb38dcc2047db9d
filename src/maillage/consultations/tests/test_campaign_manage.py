"""The participation service runs its campaigns in its own pages: create, edit, questions,
sites, team, open, close, archive; each write through the services, permission-checked and
audited, each bad input refused with a clear message."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maillage.consultations.models import Campaign
from maillage.consultations.services import campaign_create
from maillage.core.models import AuditEntry
from maillage.people.models import Person, TerritoryRole
from maillage.territories.services import territory_create

RUNNERS = ["facilitator", "territory_admin", "platform_admin"]
OTHERS = ["visitor", "participant", "field_agent", "org_admin"]


@pytest.fixture
def draft(personas: Any) -> Campaign:
    return campaign_create(
        actor=personas.facilitator,
        title="Place du marché",
        territory=personas.commune,
        open_question="Comment voulez-vous vous sentir ici ?",
        starts_on="2026-05-01",
        ends_on="2026-06-30",
    )


def _new_campaign_data(territory: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "territory": territory.pk,
        "title": "Parc des Berges",
        "open_question": "Comment voulez-vous vous sentir dans ce parc ?",
        "description": "",
        "starts_on": "2026-09-01",
        "ends_on": "2026-10-31",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", RUNNERS)
def test_runner_creates_a_draft_campaign_in_the_page(client_as: Any, personas: Any, role) -> None:
    client = client_as(role)
    response = client.post(reverse("consultations:new"), _new_campaign_data(personas.commune))
    campaign = Campaign.objects.get(title="Parc des Berges")
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:manage", args=[campaign.slug])
    assert campaign.status == Campaign.Status.DRAFT
    assert AuditEntry.objects.filter(
        action="consultations.campaign.create", target_id=str(campaign.pk)
    ).exists()


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_create_a_campaign(client_as: Any, personas: Any, role) -> None:
    client = client_as(role)
    response = client.post(reverse("consultations:new"), _new_campaign_data(personas.commune))
    assert response.status_code in (302, 403)
    if role == "visitor":
        assert response["Location"].startswith(reverse("people:login"))
    assert not Campaign.objects.exists()


def test_facilitator_cannot_create_a_campaign_on_another_commune(
    client_as: Any, personas: Any
) -> None:
    client = client_as("facilitator")
    response = client.post(reverse("consultations:new"), _new_campaign_data(personas.other_commune))
    assert response.status_code == 200
    assert response.context["form"].errors["territory"]
    assert not Campaign.objects.exists()


def test_campaign_whose_end_precedes_its_start_is_refused_in_french(
    client_as: Any, personas: Any
) -> None:
    client = client_as("facilitator")
    response = client.post(
        reverse("consultations:new"),
        _new_campaign_data(personas.commune, starts_on="2026-10-01", ends_on="2026-09-01"),
    )
    assert response.status_code == 200
    assert "La date de fin précède la date de début." in response.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_whose_end_precedes_its_start_is_refused_in_english(
    client_as: Any, personas: Any
) -> None:
    client = client_as("facilitator")
    response = client.post(
        reverse("consultations:new"),
        _new_campaign_data(personas.commune, starts_on="2026-10-01", ends_on="2026-09-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The end date is before the start date." in response.content.decode()


def test_draft_is_previewed_by_its_runners_and_hidden_from_the_public(
    client_as: Any, draft: Campaign
) -> None:
    url = draft.get_absolute_url()
    for role in OTHERS:
        assert client_as(role).get(url).status_code == 404, role
    for role in RUNNERS:
        page = client_as(role).get(url)
        assert page.status_code == 200, role
        assert "Aperçu du brouillon" in page.content.decode()


def test_edit_page_changes_the_texts_and_the_facilitator(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    client = client_as("territory_admin")
    response = client.post(
        reverse("consultations:edit", args=[draft.slug]),
        {
            "title": "Place du marché, été",
            "open_question": "Comment vous sentir ici l'été ?",
            "description": "Avec le conseil de quartier.",
            "starts_on": "2026-06-01",
            "ends_on": "2026-08-31",
            "facilitator": personas.facilitator.pk,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Place du marché, été"
    assert draft.facilitator == personas.facilitator
    assert AuditEntry.objects.filter(action="consultations.campaign.update").exists()


def test_a_plain_member_cannot_be_named_facilitator(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    client = client_as("territory_admin")
    response = client.post(
        reverse("consultations:edit", args=[draft.slug]),
        {
            "title": draft.title,
            "open_question": draft.open_question,
            "starts_on": "2026-06-01",
            "ends_on": "2026-08-31",
            "facilitator": personas.field_agent.pk,
        },
    )
    # Only the territory's facilitators and admins are offered.
    assert response.status_code == 200
    assert response.context["form"].errors["facilitator"]


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_edit_a_campaign(client_as: Any, draft: Campaign, role) -> None:
    response = client_as(role).post(
        reverse("consultations:edit", args=[draft.slug]),
        {
            "title": "Piraté",
            "open_question": "?",
            "starts_on": "2026-06-01",
            "ends_on": "2026-08-31",
        },
    )
    assert response.status_code in (302, 403, 404)
    draft.refresh_from_db()
    assert draft.title == "Place du marché"


def _question(prefix: int, **fields: Any) -> dict[str, Any]:
    return {f"q-{prefix}-{key}": value for key, value in fields.items()}


def _questions_post(*questions: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q-TOTAL_FORMS": str(len(questions)),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "20",
    }
    for question in questions:
        data.update(question)
    return data


def test_closed_questions_are_built_with_a_form(client_as: Any, draft: Campaign) -> None:
    client = client_as("facilitator")
    response = client.post(
        reverse("consultations:manage_questions", args=[draft.slug]),
        _questions_post(
            _question(
                0,
                label="Vous sentez-vous en sécurité ?",
                kind="scale",
                scale_min="1",
                scale_max="5",
            ),
            _question(1, label="Quand venez-vous ?", kind="single", options="Matin\nSoir\n\n"),
            _question(
                2, label="Pour quoi faire ?", kind="multiple", options="Jouer\nLire\nMarcher"
            ),
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.closed_questions == [
        {
            "id": "q1",
            "kind": "scale",
            "label": "Vous sentez-vous en sécurité ?",
            "min": 1,
            "max": 5,
        },
        {"id": "q2", "kind": "single", "label": "Quand venez-vous ?", "options": ["Matin", "Soir"]},
        {
            "id": "q3",
            "kind": "multiple",
            "label": "Pour quoi faire ?",
            "options": ["Jouer", "Lire", "Marcher"],
        },
    ]


def test_editing_questions_keeps_their_ids_and_deletes_the_ticked_one(
    client_as: Any, draft: Campaign, personas: Any
) -> None:
    from maillage.consultations.services import campaign_update

    campaign_update(
        campaign=draft,
        actor=personas.facilitator,
        closed_questions=[
            {"id": "calm", "kind": "scale", "label": "Calme ?", "min": 1, "max": 5},
            {"id": "when", "kind": "single", "label": "Quand ?", "options": ["Matin", "Soir"]},
        ],
    )
    data = _questions_post(
        _question(
            0, qid="calm", label="Calme ou pas ?", kind="scale", scale_min="0", scale_max="10"
        ),
        _question(
            1, qid="when", label="Quand ?", kind="single", options="Matin\nSoir", DELETE="on"
        ),
        _question(2, label="Avec qui ?", kind="single", options="Seul\nEn famille"),
    )
    data["q-INITIAL_FORMS"] = "2"
    response = client_as("facilitator").post(
        reverse("consultations:manage_questions", args=[draft.slug]), data
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [q["id"] for q in draft.closed_questions] == ["calm", "q1"]
    assert draft.closed_questions[0]["label"] == "Calme ou pas ?"
    assert draft.closed_questions[0]["max"] == 10


def test_choice_question_without_options_is_refused(client_as: Any, draft: Campaign) -> None:
    response = client_as("facilitator").post(
        reverse("consultations:manage_questions", args=[draft.slug]),
        _questions_post(_question(0, label="Quand venez-vous ?", kind="single", options="Matin")),
    )
    assert response.status_code == 200
    assert "Un choix demande au moins deux options, une par ligne." in response.content.decode()
    draft.refresh_from_db()
    assert draft.closed_questions == []


def test_sites_are_picked_among_the_public_spaces_of_the_territory(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    client = client_as("facilitator")
    page = client.get(reverse("consultations:manage_sites", args=[draft.slug]))
    assert personas.site.name in page.content.decode()
    assert page.context["map_data"]["features"]
    response = client.post(
        reverse("consultations:manage_sites", args=[draft.slug]), {"sites": [personas.site.pk]}
    )
    assert response.status_code == 302
    assert list(draft.sites.all()) == [personas.site]


def test_site_outside_the_territory_is_refused_naming_it(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    elsewhere = territory_create(name="Square Ailleurs", kind="site", parent=personas.other_commune)
    response = client_as("facilitator").post(
        reverse("consultations:manage_sites", args=[draft.slug]),
        {"sites": [personas.site.pk, elsewhere.pk]},
    )
    assert response.status_code == 200
    assert "Square Ailleurs est hors de Commune Test" in response.content.decode()
    assert not draft.sites.exists()


def test_team_is_found_by_name_or_email_among_members_only(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    outsider = Person.objects.create_user(
        "agent.ailleurs@example.org", "x", display_name="Agent Ailleurs"
    )
    TerritoryRole.objects.create(
        person=outsider, territory=personas.other_commune, role="field_agent"
    )
    client = client_as("facilitator")
    url = reverse("consultations:manage_team", args=[draft.slug])
    found = [p for p, _in_team in client.get(url, {"q": "agent"}).context["found"]]
    assert found == [personas.field_agent]
    by_email = [p for p, _in_team in client.get(url, {"q": "agent@exa"}).context["found"]]
    assert by_email == [personas.field_agent]
    # A search of one letter lists nobody: the page never shows the whole directory.
    assert client.get(url, {"q": "a"}).context["found"] == []


def test_agent_is_added_then_removed_and_each_change_audited(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    client = client_as("facilitator")
    url = reverse("consultations:manage_team", args=[draft.slug])
    assert client.post(url, {"person": personas.field_agent.pk}).status_code == 302
    assert list(draft.team.all()) == [personas.field_agent]
    assert (
        client.post(url, {"person": personas.field_agent.pk, "action": "remove"}).status_code == 302
    )
    assert not draft.team.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"consultations.campaign.team_add", "consultations.campaign.team_remove"} <= actions


def test_agent_who_is_not_a_member_is_refused(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    response = client_as("facilitator").post(
        reverse("consultations:manage_team", args=[draft.slug]),
        {"person": personas.participant.pk},
    )
    assert response.status_code == 400
    assert "participant n’est pas membre de Commune Test" in response.content.decode()
    assert not draft.team.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_change_the_team(
    client_as: Any, personas: Any, draft: Campaign, role
) -> None:
    response = client_as(role).post(
        reverse("consultations:manage_team", args=[draft.slug]),
        {"person": personas.field_agent.pk},
    )
    assert response.status_code in (302, 403, 404)
    assert not draft.team.exists()


def test_opening_without_a_site_is_refused(client_as: Any, draft: Campaign) -> None:
    client = client_as("facilitator")
    response = client.post(reverse("consultations:move", args=[draft.slug, "ouvrir"]), follow=True)
    assert "Choisissez au moins un lieu avant d’ouvrir la campagne." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_campaign_is_opened_closed_and_archived_through_the_pages(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    draft.sites.set([personas.site])
    client = client_as("facilitator")
    for move, status in (("ouvrir", "open"), ("fermer", "closed"), ("archiver", "archived")):
        response = client.post(reverse("consultations:move", args=[draft.slug, move]))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == status
    actions = list(
        AuditEntry.objects.filter(target_id=str(draft.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "consultations.campaign.open",
        "consultations.campaign.closed",
        "consultations.campaign.archived",
    ]


def test_a_move_the_status_does_not_allow_is_refused(
    client_as: Any, personas: Any, draft: Campaign
) -> None:
    response = client_as("facilitator").post(
        reverse("consultations:move", args=[draft.slug, "fermer"]), follow=True
    )
    assert "ne peut pas devenir" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_open_a_campaign(
    client_as: Any, personas: Any, draft: Campaign, role
) -> None:
    draft.sites.set([personas.site])
    response = client_as(role).post(reverse("consultations:move", args=[draft.slug, "ouvrir"]))
    assert response.status_code in (302, 403, 404)
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_runner_lists_her_campaigns_drafts_included(client_as: Any, draft: Campaign) -> None:
    page = client_as("facilitator").get(reverse("consultations:manage_index"))
    assert list(page.context["campaigns"]) == [draft]
    assert page.context["can_create"]
    outsider_page = client_as("participant").get(reverse("consultations:manage_index"))
    assert list(outsider_page.context["campaigns"]) == []
    assert not outsider_page.context["can_create"]
