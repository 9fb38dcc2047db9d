"""From an empty platform, in French and in English: a collective answers two self-observation
rounds that a facilitator opens and closes in the pages; its aggregate then shows both rounds.

Links, buttons and messages are found by their interface texts in the page's language
(gettext), never by French literals; in English, no French interface text may show on a page.
"""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import chromium, logged_in_context, say
from maillage.core.tests.watched import check, watched_page
from maillage.journeys.models import Response, Round
from maillage.organizations.models import Membership
from maillage.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The rounds' titles, as the facilitator types them: data, not interface text.
ROUNDS = {"fr": ("Printemps", "Automne"), "en": ("Spring", "Autumn")}


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture(autouse=True)
def questionnaire(transactional_db):
    """The default questionnaire, as its migration installs it (a flush between tests drops it)."""
    from maillage.journeys.services import questionnaire_ensure_default

    return questionnaire_ensure_default()


def _open_round(browser, live_server, personas, language, title: str, shot: str) -> None:
    context = logged_in_context(browser, live_server, personas.facilitator, language)
    page, watch = watched_page(context, live_server.url, language, [title])
    page.goto(f"{live_server.url}/auto-observation/")
    for previous in Round.objects.filter(closed_at__isnull=True):
        label = say(language, "Close the round %(title)s", title=previous.title)
        page.get_by_role("button", name=label).click()
        page.get_by_text(
            say(language, "The round is closed; the answers given are kept.")
        ).wait_for()
    page.get_by_role("link", name=say(language, "Open a round")).click()
    page.wait_for_url("**/auto-observation/tours/nouveau/")
    check(page, watch, "round form", shot=shot)
    page.fill("#id_title", title)
    page.select_option("#id_organization", label=personas.organization.name)
    page.click("form.form button[type=submit]")
    page.get_by_text(say(language, "The round is open: its people can answer it.")).wait_for()
    check(page, watch, "round opened", shot=f"{shot}-opened")
    context.close()


def _answer(browser, live_server, person, language, title: str, value: int, shot: str = "") -> None:
    context = logged_in_context(browser, live_server, person, language)
    page, watch = watched_page(context, live_server.url, language, [title])
    page.goto(f"{live_server.url}/auto-observation/")
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_selector("form.form input[type=number]")
    if shot:
        check(page, watch, "answer form", shot=shot)
    for field in page.query_selector_all("form.form input[type=number]"):
        field.fill(str(value))
    page.click("form.form button[type=submit]")
    page.get_by_text(say(language, "Thank you: your answers are recorded.")).wait_for()
    if shot:
        check(page, watch, "answers recorded")
    assert watch.problems == []
    context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_collective_answers_two_self_observation_rounds(browser, live_server, personas, language):
    members = [personas.org_admin]
    for index in range(4):
        person = Person.objects.create_user(
            f"membre{index}@example.org", "x", display_name=f"Membre {index}"
        )
        Membership.objects.create(person=person, organization=personas.organization)
        members.append(person)

    titles = ROUNDS[language]
    for number, (title, base) in enumerate(zip(titles, (2, 4), strict=True)):
        shot = f"round-form-{number}-{language}"
        _open_round(browser, live_server, personas, language, title, shot=shot)
        for index, person in enumerate(members):
            shot = f"round-answer-{language}" if number == 0 and index == 0 else ""
            _answer(browser, live_server, person, language, title, base + index % 2, shot=shot)
        assert Response.objects.filter(round__title=title).count() == 5

    context = logged_in_context(browser, live_server, personas.org_admin, language)
    page, watch = watched_page(context, live_server.url, language, titles)
    page.goto(f"{live_server.url}/auto-observation/collectifs/{personas.organization.slug}/")
    table = page.text_content("main table")
    assert titles[0] in table and titles[1] in table
    assert page.query_selector("main svg") is not None
    check(page, watch, "collective aggregate", shot=f"round-collective-{language}")
    context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_facilitator_adds_a_question_before_the_first_answer(
    browser, live_server, personas, language
):
    from maillage.journeys.models import Question

    context = logged_in_context(browser, live_server, personas.facilitator, language)
    page, watch = watched_page(context, live_server.url, language)
    page.goto(f"{live_server.url}/auto-observation/")
    page.get_by_role("link", name=say(language, "Edit the questions")).click()
    page.wait_for_url("**/auto-observation/questions/")
    check(page, watch, "questions", shot=f"questions-{language}")
    page.fill("#id_key", "confiance")
    page.select_option("#id_dimension", value="nous")
    page.fill("#id_text_fr", "Je fais confiance au groupe.")
    page.fill("#id_text_en", "I trust the group.")
    page.get_by_role("button", name=say(language, "Add the question")).click()
    page.get_by_text(say(language, "Question added.")).wait_for()
    check(page, watch, "question added")
    assert Question.objects.filter(key="confiance", dimension="nous").exists()
    context.close()
