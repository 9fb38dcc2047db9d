"""From an empty platform, in French: a collective answers two self-observation rounds that a
facilitator opens and closes in the pages; its aggregate then shows both rounds."""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.core.tests.watched import check, watched_page
from maillage.journeys.models import Response, Round
from maillage.organizations.models import Membership
from maillage.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture(autouse=True)
def questionnaire(transactional_db):
    """The default questionnaire, as its migration installs it (a flush between tests drops it)."""
    from maillage.journeys.services import questionnaire_ensure_default

    return questionnaire_ensure_default()


def _open_round(browser, live_server, personas, title: str, shot: str) -> None:
    context = logged_in_context(browser, live_server, personas.facilitator)
    page, watch = watched_page(context, live_server.url)
    page.goto(f"{live_server.url}/auto-observation/")
    for previous in Round.objects.filter(closed_at__isnull=True):
        page.click(f"button[aria-label='Clôturer le tour {previous.title}']")
        page.wait_for_selector("text=Le tour est clôturé")
    page.click("text=Ouvrir un tour")
    page.wait_for_url("**/auto-observation/tours/nouveau/")
    check(page, watch, "round form", shot=shot)
    page.fill("#id_title", title)
    page.select_option("#id_organization", label=personas.organization.name)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Le tour est ouvert")
    check(page, watch, "round opened", shot=f"{shot}-opened")
    context.close()


def _answer(browser, live_server, person, title: str, value: int, shot: str = "") -> None:
    context = logged_in_context(browser, live_server, person)
    page, watch = watched_page(context, live_server.url)
    page.goto(f"{live_server.url}/auto-observation/")
    page.click(f"text={title}")
    page.wait_for_selector("form.form input[type=number]")
    if shot:
        check(page, watch, "answer form", shot=shot)
    for field in page.query_selector_all("form.form input[type=number]"):
        field.fill(str(value))
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Merci : vos réponses sont enregistrées.")
    if shot:
        check(page, watch, "answers recorded")
    assert watch.problems == []
    context.close()


def test_a_collective_answers_two_self_observation_rounds(browser, live_server, personas):
    members = [personas.org_admin]
    for index in range(4):
        person = Person.objects.create_user(
            f"membre{index}@example.org", "x", display_name=f"Membre {index}"
        )
        Membership.objects.create(person=person, organization=personas.organization)
        members.append(person)

    for number, (title, base) in enumerate((("Printemps", 2), ("Automne", 4))):
        _open_round(browser, live_server, personas, title, shot=f"round-form-{number}")
        for index, person in enumerate(members):
            shot = "round-answer" if number == 0 and index == 0 else ""
            _answer(browser, live_server, person, title, base + index % 2, shot=shot)
        assert Response.objects.filter(round__title=title).count() == 5

    context = logged_in_context(browser, live_server, personas.org_admin)
    page, watch = watched_page(context, live_server.url)
    page.goto(f"{live_server.url}/auto-observation/collectifs/{personas.organization.slug}/")
    table = page.text_content("main table")
    assert "Printemps" in table and "Automne" in table
    assert page.query_selector("main svg") is not None
    check(page, watch, "collective aggregate", shot="round-collective")
    context.close()


def test_a_facilitator_adds_a_question_before_the_first_answer(browser, live_server, personas):
    from maillage.journeys.models import Question

    context = logged_in_context(browser, live_server, personas.facilitator)
    page, watch = watched_page(context, live_server.url)
    page.goto(f"{live_server.url}/auto-observation/")
    page.click("text=Modifier les questions")
    page.wait_for_url("**/auto-observation/questions/")
    check(page, watch, "questions", shot="questions")
    page.fill("#id_key", "confiance")
    page.select_option("#id_dimension", value="nous")
    page.fill("#id_text_fr", "Je fais confiance au groupe.")
    page.fill("#id_text_en", "I trust the group.")
    page.click("text=Ajouter la question")
    page.wait_for_selector("text=Question ajoutée.")
    check(page, watch, "question added")
    assert Question.objects.filter(key="confiance", dimension="nous").exists()
    context.close()
