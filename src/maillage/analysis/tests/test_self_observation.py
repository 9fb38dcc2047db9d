"""Self-observation: personal evolution, collective aggregates with the anonymity floor."""

from __future__ import annotations

import pytest

from maillage.analysis.self_observation import (
    Answer,
    Scale,
    collective_aggregates,
    respondent_evolution,
)

WAVES = ["2025-spring", "2025-autumn"]


def answers_for(person, wave, je, nous, dans):
    return [
        Answer(person, wave, "q_je", "je", je),
        Answer(person, wave, "q_nous_1", "nous", nous[0]),
        Answer(person, wave, "q_nous_2", "nous", nous[1]),
        Answer(person, wave, "q_dans", "dans", dans),
    ]


def test_a_respondent_sees_their_own_evolution_per_dimension():
    answers = answers_for("ana", WAVES[0], 2, (2, 3), 1) + answers_for(
        "ana", WAVES[1], 4, (4, 4), 3
    )
    evolution = respondent_evolution(answers, "ana", waves=WAVES)
    assert [e.scores["nous"] for e in evolution] == [2.5, 4.0]
    assert [e.scores["dans"] for e in evolution] == [1.0, 3.0]


def test_collective_aggregate_is_shown_from_five_respondents_and_suppressed_below():
    answers = []
    for i, person in enumerate(["a", "b", "c", "d", "e"]):
        answers += answers_for(person, WAVES[0], 1 + i, (3, 3), 2)
    for person in ["a", "b", "c", "d"]:
        answers += answers_for(person, WAVES[1], 5, (5, 5), 5)
    first, second = collective_aggregates(answers, waves=WAVES)
    assert not first.suppressed and first.respondents == 5
    assert first.mean["je"] == 3.0 and first.median["nous"] == 3.0
    assert second.suppressed and second.mean["je"] is None
    assert (
        second.reason == "only 4 distinct respondents answered; at least 5 are needed for anonymity"
    )


def test_a_dimension_answered_by_too_few_is_hidden_even_in_an_open_wave():
    answers = []
    for person in "abcde":
        answers.append(Answer(person, WAVES[0], "q_je", "je", 3))
    answers.append(Answer("a", WAVES[0], "q_dans", "dans", 5))
    (wave,) = collective_aggregates(answers, waves=WAVES[:1])
    assert wave.mean["je"] == 3.0 and wave.mean["dans"] is None


def test_an_answer_outside_the_scale_names_the_allowed_range():
    with pytest.raises(ValueError, match="allowed range 1 to 5"):
        respondent_evolution([Answer("a", WAVES[0], "q", "je", 6)], "a", waves=WAVES)
    with pytest.raises(ValueError, match="allowed range 0 to 10"):
        collective_aggregates(
            [Answer("a", WAVES[0], "q", "je", -1)], waves=WAVES, scale=Scale(0, 10)
        )
    with pytest.raises(ValueError, match="whole number from 1 to 5"):
        respondent_evolution([Answer("a", WAVES[0], "q", "je", 2.5)], "a", waves=WAVES)  # type: ignore[arg-type]


def test_unknown_dimension_or_wave_and_double_answers_are_refused():
    with pytest.raises(ValueError, match="unknown dimension 'eux'"):
        respondent_evolution([Answer("a", WAVES[0], "q", "eux", 3)], "a", waves=WAVES)
    with pytest.raises(ValueError, match="unknown wave '2030'"):
        respondent_evolution([Answer("a", "2030", "q", "je", 3)], "a", waves=WAVES)
    with pytest.raises(ValueError, match="answered 'q' twice"):
        respondent_evolution([Answer("a", WAVES[0], "q", "je", 3)] * 2, "a", waves=WAVES)
