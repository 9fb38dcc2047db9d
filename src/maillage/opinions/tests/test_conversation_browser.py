"""From an empty platform, in French and in English: a facilitator opens a conversation in the
pages, inhabitants without an account vote, and the opinion map shows.

Every page must load without a console error or a failed same-origin request, axe-core must
find nothing on it, and in English no French interface text may show on it. Buttons and
messages are found by their addresses and their interface texts in the page's language.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlparse

import pytest

from maillage.core.tests.browser import LOCALES, Watcher, chromium, logged_in_context, say

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the facilitator and the inhabitants type: data, not interface text. The first, third
# and fifth statements are the green square's camp; ``again`` is the first one sent anew, in
# other case, accents, apostrophe or spacing.
DATA = {
    "fr": {
        "topic": "Que faire de la place de la mairie ?",
        "description": "La place sera réaménagée l'an prochain.",
        "seeds": [
            "Il faut plus d'arbres sur la place.",
            "La place doit rester un parking.",
            "Un marché le dimanche animerait le quartier.",
            "Les voitures doivent pouvoir traverser la place.",
            "Des bancs à l'ombre pour les aînés.",
            "Le stationnement gratuit attire les clients des commerces.",
        ],
        "again": "il faut plus d’arbres sur la PLACE",
    },
    "en": {
        "topic": "What should become of the town hall square?",
        "description": "The square will be redesigned next year.",
        "seeds": [
            "The square needs more trees.",
            "The square must stay a car park.",
            "A Sunday market would liven up the neighbourhood.",
            "Cars must be able to cross the square.",
            "Benches in the shade for the elderly.",
            "Free parking brings customers to the shops.",
        ],
        "again": "the  SQUARE needs more trees",
    },
}


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_facilitator_opens_a_conversation_inhabitants_vote_and_the_map_shows(
    browser: Any, live_server: Any, personas: Any, language: str
) -> None:
    from maillage.opinions.models import Conversation

    data = DATA[language]
    seeds = data["seeds"]
    typed = [data["topic"], data["description"], data["again"], *seeds]
    base = live_server.url
    problems: list[str] = []

    def watcher(context: Any, who: str) -> Watcher:
        watch = Watcher(context.new_page(), base, who)
        watch.language, watch.data = language, typed
        return watch

    facilitator_context = logged_in_context(browser, live_server, personas.facilitator, language)
    facilitator = watcher(facilitator_context, "facilitator")
    facilitator.goto("/conversations/", "conversations")
    facilitator.submit("a[href='/conversations/nouvelle/']", "conversation-new")
    page = facilitator.page
    page.select_option("#id_territory", str(personas.commune.pk))
    page.fill("#id_topic", data["topic"])
    page.fill("#id_description", data["description"])
    page.fill("#id_seed_statements", "\n".join(seeds))
    page.check("input[name=moderation][value=after]")
    facilitator.submit("form.form button[type=submit]", "conversation-open")
    opened = say(language, "The conversation is open: share its address with the inhabitants.")
    assert opened in page.text_content("body")
    path = urlparse(page.url).path
    conversation = Conversation.objects.get(topic=data["topic"])
    assert conversation.statements.count() == len(seeds)

    _crowd(conversation)

    for index, width in enumerate((390, 1280)):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=LOCALES[language], bypass_csp=True
        )
        inhabitant = watcher(context, f"inhabitant-{width}")
        inhabitant.goto(path, "vote-first")
        page = inhabitant.page
        for _step in range(len(seeds)):
            text = page.locator("blockquote.statement").inner_text()
            value = "1" if (seeds.index(text) in (0, 2, 4)) == (index == 0) else "-1"
            inhabitant.submit(f"form.vote-buttons button[value='{value}']")
        inhabitant.check(f"map-{language}")
        html = page.content()
        assert "<circle" in html and "chart-highlight" in html
        voted = say(language, "You voted on %(voted)s of %(total)s statements.", voted=6, total=6)
        assert voted in page.text_content("main")
        problems += inhabitant.problems
        context.close()

    # The same statement sent again is refused with a link to the existing one.
    context = browser.new_context(
        viewport={"width": 390, "height": 900}, locale=LOCALES[language], bypass_csp=True
    )
    late = watcher(context, "late")
    late.goto(path, "late-vote")
    late.page.fill("#new-statement", data["again"])
    late.submit("form[action$='/proposer/'] button[type=submit]", "duplicate-refused")
    refused = say(language, "This statement is already in the conversation: vote on it instead.")
    assert refused in late.page.text_content("main")
    late.submit("a[href*='/rapport/#statement-']", "report")
    problems += late.problems
    context.close()

    facilitator.goto(path, "conversation-facilitated")
    facilitator.submit("form[action$='/ouverture/'] button", "conversation-closed")
    closed = say(language, "The conversation is closed; its map stays readable.")
    assert closed in facilitator.page.text_content("body")
    assert not Conversation.objects.get(pk=conversation.pk).is_open
    problems += facilitator.problems
    facilitator_context.close()
    assert not problems, "\n".join(problems)
