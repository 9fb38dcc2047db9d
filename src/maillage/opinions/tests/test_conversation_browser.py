"""From an empty platform, in French: a facilitator opens a conversation in the pages,
inhabitants without an account vote, and the opinion map shows.

Every page must load without a console error or a failed same-origin request, and axe-core
must find nothing on it.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlparse

import pytest

from maillage.core.tests.browser import Watcher, chromium, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = [
    "Il faut plus d'arbres sur la place.",
    "La place doit rester un parking.",
    "Un marché le dimanche animerait le quartier.",
    "Les voitures doivent pouvoir traverser la place.",
    "Des bancs à l'ombre pour les aînés.",
    "Le stationnement gratuit attire les clients des commerces.",
]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def _crowd(conversation: Any, n: int = 24) -> None:
    """Inhabitants who voted before: two camps (green square / car park), a little noise."""
    from maillage.opinions import services
    from maillage.opinions.models import Participant

    rng = random.Random(3)
    statements = list(conversation.statements.order_by("id"))
    for p in range(n):
        participant = Participant.objects.create(conversation=conversation, cookie_hash=f"c{p}")
        for j, statement in enumerate(statements):
            green = j in (0, 2, 4)
            camp = 1 if green == (p % 2 == 0) else -1
            value = camp if rng.random() < 0.85 else rng.choice([0, -camp])
            services.vote_cast(participant=participant, statement=statement, value=value)


def test_a_facilitator_opens_a_conversation_inhabitants_vote_and_the_map_shows(
    browser: Any, live_server: Any, personas: Any
) -> None:
    from maillage.opinions.models import Conversation

    base = live_server.url
    problems: list[str] = []

    facilitator_context = logged_in_context(browser, live_server, personas.facilitator)
    facilitator = Watcher(facilitator_context.new_page(), base, "facilitator")
    facilitator.goto("/conversations/", "conversations")
    facilitator.submit("a[href='/conversations/nouvelle/']", "conversation-new")
    page = facilitator.page
    page.select_option("#id_territory", str(personas.commune.pk))
    page.fill("#id_topic", "Que faire de la place de la mairie ?")
    page.fill("#id_description", "La place sera réaménagée l'an prochain.")
    page.fill("#id_seed_statements", "\n".join(SEEDS))
    page.check("input[name=moderation][value=after]")
    facilitator.submit("form.form button[type=submit]", "conversation-open")
    assert "La conversation est ouverte" in page.content()
    path = urlparse(page.url).path
    conversation = Conversation.objects.get(topic="Que faire de la place de la mairie ?")
    assert conversation.statements.count() == len(SEEDS)

    _crowd(conversation)

    for index, width in enumerate((390, 1280)):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", bypass_csp=True
        )
        inhabitant = Watcher(context.new_page(), base, f"inhabitant-{width}")
        inhabitant.goto(path, "vote-first")
        page = inhabitant.page
        for _step in range(len(SEEDS)):
            text = page.locator("blockquote.statement").inner_text()
            value = "1" if (SEEDS.index(text) in (0, 2, 4)) == (index == 0) else "-1"
            inhabitant.submit(f"form.vote-buttons button[value='{value}']")
        inhabitant.check("map")
        html = page.content()
        assert "<circle" in html and "chart-highlight" in html
        assert "Vous avez voté sur 6 affirmations sur 6" in html
        problems += inhabitant.problems
        context.close()

    # The same statement sent again is refused with a link to the existing one.
    context = browser.new_context(
        viewport={"width": 390, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    late = Watcher(context.new_page(), base, "late")
    late.goto(path, "late-vote")
    late.page.fill("#new-statement", "il faut plus d’arbres sur la PLACE")
    late.submit("form[action$='/proposer/'] button[type=submit]", "duplicate-refused")
    assert "déjà dans la conversation" in late.page.content()
    late.submit("a[href*='/rapport/#statement-']", "report")
    problems += late.problems
    context.close()

    facilitator.goto(path, "conversation-facilitated")
    facilitator.submit("form[action$='/ouverture/'] button", "conversation-closed")
    assert "La conversation est close" in facilitator.page.content()
    assert not Conversation.objects.get(pk=conversation.pk).is_open
    problems += facilitator.problems
    facilitator_context.close()
    assert not problems, "\n".join(problems)
