"""Self-observation run by its own people: facilitators and a collective's admins open and close
rounds, facilitators edit the question set before the first answer; a collective under the
anonymity threshold may have a round, its aggregate withheld and said so. Per role, pages + API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from maillage.conftest import ROLES
from maillage.journeys.models import Question, Round
from maillage.journeys.services import (
    question_add,
    questionnaire_ensure_default,
    response_submit,
    round_close,
    round_create,
)

TODAY = dt.date.today()
COLLECTIVE_OPENERS = {"org_admin", "facilitator", "territory_admin", "platform_admin"}
PERSONAL_OPENERS = {"facilitator", "territory_admin", "platform_admin"}


@pytest.fixture
def questionnaire(db):
    return questionnaire_ensure_default()


def _answers(questionnaire, value=3):
    return {q.key: value for q in questionnaire.questions.all()}


@pytest.mark.parametrize("role", ROLES)
def test_a_collective_round_is_opened_in_the_page_by_its_admins_and_facilitators(
    client_as, personas, questionnaire, role
):
    response = client_as(role).post(
        "/auto-observation/tours/nouveau/",
        {
            "title": "Printemps",
            "organization": personas.organization.pk,
            "opens_on": TODAY.isoformat(),
        },
    )
    created = Round.objects.filter(title="Printemps", organization=personas.organization)
    assert created.exists() is (role in COLLECTIVE_OPENERS)
    if role == "visitor":
        assert response.status_code == 302 and "/connexion/" in response["Location"]
    elif role not in COLLECTIVE_OPENERS:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_a_round_for_everyone_is_opened_in_the_api_by_facilitators(
    client_as, personas, questionnaire, role
):
    response = client_as(role).post(
        "/api/journeys/self-observation/rounds",
        {"title": "Hiver", "opens_on": TODAY.isoformat()},
        content_type="application/json",
    )
    if role in PERSONAL_OPENERS:
        assert response.status_code == 201
        assert response.json()["organization"] is None
    else:
        assert response.status_code == (401 if role == "visitor" else 403)
        assert not Round.objects.exists()


def test_a_round_on_a_collective_under_the_threshold_is_allowed_withheld_and_says_so(
    client_as, personas, questionnaire
):
    client = client_as("org_admin")
    api = client.post(
        "/api/journeys/self-observation/rounds",
        {
            "title": "Automne",
            "opens_on": TODAY.isoformat(),
            "organization": personas.organization.slug,
        },
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["below_threshold"] is True
    page = client.post(
        "/auto-observation/tours/nouveau/",
        {"title": "Hiver", "organization": personas.organization.pk, "opens_on": TODAY.isoformat()},
        follow=True,
    )
    text = page.content.decode()
    assert "Ce collectif compte 1 membre, moins de 5" in text
    round_ = Round.objects.get(title="Automne")
    response_submit(round_=round_, actor=personas.org_admin, answers=_answers(questionnaire))
    collective = client.get(f"/auto-observation/collectifs/{personas.organization.slug}/")
    assert "moins de 5" in collective.content.decode()
    assert collective.context["aggregate"] is None


def test_the_round_form_is_refused_to_someone_who_may_open_none(client_as, questionnaire):
    assert client_as("participant").get("/auto-observation/tours/nouveau/").status_code == 403
    assert client_as("org_admin").get("/auto-observation/tours/nouveau/").status_code == 200


def test_a_round_that_closes_before_it_opens_is_refused_clearly(client_as, questionnaire):
    response = client_as("facilitator").post(
        "/api/journeys/self-observation/rounds",
        {"title": "x", "opens_on": TODAY.isoformat(), "closes_on": "2020-01-01"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "closes before it opens" in response.json()["detail"]["closes_on"][0]


@pytest.mark.parametrize("role", ROLES)
def test_only_who_may_open_a_collective_round_may_close_it(
    client_as, personas, questionnaire, role
):
    round_ = round_create(
        actor=personas.org_admin,
        questionnaire=questionnaire,
        title="Été",
        opens_on=TODAY,
        organization=personas.organization,
    )
    client = client_as(role)
    api = client.post(f"/api/journeys/self-observation/rounds/{round_.pk}/close")
    round_.refresh_from_db()
    assert (round_.closed_at is not None) is (role in COLLECTIVE_OPENERS)
    if role in COLLECTIVE_OPENERS:
        assert api.status_code == 200 and api.json()["closed"] is True
    else:
        assert api.status_code == (401 if role == "visitor" else 403)


def test_a_closed_round_takes_no_more_answers_and_leaves_the_list(
    client_as, personas, questionnaire
):
    round_ = round_create(
        actor=personas.facilitator, questionnaire=questionnaire, title="Été", opens_on=TODAY
    )
    response_submit(round_=round_, actor=personas.field_agent, answers=_answers(questionnaire))
    client_as("facilitator").post(f"/auto-observation/tours/{round_.pk}/cloture/")
    round_.refresh_from_db()
    assert round_.closed_at is not None
    with pytest.raises(ValidationError):
        response_submit(round_=round_, actor=personas.participant, answers=_answers(questionnaire))
    assert client_as("participant").get("/auto-observation/").context["open_rounds"] == []
    assert round_.responses.count() == 1
    with pytest.raises(ValidationError):
        round_close(round_=round_, actor=personas.facilitator)


def test_facilitators_add_and_remove_questions_before_the_first_answer_only(
    client_as, personas, questionnaire
):
    client = client_as("facilitator")
    added = client.post(
        "/api/journeys/self-observation/questions",
        {"key": "confiance", "dimension": "nous", "text_fr": "Confiance ?", "text_en": "Trust?"},
        content_type="application/json",
    )
    assert added.status_code == 201
    removed = client.delete("/api/journeys/self-observation/questions/confiance")
    assert removed.status_code == 204
    page = client.post(
        "/auto-observation/questions/",
        {
            "action": "add",
            "key": "ecoute",
            "dimension": "je",
            "text_fr": "Écoute ?",
            "text_en": "Listening?",
        },
    )
    assert page.status_code == 302
    assert questionnaire.questions.filter(key="ecoute").exists()

    round_ = round_create(
        actor=personas.facilitator, questionnaire=questionnaire, title="Un", opens_on=TODAY
    )
    response_submit(round_=round_, actor=personas.participant, answers=_answers(questionnaire))
    late = client.post(
        "/api/journeys/self-observation/questions",
        {"key": "tard", "dimension": "je", "text_fr": "Tard ?", "text_en": "Late?"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert late.status_code == 422 and "already answered" in str(late.json()["detail"])
    assert client.delete("/api/journeys/self-observation/questions/ecoute").status_code == 422
    reworded = client.patch(
        "/api/journeys/self-observation/questions/ecoute",
        {"text_fr": "Écoute mutuelle ?", "text_en": "Mutual listening?"},
        content_type="application/json",
    )
    assert reworded.status_code == 200 and reworded.json()["text_fr"] == "Écoute mutuelle ?"
    questions_page = client.get("/auto-observation/questions/").content.decode()
    assert "ne peuvent plus être ajoutées" in questions_page


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_change_the_question_set_in_the_api(
    client_as, personas, questionnaire, role
):
    key = questionnaire.questions.first().key
    client = client_as(role)
    patched = client.patch(
        f"/api/journeys/self-observation/questions/{key}",
        {"text_fr": "Nouveau ?", "text_en": "New?"},
        content_type="application/json",
    )
    added = client.post(
        "/api/journeys/self-observation/questions",
        {"key": "neuve", "dimension": "dans", "text_fr": "Neuve ?", "text_en": "New one?"},
        content_type="application/json",
    )
    if role in PERSONAL_OPENERS:
        assert (patched.status_code, added.status_code) == (200, 201)
    else:
        expected = 401 if role == "visitor" else 403
        assert (patched.status_code, added.status_code) == (expected, expected)
        assert not Question.objects.filter(key="neuve").exists()


def test_a_question_needs_a_known_dimension_a_new_key_and_both_languages(personas, questionnaire):
    existing = questionnaire.questions.first().key
    with pytest.raises(ValidationError) as error, translation.override("en"):
        question_add(
            questionnaire=questionnaire,
            actor=personas.facilitator,
            key=existing,
            dimension="eux",
            text_fr="",
            text_en="Only English",
        )
    assert set(error.value.message_dict) == {"key", "dimension", "text_fr"}


def test_the_rounds_run_page_lists_the_facilitators_rounds_with_their_answers(
    client_as, personas, questionnaire
):
    round_create(
        actor=personas.org_admin,
        questionnaire=questionnaire,
        title="Collectif",
        opens_on=TODAY - dt.timedelta(days=3),
        organization=personas.organization,
        closes_on=TODAY - dt.timedelta(days=1),
    )
    page = client_as("facilitator").get("/auto-observation/")
    assert [r.title for r in page.context["run"]] == ["Collectif"]
    assert page.context["open_rounds"] == []  # over since yesterday
