"""Several institutions, majority judgment, rotation and elections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from maillage.decisions import selectors
from maillage.decisions.models import Decision, FacilitationTurn, Grade
from maillage.decisions.services import elections, polls, rotation, rounds
from maillage.decisions.services.common import ProcessConflict
from maillage.decisions.tests.conftest import make_person, to_consent


def _answer(round_, people, names, kind="consent", **extra):
    for name in names:
        rounds.answer_submit(round=round_, actor=people[name], kind=kind, **extra)


def _statuses(round_):
    return {row.name: row.status for row in selectors.consent_outcome(round_).delegations}


def test_a_committee_decision_is_adopted_when_each_delegation_consents_by_its_rule(committee):
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    _answer(round_, people, ["a1", "b1", "b2", "h1", "h2"])
    _answer(round_, people, ["a2", "a3", "h3"], kind="stand_aside")
    assert _statuses(round_) == {
        "Collège des habitants": "consents",
        "Commune A": "consents",
        "Commune B": "consents",
    }
    rounds.round_close(round=round_, actor=committee.facilitator)
    assert Decision.objects.get(pk=committee.decision.pk).state == "adopted"


def test_a_delegation_waiting_on_its_rule_keeps_the_decision_pending(committee):
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    _answer(round_, people, ["a2", "a3", "b1", "b2", "h1", "h2"])  # the head of A is silent
    assert _statuses(round_)["Commune A"] == "pending"
    rounds.round_close(round=round_, actor=committee.facilitator)
    decision = Decision.objects.get(pk=committee.decision.pk)
    assert decision.state == "consent"
    assert decision.rounds.get(number=round_.number).outcome["status"] == "pending"


def test_an_objection_inside_a_consenting_delegation_stands_for_the_whole_committee(committee):
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    _answer(round_, people, ["a1", "a2", "a3", "b1", "b2", "h1", "h2"])
    rounds.answer_submit(
        round=round_,
        actor=people["h3"],
        kind="objection",
        reason="Le samedi est jour de marché.",
        acceptable_if="Ouvrir le dimanche.",
    )
    assert _statuses(round_)["Collège des habitants"] == "consents"  # by majority
    rounds.round_close(round=round_, actor=committee.facilitator)
    decision = Decision.objects.get(pk=committee.decision.pk)
    assert decision.state == "amend"
    outcome = decision.rounds.get(number=round_.number).outcome
    assert outcome["objections"] == 1


def test_only_the_concerned_delegations_must_consent(committee):
    committee.decision.scope.set([committee.a, committee.b])
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    _answer(round_, people, ["a1", "b1", "b2"])
    outcome = selectors.consent_outcome(round_)
    assert {row.name: row.concerned for row in outcome.delegations}[
        "Collège des habitants"
    ] is False
    rounds.round_close(round=round_, actor=committee.facilitator)
    assert Decision.objects.get(pk=committee.decision.pk).state == "adopted"


def test_a_committee_member_outside_any_delegation_cannot_give_consent(committee):
    round_ = to_consent(committee.decision, committee.facilitator)
    with pytest.raises(PermissionDenied):
        rounds.answer_submit(round=round_, actor=committee.facilitator, kind="consent")


def test_the_committee_page_shows_each_delegation_status_and_the_objection(committee, client):
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    rounds.answer_submit(
        round=round_,
        actor=people["b2"],
        kind="objection",
        reason="Coût non chiffré",
        acceptable_if="Un budget détaillé",
    )
    response = client.get(committee.decision.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Commune B" in html and "Coût non chiffré" in html and "Un budget détaillé" in html
    assert "objects" in html


# ---------------------------------------------------------------- majority judgment


@pytest.fixture
def poll(team):
    return polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Projet pour la friche",
        question="Quel projet ?",
        method="majority_judgment",
        options=["Halle gourmande", "Tiers-lieu", "Parc"],
    )


def test_a_majority_judgment_poll_ranks_by_majority_grade_end_to_end(team, poll, client):
    ids = {o.label: o.pk for o in poll.options.all()}
    ballots = {
        team.member: {"Halle gourmande": 2, "Tiers-lieu": 5, "Parc": 4},
        team.author: {"Halle gourmande": 3, "Tiers-lieu": 4, "Parc": 4},
        team.facilitator: {"Halle gourmande": 1, "Tiers-lieu": 3, "Parc": 6},
    }
    for voter, grades in ballots.items():
        polls.poll_submit(
            poll=poll, actor=voter, grades={ids[label]: g for label, g in grades.items()}
        )
    with pytest.raises(PermissionDenied):
        polls.poll_close(poll=poll, actor=team.other_member)
    polls.poll_close(poll=poll, actor=team.member)
    results = selectors.poll_results(poll)
    ranking = [
        (results.option_labels[r.option], r.majority_grade_label) for r in results.majority.ranking
    ]
    # Parc: 4,4,6 → Good (+); Tiers-lieu: 3,4,5 → Good (=); Halle: 1,2,3 → Passable.
    assert ranking == [("Parc", "Good"), ("Tiers-lieu", "Good"), ("Halle gourmande", "Passable")]
    with translation.override("fr"):
        labels = [r.majority_grade_label for r in selectors.poll_results(poll).majority.ranking]
    assert labels == ["Bien", "Bien", "Passable"]
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "<svg" in html and "<caption>" in html and "Parc" in html
    assert 'width="200"' in html  # a third of 600 px, written for the browser, not localized


def test_a_ballot_must_grade_every_option_on_the_scale(team, poll):
    first = poll.options.first()
    with pytest.raises(ValidationError, match="Grade every option"):
        polls.poll_submit(poll=poll, actor=team.member, grades={first.pk: 3})
    grades = {o.pk: 9 for o in poll.options.all()}
    with pytest.raises(ValidationError, match="0 to 6"):
        polls.poll_submit(poll=poll, actor=team.member, grades=grades)


def test_only_members_vote_and_a_closed_poll_refuses_ballots(team, poll):
    grades = {o.pk: 3 for o in poll.options.all()}
    with pytest.raises(PermissionDenied):
        polls.poll_submit(poll=poll, actor=team.other_member, grades=grades)
    polls.poll_close(poll=poll, actor=team.member)
    with pytest.raises(ProcessConflict):
        polls.poll_submit(poll=poll, actor=team.author, grades=grades)


def test_revoting_replaces_the_ballot_and_the_database_keeps_one_grade_per_option(team, poll):
    option = poll.options.first()
    polls.poll_submit(poll=poll, actor=team.member, grades={o.pk: 2 for o in poll.options.all()})
    polls.poll_submit(poll=poll, actor=team.member, grades={o.pk: 5 for o in poll.options.all()})
    assert list(Grade.objects.filter(voter=team.member).values_list("grade", flat=True)) == [5] * 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Grade.objects.create(poll=poll, voter=team.member, option=option, grade=1)


def test_an_approval_poll_counts_approvals(team):
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Dates",
        question="Quand ?",
        method="approval",
        options=["Samedi", "Dimanche"],
    )
    saturday, sunday = poll.options.all()
    polls.poll_submit(poll=poll, actor=team.member, grades={saturday.pk: 1})
    polls.poll_submit(poll=poll, actor=team.author, grades={saturday.pk: 1, sunday.pk: 1})
    results = selectors.poll_results(poll)
    assert results.approval.counts == {str(saturday.pk): 2, str(sunday.pk): 1}
    assert results.voters == 2


# ---------------------------------------------------------------- rotation


def test_rotation_asks_whoever_served_least_recently_and_records_passes(team):
    decision = team.decision
    decision.facilitator = None
    decision.save(update_fields=["facilitator"])
    rotation.decision_assign_roles(decision=decision, actor=team.member, on=dt.date(2026, 1, 5))
    decision.refresh_from_db()
    # Nobody served yet: join order decides; the secretary is someone else.
    assert decision.facilitator_id == team.facilitator.pk
    assert decision.secretary_id == team.author.pk
    turn = FacilitationTurn.objects.get(decision=decision, role="facilitator", kind="served")
    successor = rotation.facilitation_pass(turn=turn, actor=team.facilitator)
    decision.refresh_from_db()
    assert successor.person_id == team.member.pk == decision.facilitator_id
    kinds = list(decision.turns.filter(role="facilitator").values_list("person_id", "kind"))
    assert kinds == [(team.facilitator.pk, "passed"), (team.member.pk, "served")]
    with pytest.raises(PermissionDenied):
        rotation.facilitation_pass(turn=successor, actor=team.author)


def test_meetings_rotate_and_skip_declared_unavailability(team):
    rotation.unavailability_declare(
        circle=team.circle, actor=team.author, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
    )
    chosen = []
    for month in (1, 2, 3):
        facilitator, secretary = rotation.meeting_roles_assign(
            circle=team.circle,
            actor=team.member,
            held_on=dt.date(2026, month, 10),
            meeting=f"Réunion {month}",
        )
        chosen.append((facilitator.person_id, secretary.person_id))
    f, a, m = team.facilitator.pk, team.author.pk, team.member.pk
    # January: join order. February: the author is away. March: who never facilitated first.
    assert chosen == [(f, a), (m, f), (a, m)]
    assert selectors.rotation_history(team.circle).count() == 6


def test_only_members_declare_unavailability_and_dates_are_ordered(team):
    with pytest.raises(PermissionDenied):
        rotation.unavailability_declare(
            circle=team.circle,
            actor=team.other_member,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 1, 2),
        )
    with pytest.raises(ValidationError):
        rotation.unavailability_declare(
            circle=team.circle,
            actor=team.member,
            start=dt.date(2026, 1, 2),
            end=dt.date(2026, 1, 1),
        )


def test_the_rotation_page_shows_the_history(team, client):
    rotation.meeting_roles_assign(
        circle=team.circle,
        actor=team.member,
        held_on=dt.date(2026, 1, 10),
        meeting="Réunion de janvier",
    )
    html = client.get(f"/cercles/{team.circle.slug}/rotation/").content.decode()
    assert "Réunion de janvier" in html


# ---------------------------------------------------------------- elections


def test_a_sociocratic_election_nominates_changes_and_consents(team):
    election = elections.election_open(
        circle=team.circle, actor=team.facilitator, role="Secrétaire"
    )
    elections.nomination_submit(
        election=election,
        actor=team.member,
        nominee=team.author,
        reason="Elle écrit vite et juste.",
    )
    elections.nomination_submit(
        election=election, actor=team.author, nominee=team.member, reason="Il connaît le dossier."
    )
    elections.nomination_submit(
        election=election, actor=team.facilitator, nominee=team.member, reason="Disponible le soir."
    )
    elections.election_advance(election=election, actor=team.facilitator)
    elections.nomination_submit(
        election=election,
        actor=team.member,
        nominee=team.member,
        reason="Convaincu par les raisons entendues.",
    )
    election = elections.election_advance(election=election, actor=team.facilitator)
    assert election.proposed_id == team.member.pk
    with pytest.raises(ValidationError):
        elections.election_answer(election=election, actor=team.author, kind="objection")
    for person in team.members:
        elections.election_answer(election=election, actor=person, kind="consent")
    election = elections.election_advance(election=election, actor=team.facilitator)
    assert election.state == "elected"


def test_a_newcomer_cannot_be_nominated_before_joining(team):
    election = elections.election_open(circle=team.circle, actor=team.facilitator, role="X")
    outsider = make_person("outsider@example.org")
    with pytest.raises(ValidationError):
        elections.nomination_submit(
            election=election, actor=team.member, nominee=outsider, reason="Pourquoi pas"
        )
