"""One person, one voice: identical submissions fired at once record exactly one answer."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from maillage.decisions.models import Answer, AnswerChange, Grade, Poll, Round
from maillage.decisions.services import polls, rounds

THREADS = 50


def _fire(target, count: int = THREADS) -> list[BaseException]:
    """Run ``target`` in ``count`` threads released together; return the errors raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_consents_at_once_record_exactly_one_answer(team):
    from maillage.decisions.tests.conftest import to_consent

    round_ = to_consent(team.decision, team.facilitator)
    member = team.member

    def submit() -> None:
        rounds.answer_submit(round=Round.objects.get(pk=round_.pk), actor=member, kind="consent")

    errors = _fire(submit)
    assert errors == []
    assert Answer.objects.filter(round=round_, member=member).count() == 1
    assert AnswerChange.objects.filter(round=round_, member=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_ballots_at_once_record_one_grade_per_option(team):
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Projet",
        question="?",
        method="majority_judgment",
        options=["A", "B"],
    )
    grades = {o.pk: 4 for o in poll.options.all()}

    def submit() -> None:
        polls.poll_submit(poll=Poll.objects.get(pk=poll.pk), actor=team.author, grades=grades)

    errors = _fire(submit)
    assert errors == []
    assert Grade.objects.filter(poll=poll, voter=team.author).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_second_submission_waits_for_the_first_to_commit_then_finds_its_answer(team):
    """The round's row lock orders submissions: the later one never meets the constraint."""
    from maillage.decisions.tests.conftest import to_consent

    round_ = to_consent(team.decision, team.facilitator)
    member = team.member
    first_holds_the_lock, release_first = threading.Event(), threading.Event()
    second_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                rounds.answer_submit(round=round_, actor=member, kind="consent")
                first_holds_the_lock.set()
                release_first.wait(10)
        except BaseException as error:  # asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            rounds.answer_submit(round=round_, actor=member, kind="consent")
        except BaseException as error:  # asserted on below
            errors.append(error)
        finally:
            second_done.set()
            connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    assert first_holds_the_lock.wait(10)
    waiter = threading.Thread(target=second)
    waiter.start()
    waited = not second_done.wait(0.5)
    release_first.set()
    holder.join()
    waiter.join()
    assert errors == []
    assert waited, "the second submission did not wait for the first one's lock"
    assert Answer.objects.filter(round=round_, member=member).count() == 1
    assert AnswerChange.objects.filter(round=round_, member=member).count() == 1
