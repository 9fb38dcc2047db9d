"""Closed questions and their answers are validated on every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from maillage.consultations.questions import validate_answers, validate_questions
from maillage.consultations.services import campaign_create

SCALE = {"id": "calm", "kind": "scale", "label": "Calme ?", "min": 1, "max": 5}
MULTI = {"id": "uses", "kind": "multiple", "label": "Usages", "options": ["Jouer", "Lire"]}


@pytest.mark.parametrize(
    ("questions", "words"),
    [
        ({"id": "x"}, "must be a list"),
        ([{"id": "Q 1", "kind": "scale", "label": "x"}], "the id must be"),
        ([SCALE, SCALE], "used twice"),
        ([{"id": "a", "kind": "free", "label": "x"}], "the kind must be"),
        ([{"id": "a", "kind": "scale", "label": ""}], "the question is required"),
        (
            [{"id": "a", "kind": "scale", "label": "x", "min": 5, "max": 1}],
            "from a lower to a higher value",
        ),
        ([{"id": "a", "kind": "single", "label": "x", "options": ["seul"]}], "at least two"),
        ([{"id": "a", "kind": "single", "label": "x", "options": ["a", "a"]}], "must be different"),
    ],
)
def test_malformed_questions_are_refused_with_the_reason(questions, words):
    with translation.override("en"), pytest.raises(ValidationError, match=words):
        validate_questions(questions)


def test_answers_are_checked_and_normalized():
    questions = validate_questions([SCALE, MULTI])
    assert validate_answers(questions, {"calm": "3", "uses": ["Lire", "Jouer"]}) == {
        "calm": 3,
        "uses": ["Jouer", "Lire"],
    }
    assert validate_answers(questions, None) == {}
    for bad in ({"calm": 6}, {"calm": True}, {"uses": "Lire"}, {"uses": ["Nager"]}, ["calm"]):
        with pytest.raises(ValidationError):
            validate_answers(questions, bad)


def test_a_campaign_with_bad_questions_is_not_created(personas):
    with pytest.raises(ValidationError):
        campaign_create(
            actor=personas.facilitator,
            title="X",
            territory=personas.commune,
            open_question="?",
            closed_questions=[{"id": "a", "kind": "free"}],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )


def test_a_campaign_site_must_be_a_public_space_inside_the_territory(personas, outside_site):
    with translation.override("en"), pytest.raises(ValidationError, match="not a public space"):
        campaign_create(
            actor=personas.facilitator,
            title="X",
            territory=personas.commune,
            open_question="?",
            sites=[personas.neighbourhood],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    with pytest.raises(ValidationError, match="est hors de Autre Commune"):
        campaign_create(
            actor=personas.platform_admin,
            title="X",
            territory=personas.other_commune,
            open_question="?",
            sites=[outside_site],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("participant", False),
        ("field_agent", False),
        ("org_admin", False),
        ("facilitator", True),
        ("territory_admin", True),
        ("platform_admin", True),
    ],
)
def test_who_may_create_a_campaign(personas, role, allowed):
    def create():
        return campaign_create(
            actor=personas.by_role(role),
            title="Place",
            territory=personas.commune,
            open_question="?",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )

    if allowed:
        assert create().status == "draft"
    else:
        with pytest.raises(Exception, match="add_campaign"):
            create()
