"""A facilitator sets a conversation up, configures, closes and reopens it, in pages and API;
the same statement sent twice is refused."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.models import AuditEntry as AuditLog
from maillage.opinions import services
from maillage.opinions.models import Conversation, Statement
from maillage.people.services import api_token_create

pytestmark = pytest.mark.django_db

ROLES = [
    "visitor",
    "participant",
    "field_agent",
    "facilitator",
    "org_admin",
    "territory_admin",
    "platform_admin",
]
RUNNERS = {"facilitator", "territory_admin", "platform_admin"}


@pytest.fixture
def conversation(personas):
    return services.conversation_create(
        territory=personas.commune,
        topic="Quel avenir pour la place ?",
        actor=personas.facilitator,
        seed_statements=["Plus d'arbres sur la place", "Un marché le dimanche"],
    )


def _voter(conversation, key="k1"):
    return services.participant_get_or_create(conversation=conversation, cookie_key=key)


def test_creating_a_conversation_stores_its_seeds_and_an_audit_entry(conversation, personas):
    assert [s.text for s in conversation.statements.order_by("id")] == [
        "Plus d'arbres sur la place",
        "Un marché le dimanche",
    ]
    assert all(s.is_seed and s.moderation == 1 for s in conversation.statements.all())
    entry = AuditLog.objects.get(action="conversation.create")
    assert entry.actor_id == personas.facilitator.pk


def test_a_conversation_with_no_statement_is_refused(personas):
    for seeds in ([], ["  ", ""]):
        with pytest.raises(ValidationError) as refused:
            services.conversation_create(
                territory=personas.commune,
                topic="Sans proposition",
                actor=personas.facilitator,
                seed_statements=seeds,
            )
        assert "seed_statements" in refused.value.message_dict
    assert not Conversation.objects.exists()


def test_the_same_seed_given_twice_is_refused(personas):
    with pytest.raises(ValidationError, match="deux fois"):
        services.conversation_create(
            territory=personas.commune,
            topic="Doublons",
            actor=personas.facilitator,
            seed_statements=["Plus de bancs", "plus  de BANCS !"],
        )


def test_the_same_statement_sent_twice_is_refused_whatever_its_case_accents_or_spacing(
    conversation,
):
    first = services.statement_submit(
        participant=_voter(conversation), text="Des toilettes publiques"
    )
    for again in (
        "des  TOILETTES publiques",
        "Des toilettes publiqués !",
        "Plus d’arbres sur la PLACE",
    ):
        with pytest.raises(services.DuplicateStatement) as refused:
            services.statement_submit(participant=_voter(conversation, "k2"), text=again)
        assert refused.value.existing.pk in {
            first.pk,
            conversation.statements.get(text="Plus d'arbres sur la place").pk,
        }
    assert conversation.statements.count() == 3
    services.statement_submit(participant=_voter(conversation), text="Des toilettes sèches")


def test_a_rejected_statement_does_not_block_a_better_worded_one(conversation, personas):
    rejected = services.statement_submit(participant=_voter(conversation), text="Un parking")
    services.statement_moderate(statement=rejected, actor=personas.facilitator, moderation=-1)
    assert services.statement_submit(participant=_voter(conversation, "k2"), text="Un parking").pk


def test_the_page_refuses_a_duplicate_with_a_link_to_the_existing_statement(conversation, client):
    existing = conversation.statements.get(text="Un marché le dimanche")
    response = client.post(
        f"/conversations/{conversation.slug}/proposer/",
        {"text": "un marche le DIMANCHE"},
        follow=True,
    )
    html = response.content.decode()
    assert "déjà dans la conversation" in html
    assert f'/conversations/{conversation.slug}/rapport/#statement-{existing.pk}"' in html
    report = client.get(f"/conversations/{conversation.slug}/rapport/").content.decode()
    assert f'id="statement-{existing.pk}"' in report
    assert conversation.statements.count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_of_the_territory_close_configure_and_reopen(
    conversation, personas, role
):
    actor = personas.by_role(role)
    writes = [
        lambda: services.conversation_update(
            conversation=conversation,
            actor=actor,
            topic="Nouvelle question",
            description="",
            allow_anonymous=False,
            participant_statements=True,
            statements_need_moderation=True,
        ),
        lambda: services.conversation_close(conversation=conversation, actor=actor),
        lambda: services.conversation_reopen(conversation=conversation, actor=actor),
    ]
    for write in writes:
        if role in RUNNERS:
            write()
        else:
            with pytest.raises(PermissionDenied):
                write()


def test_closing_twice_is_a_conflict_and_a_closed_conversation_takes_no_statement(
    conversation, personas
):
    services.conversation_close(conversation=conversation, actor=personas.facilitator)
    with pytest.raises(services.ConversationConflict):
        services.conversation_close(conversation=conversation, actor=personas.facilitator)
    with pytest.raises(services.ConversationConflict):
        services.statement_submit(participant=_voter(conversation), text="Encore une idée")
    services.conversation_reopen(conversation=conversation, actor=personas.facilitator)
    assert services.statement_submit(participant=_voter(conversation), text="Encore une idée").pk
    actions = list(
        AuditLog.objects.filter(action__startswith="conversation.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["conversation.create", "conversation.close", "conversation.reopen"]


@pytest.mark.parametrize("role", ROLES)
def test_the_setup_pages_answer_each_role_as_the_rules_say(client_as, conversation, role):
    client = client_as(role)
    for url in ("/conversations/nouvelle/", f"/conversations/{conversation.slug}/modifier/"):
        status = client.get(url).status_code
        if role == "visitor":
            assert status == 302
        else:
            assert status == (200 if role in RUNNERS else 403), url
    response = client.post(f"/conversations/{conversation.slug}/ouverture/", {"action": "close"})
    conversation.refresh_from_db()
    if role in RUNNERS:
        assert response.status_code == 302 and conversation.is_open is False
    else:
        assert response.status_code in (302, 403) and conversation.is_open is True


def test_a_facilitator_creates_and_configures_a_conversation_in_the_pages(client_as, personas):
    client = client_as("facilitator")
    response = client.post(
        "/conversations/nouvelle/",
        {
            "territory": personas.commune.pk,
            "topic": "Que faire de l'ancienne gare ?",
            "description": "La gare ferme en juin.",
            "seed_statements": "Un tiers-lieu\nUne crèche\n\n",
            "allow_anonymous": "on",
            "participant_statements": "on",
            "moderation": "before",
        },
    )
    conversation = Conversation.objects.get(topic="Que faire de l'ancienne gare ?")
    assert response.status_code == 302
    assert conversation.statements_need_moderation is True
    assert conversation.statements.count() == 2
    response = client.post(
        "/conversations/nouvelle/",
        {
            "territory": personas.commune.pk,
            "topic": "Vide",
            "seed_statements": "",
            "moderation": "after",
        },
    )
    assert response.status_code == 422
    assert "Donnez au moins une affirmation" in response.content.decode()
    response = client.post(
        f"/conversations/{conversation.slug}/modifier/",
        {"topic": "Que faire de la gare ?", "moderation": "after"},
    )
    conversation.refresh_from_db()
    assert response.status_code == 302
    assert conversation.topic == "Que faire de la gare ?"
    assert (
        conversation.allow_anonymous is False and conversation.statements_need_moderation is False
    )


def test_the_api_creates_closes_and_refuses_duplicates(client, personas):
    body = {
        "territory": personas.commune.slug,
        "topic": "Budget participatif",
        "seed_statements": ["Des pistes cyclables", "Des jeux pour enfants"],
    }
    response = client.post(
        "/api/opinions/conversations", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 401
    _token, participant_key = api_token_create(
        person=personas.participant, actor=personas.participant, name="script", scope="write"
    )
    response = client.post(
        "/api/opinions/conversations",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {participant_key}",
    )
    assert response.status_code == 403
    _token, key = api_token_create(
        person=personas.facilitator, actor=personas.facilitator, name="script", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post(
        "/api/opinions/conversations",
        json.dumps({**body, "seed_statements": []}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    response = client.post(
        "/api/opinions/conversations", json.dumps(body), content_type="application/json", **auth
    )
    assert response.status_code == 201
    slug = response.json()["slug"]
    response = client.post(
        f"/api/opinions/conversations/{slug}/statements",
        {"text": "des pistes CYCLABLES"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {participant_key}",
    )
    assert response.status_code == 409
    existing = Statement.objects.get(conversation__slug=slug, text="Des pistes cyclables")
    assert response.json()["existing"] == existing.pk
    response = client.patch(
        f"/api/opinions/conversations/{slug}",
        {"statements_need_moderation": True},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    assert Conversation.objects.get(slug=slug).statements_need_moderation is True
    assert client.post(f"/api/opinions/conversations/{slug}/close", **auth).status_code == 200
    assert client.post(f"/api/opinions/conversations/{slug}/close", **auth).status_code == 409
    assert client.post(f"/api/opinions/conversations/{slug}/reopen", **auth).status_code == 200
