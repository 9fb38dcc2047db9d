"""Self-observation: the default questionnaire, answers on the scale, own evolution,
collective aggregates only from 5 respondents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.journeys.models import Questionnaire, Response
from maillage.journeys.selectors import collective_evolution, person_evolution
from maillage.journeys.services import (
    question_update,
    questionnaire_ensure_default,
    response_submit,
    round_create,
)
from maillage.organizations.models import Membership
from maillage.people.models import Person

PAST = dt.date(2026, 1, 1)


@pytest.fixture
def questionnaire(db):
    return questionnaire_ensure_default()


@pytest.fixture
def personal_round(personas, questionnaire):
    return round_create(
        actor=personas.facilitator, questionnaire=questionnaire, title="Hiver", opens_on=PAST
    )


def answers(questionnaire, value=3, **changes):
    result = {q.key: value for q in questionnaire.questions.all()}
    result.update(changes)
    return result


def test_the_default_questionnaire_ships_in_french_and_english_on_the_three_dimensions(
    questionnaire,
):
    questions = list(questionnaire.questions.all())
    assert {q.dimension for q in questions} == {"je", "nous", "dans"}
    assert all(q.text_fr and q.text_en and q.text_fr != q.text_en for q in questions)
    assert questionnaire_ensure_default() == questionnaire
    assert Questionnaire.objects.count() == 1


def test_the_scale_and_the_title_are_worded_in_the_language_of_the_page(questionnaire):
    from django.utils import translation

    from maillage.journeys.forms import AnswerForm

    for language, own, other in (
        ("fr", "pas du tout", "not at all"),
        ("en", "not at all", "pas du"),
    ):
        with translation.override(language):
            help_text = str(AnswerForm(questionnaire=questionnaire).fields["je-ecoute"].help_text)
        assert own in help_text and other not in help_text, (language, help_text)
    assert questionnaire.wording("fr")["title"].startswith("Auto-observation de la coopération")
    assert questionnaire.wording("en")["title"].startswith("Self-observation of cooperation")


def test_an_installed_default_questionnaire_has_its_bilingual_labels_split_by_the_migration(
    questionnaire,
):
    import importlib

    from django.apps import apps

    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        title_en="",
        low_label="pas du tout / not at all",
        low_label_en="",
        high_label="tout à fait / completely",
        high_label_en="",
    )
    migration = importlib.import_module(
        "maillage.journeys.migrations.0004_questionnaire_english_wording"
    )
    migration.word_default(apps, None)
    questionnaire.refresh_from_db()
    assert (questionnaire.low_label, questionnaire.low_label_en) == ("pas du tout", "not at all")
    assert (questionnaire.high_label, questionnaire.high_label_en) == ("tout à fait", "completely")
    assert questionnaire.title_en == "Self-observation of cooperation: the I, the we, the within"


def test_an_answer_outside_the_scale_is_refused_with_the_allowed_range(
    personas, questionnaire, personal_round
):
    with pytest.raises(ValidationError) as error:
        response_submit(
            round_=personal_round,
            actor=personas.participant,
            answers=answers(questionnaire, **{"je-ecoute": 9}),
        )
    assert "allowed range 1 to 5" in error.value.message_dict["je-ecoute"][0]
    assert not Response.objects.exists()


def test_the_api_answers_422_with_the_allowed_range(client_as, questionnaire, personal_round):
    response = client_as("participant").post(
        f"/api/journeys/self-observation/rounds/{personal_round.pk}/answers",
        {"answers": answers(questionnaire, **{"nous-oeuvre": 0})},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "allowed range 1 to 5" in response.json()["detail"]["nous-oeuvre"][0]


def test_the_api_records_answers_once(client_as, questionnaire, personal_round):
    client = client_as("participant")
    url = f"/api/journeys/self-observation/rounds/{personal_round.pk}/answers"
    body = {"answers": answers(questionnaire)}
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 422
    assert "already answered" in str(again.json()["detail"])


def test_the_page_shows_a_form_error_for_an_answer_outside_the_scale(
    client_as, questionnaire, personal_round
):
    response = client_as("participant").post(
        f"/auto-observation/tours/{personal_round.pk}/",
        answers(questionnaire, **{"dans-liens": 7}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "allowed range 1 to 5" in response.content.decode()
    assert not Response.objects.exists()


def test_a_person_sees_their_own_evolution_as_a_chart_and_a_table(
    client_as, personas, questionnaire, personal_round
):
    spring = round_create(
        actor=personas.facilitator, questionnaire=questionnaire, title="Printemps", opens_on=PAST
    )
    response_submit(
        round_=personal_round, actor=personas.participant, answers=answers(questionnaire, 2)
    )
    response_submit(round_=spring, actor=personas.participant, answers=answers(questionnaire, 4))
    rounds, waves = person_evolution(personas.participant, questionnaire)
    assert [r.title for r in rounds] == ["Hiver", "Printemps"]
    assert [w.scores["je"] for w in waves] == [2.0, 4.0]
    page = client_as("participant").get("/auto-observation/").content.decode()
    assert "<svg" in page and "<polyline" in page and "<table" in page
    assert "4.0" in page or "4,0" in page


def test_a_collective_round_is_answered_only_by_its_members(personas, questionnaire):
    round_ = round_create(
        actor=personas.org_admin,
        questionnaire=questionnaire,
        title="Round 1",
        opens_on=PAST,
        organization=personas.organization,
    )
    with pytest.raises(PermissionDenied):
        response_submit(round_=round_, actor=personas.participant, answers=answers(questionnaire))


def test_someone_who_is_not_its_admin_cannot_open_a_collective_round(personas, questionnaire):
    with pytest.raises(PermissionDenied):
        round_create(
            actor=personas.participant,
            questionnaire=questionnaire,
            title="x",
            opens_on=PAST,
            organization=personas.organization,
        )


def _members(organization, n):
    people = [
        Person.objects.create_user(f"membre{i}@example.org", "x", display_name=f"M{i}")
        for i in range(n)
    ]
    for person in people:
        Membership.objects.create(person=person, organization=organization)
    return people


def test_a_collective_aggregate_appears_only_from_five_respondents(
    client_as, personas, questionnaire
):
    members = _members(personas.organization, 5)
    round_ = round_create(
        actor=personas.org_admin,
        questionnaire=questionnaire,
        title="Round 1",
        opens_on=PAST,
        organization=personas.organization,
    )
    for person in members[:4]:
        response_submit(round_=round_, actor=person, answers=answers(questionnaire, 4))
    _rounds, waves = collective_evolution(personas.organization, questionnaire)
    assert waves[0].suppressed and waves[0].respondents == 4
    assert waves[0].mean["je"] is None
    response_submit(round_=round_, actor=members[4], answers=answers(questionnaire, 2))
    _rounds, waves = collective_evolution(personas.organization, questionnaire)
    assert not waves[0].suppressed
    assert waves[0].mean["nous"] == pytest.approx(3.6)
    page = client_as("org_admin").get(f"/auto-observation/collectifs/{personas.organization.slug}/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()


def test_a_collective_aggregate_is_not_for_outsiders(client_as, personas):
    url = f"/auto-observation/collectifs/{personas.organization.slug}/"
    assert client_as("participant").get(url).status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("participant", False), ("org_admin", False), ("facilitator", True), ("platform_admin", True)],
)
def test_facilitators_edit_the_questions(personas, questionnaire, role, allowed):
    question = questionnaire.questions.first()
    call = lambda: question_update(  # noqa: E731
        question=question, actor=personas.by_role(role), text_fr="Nouveau ?", text_en="New?"
    )
    if allowed:
        call()
        question.refresh_from_db()
        assert question.text_en == "New?"
    else:
        with pytest.raises(PermissionDenied):
            call()
