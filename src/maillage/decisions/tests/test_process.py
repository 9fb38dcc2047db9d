"""The consent process, end to end through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.decisions import selectors
from maillage.decisions.models import Answer, AnswerChange, Decision, Round
from maillage.decisions.services import proposals, rounds
from maillage.decisions.services.common import ProcessConflict
from maillage.decisions.tests.conftest import deadline, to_consent


def _consent_all(round_, people):
    for person in people:
        rounds.answer_submit(round=round_, actor=person, kind="consent")


def test_a_proposal_goes_through_the_three_rounds_and_is_adopted_with_a_review_date(
    team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = to_consent(team.decision, team.facilitator)
        _consent_all(round_, team.members)
        rounds.round_close(round=round_, actor=team.facilitator)
    decision = Decision.objects.get(pk=team.decision.pk)
    assert decision.state == "adopted"
    assert decision.review_date == timezone.localdate() + dt.timedelta(days=365)
    assert [r.kind for r in decision.rounds.order_by("number")] == [
        "clarifying",
        "reactions",
        "consent",
    ]
    assert Round.objects.get(pk=round_.pk).outcome["status"] == "adopted"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"decision.propose", "decision.round_open", "decision.round_close"} <= actions
    adopted_mails = [m for m in mail.outbox if "Adopted" in m.subject]
    assert sorted(m.to[0] for m in adopted_mails) == sorted(p.email for p in team.members)


def test_emails_wait_for_the_commit(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rounds.round_open(
            decision=team.decision, actor=team.facilitator, kind="clarifying", mode="live"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_an_objection_sends_the_proposal_to_amendment_then_the_new_version_is_adopted(team):
    round_ = to_consent(team.decision, team.facilitator)
    objection = rounds.answer_submit(
        round=round_,
        actor=team.member,
        kind="objection",
        reason="Les livraisons du dimanche matin seraient bloquées.",
        acceptable_if="Autoriser les livraisons avant 10 h.",
    )
    _consent_all(round_, [team.facilitator, team.author])
    rounds.round_close(round=round_, actor=team.facilitator)
    decision = Decision.objects.get(pk=team.decision.pk)
    assert decision.state == "amend"
    assert Round.objects.get(pk=round_.pk).outcome["objections"] == 1

    with pytest.raises(ProcessConflict, match="Integrate the objections first"):
        rounds.round_open(decision=decision, actor=team.facilitator, kind="consent", mode="live")
    version = proposals.decision_amend(
        decision=decision,
        actor=team.author,
        text="La place est piétonne le dimanche, livraisons permises avant 10 h.\n"
        "Les terrasses ferment à 22 h.",
        note="Intègre l'objection sur les livraisons.",
        integrations={objection.pk: "Livraisons autorisées avant 10 h."},
    )
    assert version.number == 2
    objection.refresh_from_db()
    assert objection.integrated_in_id == version.pk
    second = rounds.round_open(
        decision=decision, actor=team.facilitator, kind="consent", mode="async", deadline=deadline()
    )
    assert second.version_id == version.pk
    _consent_all(second, team.members)
    rounds.round_close(round=second, actor=team.facilitator)
    assert Decision.objects.get(pk=decision.pk).state == "adopted"
    versions = selectors.decision_versions(decision)
    assert versions[1].diff == [
        ("equal", "La place est piétonne le "),
        ("delete", "dimanche."),
        ("insert", "dimanche, livraisons permises avant 10 h."),
        ("equal", "\nLes terrasses ferment à 22 h."),
    ]


def test_an_objection_without_reason_is_refused_with_a_clear_message(team):
    round_ = to_consent(team.decision, team.facilitator)
    with pytest.raises(ValidationError) as error:
        rounds.answer_submit(
            round=round_, actor=team.member, kind="objection", acceptable_if="Autre chose"
        )
    assert "needs its reason" in str(error.value.message_dict["reason"])
    with pytest.raises(ValidationError) as error:
        rounds.answer_submit(round=round_, actor=team.member, kind="objection", reason="Trop tôt")
    assert "acceptable" in str(error.value.message_dict["acceptable_if"])
    assert not Answer.objects.exists()


def test_the_database_refuses_an_objection_without_reason_and_a_second_answer(team):
    round_ = to_consent(team.decision, team.facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(round=round_, member=team.member, kind="objection")
    Answer.objects.create(round=round_, member=team.member, kind="consent")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(round=round_, member=team.member, kind="stand_aside")


def test_acting_on_a_closed_round_is_a_conflict_naming_its_state(team):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.round_close(round=round_, actor=team.facilitator)
    with pytest.raises(ProcessConflict) as error:
        rounds.answer_submit(round=round_, actor=team.member, kind="consent")
    assert error.value.details["round_state"] == "closed"
    with pytest.raises(ProcessConflict):
        rounds.round_close(round=round_, actor=team.facilitator)


def test_a_member_changes_their_answer_while_open_and_the_history_keeps_both(team):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.answer_submit(round=round_, actor=team.member, kind="consent")
    rounds.answer_submit(round=round_, actor=team.member, kind="consent")  # same: no change
    rounds.answer_submit(round=round_, actor=team.member, kind="stand_aside")
    assert Answer.objects.get(round=round_, member=team.member).kind == "stand_aside"
    history = list(
        AnswerChange.objects.filter(round=round_, member=team.member).values_list("kind", flat=True)
    )
    assert history == ["consent", "stand_aside"]


def test_the_state_machine_refuses_to_skip_the_clarifying_and_reactions_rounds(team):
    with pytest.raises(ProcessConflict) as error:
        rounds.round_open(
            decision=team.decision, actor=team.facilitator, kind="consent", mode="live"
        )
    assert error.value.details == {"state": "draft", "allowed": ["clarifying", "withdrawn"]}


def test_a_second_round_cannot_open_while_one_is_open(team):
    rounds.round_open(
        decision=team.decision, actor=team.facilitator, kind="clarifying", mode="live"
    )
    with pytest.raises(ProcessConflict, match="still open"):
        rounds.round_open(
            decision=team.decision, actor=team.facilitator, kind="reactions", mode="live"
        )


def test_an_online_round_needs_a_deadline_in_the_future(team):
    with pytest.raises(ValidationError) as error:
        rounds.round_open(
            decision=team.decision,
            actor=team.facilitator,
            kind="clarifying",
            mode="async",
            deadline=timezone.now() - dt.timedelta(hours=1),
        )
    assert "deadline" in error.value.message_dict


def test_in_a_live_round_the_facilitator_records_each_voice_in_meeting_order(team):
    round_ = to_consent(team.decision, team.facilitator, mode="live")
    with pytest.raises(PermissionDenied):
        rounds.answer_submit(round=round_, actor=team.member, kind="consent")
    for person in (team.member, team.author, team.facilitator):
        rounds.answer_submit(round=round_, actor=team.facilitator, member=person, kind="consent")
    answers = list(round_.answers.order_by("position").values_list("member_id", "recorded_by_id"))
    assert answers == [
        (team.member.pk, team.facilitator.pk),
        (team.author.pk, team.facilitator.pk),
        (team.facilitator.pk, team.facilitator.pk),
    ]
    assert AuditEntry.objects.filter(action="decision.answer_recorded").count() == 2


def test_questions_belong_to_clarifying_rounds_and_answers_to_consent_rounds(team):
    round_ = rounds.round_open(
        decision=team.decision,
        actor=team.facilitator,
        kind="clarifying",
        mode="async",
        deadline=deadline(),
    )
    note = rounds.note_add(round=round_, actor=team.member, text="Et les riverains ?")
    rounds.note_reply(note=note, actor=team.author, reply="Ils gardent leur accès.")
    with pytest.raises(ValidationError, match="question or a reaction"):
        rounds.answer_submit(round=round_, actor=team.member, kind="consent")


def test_an_adopted_decision_cannot_be_amended_or_withdrawn(team):
    round_ = to_consent(team.decision, team.facilitator)
    _consent_all(round_, team.members)
    rounds.round_close(round=round_, actor=team.facilitator)
    decision = Decision.objects.get(pk=team.decision.pk)
    with pytest.raises(ProcessConflict):
        proposals.decision_amend(decision=decision, actor=team.author, text="Autre", note="x")
    with pytest.raises(ProcessConflict):
        proposals.decision_withdraw(decision=decision, actor=team.author)


def test_a_round_closed_before_everyone_answered_stays_in_consent_and_can_reopen(team):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.answer_submit(round=round_, actor=team.member, kind="consent")
    rounds.round_close(round=round_, actor=team.facilitator)
    decision = Decision.objects.get(pk=team.decision.pk)
    assert decision.state == "consent"
    again = rounds.round_open(
        decision=decision, actor=team.facilitator, kind="consent", mode="live"
    )
    assert again.number == round_.number + 1


def test_reminders_go_once_to_members_who_have_not_answered(team):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.answer_submit(round=round_, actor=team.member, kind="consent")
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.now() + dt.timedelta(hours=3))
    mail.outbox.clear()
    assert rounds.rounds_send_reminders() == 2
    assert rounds.rounds_send_reminders() == 0


def test_an_online_round_past_its_deadline_closes_by_itself_with_the_same_outcome(team):
    round_ = to_consent(team.decision, team.facilitator)
    for member in team.members:
        rounds.answer_submit(round=round_, actor=member, kind="consent")
    assert rounds.rounds_close_due() == 0  # the deadline has not passed
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    assert rounds.rounds_close_due() == 1
    round_.refresh_from_db()
    team.decision.refresh_from_db()
    assert round_.state == Round.State.CLOSED
    assert team.decision.state == "adopted"
    assert rounds.rounds_close_due() == 0
