"""Rotating facilitation and sociocratic elections."""

from __future__ import annotations

import pytest

from maillage.analysis.consent import Answer, AnswerKind
from maillage.analysis.rotation import (
    Nomination,
    Turn,
    TurnKind,
    meeting_roles,
    rotation_queue,
    sociocratic_election,
)

MEMBERS = ["ana", "bo", "cy", "di"]
F = "facilitator"


def served(seq, member, role=F):
    return Turn(seq, role, member, TurnKind.SERVED)


def test_members_who_never_served_come_first_in_member_order():
    proposal = rotation_queue(MEMBERS, [served(1, "ana")], role=F)
    assert proposal.queue == ("bo", "cy", "di", "ana")


def test_least_recently_served_is_proposed():
    history = [
        served(1, "ana"),
        served(2, "bo"),
        served(3, "cy"),
        served(4, "di"),
        served(5, "ana"),
    ]
    assert rotation_queue(MEMBERS, history, role=F).proposed == "bo"


def test_unavailable_members_are_skipped_and_reported():
    history = [served(1, "ana"), served(2, "bo"), served(3, "cy"), served(4, "di")]
    proposal = rotation_queue(MEMBERS, history, role=F, unavailable={"ana"})
    assert proposal.proposed == "bo"
    assert proposal.unavailable == ("ana",)


def test_a_pass_moves_the_member_back_but_is_not_a_service():
    history = [served(1, "ana"), served(2, "bo"), Turn(3, F, "cy", TurnKind.PASSED),
               served(3, "di")]  # fmt: skip
    proposal = rotation_queue(MEMBERS, history, role=F)
    assert proposal.queue == ("ana", "bo", "cy", "di")
    # cy never served: with equal last turns, fewer services go first.
    tied = [Turn(1, F, "cy", TurnKind.PASSED), served(1, "bo")]
    assert rotation_queue(["bo", "cy"], tied, role=F).queue == ("cy", "bo")


def test_never_the_same_person_twice_in_a_row_when_someone_else_is_available():
    history = [served(1, "bo"), Turn(2, F, "bo", TurnKind.PASSED), served(3, "ana")]
    proposal = rotation_queue(["ana", "bo"], history, role=F)
    assert proposal.previous == "ana"
    assert proposal.proposed == "bo"
    alone = rotation_queue(["ana", "bo"], history, role=F, unavailable={"bo"})
    assert alone.proposed == "ana"


def test_facilitator_and_secretary_are_different_people():
    roles = meeting_roles(MEMBERS, [served(1, "ana", "secretary")])
    assert roles.facilitator.proposed == "ana"
    assert roles.secretary.proposed == "bo"
    solo = meeting_roles(["ana"], [])
    assert solo.facilitator.proposed == solo.secretary.proposed == "ana"


def test_a_year_of_rotation_is_even_across_members():
    history: list[Turn] = []
    for meeting in range(24):
        chosen = rotation_queue(MEMBERS, history, role=F).proposed
        history.append(served(meeting, chosen))
    counts = {m: sum(t.member == m for t in history) for m in MEMBERS}
    assert counts == dict.fromkeys(MEMBERS, 6)
    assert all(a.member != b.member for a, b in zip(history, history[1:], strict=False))


def test_duplicate_member_list_is_refused():
    with pytest.raises(ValueError, match="names someone twice"):
        rotation_queue(["ana", "ana"], [], role=F)


def test_election_after_a_change_round_proposes_the_most_nominated_and_needs_consent():
    nominations = [
        Nomination("ana", "bo", "listens well"),
        Nomination("bo", "cy", "knows the budget"),
        Nomination("cy", "cy", "I have time"),
        Nomination("di", "bo", "calm"),
    ]
    changes = [Nomination("cy", "bo", "convinced by ana")]
    answers = [Answer(m, AnswerKind.CONSENT) for m in MEMBERS]
    outcome = sociocratic_election(MEMBERS, nominations, changes=changes, consent_answers=answers)
    assert outcome.tally == (("bo", 3), ("cy", 1))
    assert outcome.changed == ("cy",)
    assert outcome.elected == "bo"


def test_election_tie_goes_to_fewer_past_terms_and_an_objection_elects_nobody():
    nominations = [Nomination("ana", "bo", "r"), Nomination("bo", "ana", "r")]
    objection = Answer("cy", AnswerKind.OBJECTION, reason="conflict", acceptable_if="co-lead")
    outcome = sociocratic_election(
        MEMBERS, nominations, past_terms={"ana": 2}, consent_answers=[objection]
    )
    assert outcome.proposed == "bo"
    assert outcome.elected is None


def test_election_refuses_outsiders_and_reasonless_nominations():
    with pytest.raises(ValueError, match="'zed' is not a member and cannot be nominated"):
        sociocratic_election(MEMBERS, [Nomination("ana", "zed", "r")])
    with pytest.raises(ValueError, match="needs its reason"):
        sociocratic_election(MEMBERS, [Nomination("ana", "bo", " ")])
