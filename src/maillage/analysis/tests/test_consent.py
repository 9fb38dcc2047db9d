"""Consent outcomes for circles and multi-institution committees, and the round state machine."""

from __future__ import annotations

import pytest

from maillage.analysis.consent import (
    ROUND_TRANSITIONS,
    Answer,
    AnswerKind,
    Delegation,
    DelegationRule,
    DelegationStatus,
    InvalidAnswerError,
    OutcomeStatus,
    RoundState,
    TransitionError,
    check_transition,
    circle_outcome,
    committee_outcome,
    state_after_consent_round,
)

C, OBJ, S = AnswerKind.CONSENT, AnswerKind.OBJECTION, AnswerKind.STAND_ASIDE


def consent(member):
    return Answer(member, C)


def objection(member):
    return Answer(member, OBJ, reason="the budget is not known", acceptable_if="a costed plan")


def test_circle_adopts_when_everyone_consents_or_stands_aside():
    outcome = circle_outcome(["ana", "bo", "cy"], [consent("ana"), consent("bo"), Answer("cy", S)])
    assert outcome.adopted and outcome.status is OutcomeStatus.ADOPTED


def test_one_reasoned_objection_blocks_and_is_listed():
    outcome = circle_outcome(["ana", "bo"], [consent("ana"), objection("bo")])
    assert outcome.status is OutcomeStatus.OBJECTED
    assert [a.member for a in outcome.objections] == ["bo"]
    assert state_after_consent_round(outcome) is RoundState.AMEND


def test_missing_answers_keep_the_round_pending_and_are_named():
    outcome = circle_outcome(["ana", "bo", "cy"], [consent("ana")])
    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.missing == ("bo", "cy")
    assert state_after_consent_round(outcome) is RoundState.CONSENT


def test_a_round_where_everyone_stands_aside_adopts_nothing():
    outcome = circle_outcome(["ana"], [Answer("ana", S)])
    assert outcome.status is OutcomeStatus.NOT_CONSENTED


def test_objection_without_reason_or_remedy_is_refused_with_a_clear_message():
    with pytest.raises(InvalidAnswerError, match="needs its reason"):
        Answer("bo", OBJ, reason="  ", acceptable_if="x")
    with pytest.raises(InvalidAnswerError, match="what would make it acceptable"):
        Answer("bo", OBJ, reason="too costly")


def test_non_members_and_double_answers_are_refused():
    with pytest.raises(InvalidAnswerError, match="'zed' is not a member"):
        circle_outcome(["ana"], [consent("zed")])
    with pytest.raises(InvalidAnswerError, match="answered twice"):
        circle_outcome(["ana"], [consent("ana"), consent("ana")])


COMMITTEE = [
    Delegation("Commune A", ("a1", "a2", "a3"), DelegationRule.MAJORITY),
    Delegation("Université", ("u1", "u2"), DelegationRule.UNANIMITY),
    Delegation("Entreprise", ("e1", "e2"), DelegationRule.HEAD, head="e1"),
]


def test_committee_adopts_when_every_delegation_consents_by_its_own_rule():
    answers = [consent("a1"), consent("a2"), Answer("a3", S), consent("u1"), Answer("u2", S),
               consent("e1"), Answer("e2", S)]  # fmt: skip
    outcome = committee_outcome(COMMITTEE, answers)
    assert outcome.adopted
    assert [d.status for d in outcome.delegations] == [DelegationStatus.CONSENTS] * 3


def test_minority_objection_inside_a_majority_delegation_still_blocks_the_committee():
    answers = [consent("a1"), consent("a2"), objection("a3"), consent("u1"), consent("u2"),
               consent("e1"), consent("e2")]  # fmt: skip
    outcome = committee_outcome(COMMITTEE, answers)
    assert outcome.delegations[0].status is DelegationStatus.CONSENTS
    assert outcome.status is OutcomeStatus.OBJECTED
    assert outcome.objections[0].member == "a3"


def test_head_decides_for_the_delegation_and_others_are_pending_until_they_answer():
    outcome = committee_outcome(COMMITTEE, [Answer("e1", S), consent("a1")])
    statuses = {d.delegation: d.status for d in outcome.delegations}
    assert statuses == {
        "Commune A": DelegationStatus.PENDING,
        "Université": DelegationStatus.PENDING,
        "Entreprise": DelegationStatus.STANDS_ASIDE,
    }
    assert outcome.status is OutcomeStatus.PENDING


def test_majority_that_cannot_be_reached_is_reported_and_blocks_a_concerned_delegation():
    answers = [Answer("a1", S), Answer("a2", S), consent("a3"), consent("u1"), consent("u2"),
               consent("e1")]  # fmt: skip
    outcome = committee_outcome(COMMITTEE, answers)
    assert outcome.delegations[0].status is DelegationStatus.NOT_REACHED
    assert outcome.status is OutcomeStatus.NOT_CONSENTED
    only_university = committee_outcome(COMMITTEE, answers, concerned=["Université", "Entreprise"])
    assert only_university.adopted


def test_unknown_concerned_delegation_and_bad_delegations_are_refused():
    with pytest.raises(ValueError, match="unknown delegations: \\['Mairie'\\]"):
        committee_outcome(COMMITTEE, [], concerned=["Mairie"])
    with pytest.raises(ValueError, match="head must be one of its delegates"):
        Delegation("X", ("x1",), DelegationRule.HEAD, head="y")
    with pytest.raises(ValueError, match="sits in two delegations"):
        committee_outcome([COMMITTEE[0], Delegation("B", ("a1",), DelegationRule.MAJORITY)], [])


def test_the_happy_path_and_an_amendment_loop_are_allowed():
    path = ["draft", "clarifying", "reactions", "consent", "amend", "consent", "amend", "consent",
            "adopted"]  # fmt: skip
    for current, target in zip(path, path[1:], strict=False):
        assert check_transition(current, target) is RoundState(target)


def test_invalid_transition_names_the_current_state():
    with pytest.raises(TransitionError, match="in state 'adopted'.*allowed: none") as caught:
        check_transition(RoundState.ADOPTED, RoundState.CONSENT)
    assert caught.value.current is RoundState.ADOPTED
    with pytest.raises(TransitionError, match="in state 'draft', which cannot go to 'consent'"):
        check_transition("draft", "consent")
    with pytest.raises(ValueError, match="unknown state 'voting'"):
        check_transition("voting", "draft")


def test_every_open_state_can_be_withdrawn_and_final_states_go_nowhere():
    for state, targets in ROUND_TRANSITIONS.items():
        if state in (RoundState.ADOPTED, RoundState.WITHDRAWN):
            assert not targets
        else:
            assert RoundState.WITHDRAWN in targets
