"""The journeys that used to stop: next steps in words, consent of the facilitator, the
delegation table after an objection, a rotation that only asks people who can act, and
replies to round notes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.decisions import selectors
from maillage.decisions.models import Decision, FacilitationTurn, RoundNote
from maillage.decisions.services import circles, rotation, rounds
from maillage.decisions.services.common import ProcessConflict
from maillage.decisions.tests.conftest import make_person, to_consent

LOGIN = "maillage.people.backends.EmailBackend"


# ---------------------------------------------------------------- next steps in words


def test_the_draft_offers_only_the_clarifying_round_in_words(team, client):
    client.force_login(team.facilitator, backend=LOGIN)
    page = client.get(team.decision.get_absolute_url()).content.decode()
    assert "Ouvrir un tour de clarification" in page
    assert 'name="kind" value="clarifying"' in page
    assert "Ouvrir le tour de consentement" not in page


def test_asking_consent_from_a_draft_answers_409_with_the_valid_steps_in_words(team, client):
    client.force_login(team.facilitator, backend=LOGIN)
    response = client.post(
        f"/decisions/{team.decision.pk}/tours/ouvrir/", {"kind": "consent", "mode": "live"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Brouillon" in html
    assert "Ouvrir un tour de clarification" in html and "Retirer la proposition" in html
    for code in ("draft", "clarifying", "withdrawn"):
        assert f">{code}<" not in html and f", {code}" not in html
    assert Decision.objects.get(pk=team.decision.pk).state == "draft"


def test_consent_is_reached_through_the_process_from_the_pages(team, client):
    client.force_login(team.facilitator, backend=LOGIN)
    url = f"/decisions/{team.decision.pk}/tours/ouvrir/"
    for kind, label in (
        ("clarifying", "Ouvrir un tour de clarification"),
        ("reactions", "Ouvrir un tour de réactions"),
        ("consent", "Ouvrir le tour de consentement"),
    ):
        assert label in client.get(team.decision.get_absolute_url()).content.decode()
        assert client.post(url, {"kind": kind, "mode": "live"}).status_code == 302
        round_ = team.decision.rounds.get(state="open")
        if kind != "consent":
            assert client.post(f"/tours/{round_.pk}/cloturer/").status_code == 302
    assert Decision.objects.get(pk=team.decision.pk).state == "consent"


# ---------------------------------------------------------------- the facilitator's consent


def test_the_facilitator_of_a_circle_gives_her_own_consent(team, client):
    round_ = to_consent(team.decision, team.facilitator)
    client.force_login(team.facilitator, backend=LOGIN)
    response = client.post(f"/tours/{round_.pk}/repondre/", {"kind": "consent"})
    assert response.status_code == 302
    assert round_.answers.get(member=team.facilitator).kind == "consent"


def test_a_committee_facilitator_who_is_a_delegate_consents(committee):
    facilitator = committee.people["b1"]
    committee.decision.facilitator = facilitator
    committee.decision.save(update_fields=["facilitator"])
    round_ = to_consent(committee.decision, facilitator)
    rounds.answer_submit(round=round_, actor=facilitator, kind="consent")
    assert round_.answers.get(member=facilitator).kind == "consent"


def test_a_committee_facilitator_outside_the_delegations_is_told_she_has_no_voice(
    committee, client
):
    round_ = to_consent(committee.decision, committee.facilitator)
    with pytest.raises(PermissionDenied, match="only the delegates answer"):
        rounds.answer_submit(round=round_, actor=committee.facilitator, kind="consent")
    client.force_login(committee.facilitator, backend=LOGIN)
    page = client.get(committee.decision.get_absolute_url()).content.decode()
    assert "vous ne siégez dans aucune délégation" in page
    assert 'name="kind" value="consent"' not in page


def test_in_a_live_committee_round_the_facilitator_records_only_delegates(committee, client):
    round_ = to_consent(committee.decision, committee.facilitator, mode="live")
    client.force_login(committee.facilitator, backend=LOGIN)
    page = client.get(committee.decision.get_absolute_url()).content.decode()
    neutral = committee.facilitator.pk
    assert f'value="{committee.people["a1"].pk}"' in page
    assert f'<option value="{neutral}"' not in page
    response = client.post(
        f"/tours/{round_.pk}/repondre/",
        {"member": committee.people["a1"].pk, "kind": "consent"},
    )
    assert response.status_code == 302


# ---------------------------------------------------------------- the delegation table


def test_after_a_round_closed_on_an_objection_no_delegation_is_shown_waiting(committee, client):
    people = committee.people
    round_ = to_consent(committee.decision, committee.facilitator)
    rounds.answer_submit(
        round=round_,
        actor=people["h1"],
        kind="objection",
        reason="Le samedi est jour de marché.",
        acceptable_if="Ouvrir le dimanche.",
    )
    rounds.answer_submit(round=round_, actor=people["a1"], kind="consent")
    statuses = {row.name: row.status for row in selectors.consent_outcome(round_).delegations}
    assert statuses["Collège des habitants"] == "objects"  # its majority is still open
    rounds.round_close(round=round_, actor=committee.facilitator)
    round_.refresh_from_db()
    stored = {row["name"]: row["status"] for row in round_.outcome["delegations"]}
    assert stored == {
        "Collège des habitants": "objects",
        "Commune A": "consents",
        "Commune B": "no_answer",
    }
    html = client.get(committee.decision.get_absolute_url()).content.decode()
    assert "en attente" not in html
    assert "sans réponse à la clôture du tour" in html


# ---------------------------------------------------------------- rotation


def test_the_rotation_never_asks_a_member_without_an_account(team):
    inhabitant = make_person("sans-compte@example.org")
    inhabitant.set_unusable_password()
    inhabitant.save(update_fields=["password"])
    gone = make_person("parti@example.org", is_active=False)
    # Joined first: the rotation would ask them first if it could.
    for person in (inhabitant, gone):
        membership = circles.circle_member_add(circle=team.circle, person=person)
        membership.since = membership.since.replace(year=2020)
        membership.save(update_fields=["since"])
    proposal = selectors.rotation_proposal(team.circle)
    asked = set(proposal.facilitator.queue) | set(proposal.secretary.queue)
    assert str(inhabitant.pk) not in asked and str(gone.pk) not in asked
    decision = rotation.decision_assign_roles(decision=team.decision, actor=team.member)
    assert decision.facilitator_id not in (inhabitant.pk, gone.pk)


def test_a_member_present_takes_the_turn_of_the_absent_facilitator_and_opens_the_round(
    team, client
):
    decision = rotation.decision_assign_roles(decision=team.decision, actor=team.member)
    chosen = decision.facilitator
    present = next(p for p in team.members if p.pk not in (chosen.pk, decision.secretary_id))
    turn = FacilitationTurn.objects.get(decision=decision, role="facilitator", person=chosen)
    client.force_login(present, backend=LOGIN)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert f"/tours-de-role/{turn.pk}/remplacer/" in page
    assert client.post(f"/tours-de-role/{turn.pk}/remplacer/").status_code == 302
    decision.refresh_from_db()
    assert decision.facilitator_id == present.pk
    turn.refresh_from_db()
    assert turn.kind == "passed"
    response = client.post(
        f"/decisions/{decision.pk}/tours/ouvrir/", {"kind": "clarifying", "mode": "live"}
    )
    assert response.status_code == 302
    with pytest.raises(ProcessConflict):
        rotation.facilitation_take_over(turn=turn, actor=team.author)


def test_an_outsider_cannot_take_over_a_turn(team):
    decision = rotation.decision_assign_roles(decision=team.decision, actor=team.member)
    turn = FacilitationTurn.objects.get(decision=decision, role="facilitator")
    for outsider in (team.other_member, team.personas.participant, team.personas.visitor):
        with pytest.raises(PermissionDenied):
            rotation.facilitation_take_over(turn=turn, actor=outsider)


# ---------------------------------------------------------------- replies to round notes


def _question(team: Any) -> RoundNote:
    round_ = rounds.round_open(
        decision=team.decision, actor=team.facilitator, kind="clarifying", mode="live"
    )
    return rounds.note_add(
        round=round_, actor=team.facilitator, member=team.member, text="Et les livraisons ?"
    )


def test_the_author_replies_to_a_clarifying_question_from_the_page(team, client):
    note = _question(team)
    client.force_login(team.author, backend=LOGIN)
    page = client.get(team.decision.get_absolute_url()).content.decode()
    assert f"/interventions/{note.pk}/repondre/" in page
    response = client.post(
        f"/interventions/{note.pk}/repondre/", {"reply": "Avant 10 h, comme aujourd’hui."}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.reply == "Avant 10 h, comme aujourd’hui."
    assert "Avant 10 h" in client.get(team.decision.get_absolute_url()).content.decode()
    assert client.post(f"/interventions/{note.pk}/repondre/", {"reply": " "}).status_code == 422


@pytest.mark.parametrize("role", ["visitor", "participant", "member", "other_member"])
def test_only_the_author_and_the_facilitator_reply_to_notes(team, role):
    from maillage.decisions.tests.conftest import actor_for

    note = _question(team)
    with pytest.raises(PermissionDenied):
        rounds.note_reply(note=note, actor=actor_for(team, role), reply="Non")
    rounds.note_reply(note=note, actor=team.facilitator, reply="Oui")


def test_a_reply_needs_words(team):
    note = _question(team)
    with pytest.raises(ValidationError):
        rounds.note_reply(note=note, actor=team.author, reply="   ")


def test_after_an_objection_the_page_asks_to_amend_before_the_next_consent_round(team, client):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.answer_submit(
        round=round_, actor=team.member, kind="objection", reason="Bruit", acceptable_if="22 h"
    )
    rounds.round_close(round=round_, actor=team.facilitator)
    client.force_login(team.facilitator, backend=LOGIN)
    page = client.get(team.decision.get_absolute_url()).content.decode()
    assert "/tours/ouvrir/" not in page
    assert "Intégrer les objections (amender la proposition)" in page


def test_the_api_runs_rounds_replies_to_notes_and_takes_over_a_turn(team, client):
    from maillage.people.services import api_token_create

    _token, key = api_token_create(
        person=team.facilitator, actor=team.facilitator, name="s", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/decisions/decisions/{team.decision.pk}/rounds"
    response = client.post(url, {"kind": "consent"}, content_type="application/json", **auth)
    assert response.status_code == 409
    assert response.json()["allowed"] == ["clarifying", "withdrawn"]
    response = client.post(url, {"kind": "clarifying"}, content_type="application/json", **auth)
    assert response.status_code == 201
    round_id = response.json()["id"]
    note = rounds.note_add(
        round=team.decision.rounds.get(pk=round_id),
        actor=team.facilitator,
        member=team.member,
        text="Et les livraisons ?",
    )
    response = client.post(
        f"/api/decisions/notes/{note.pk}/reply",
        {"reply": "Avant 10 h."},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["reply"] == "Avant 10 h."
    response = client.post(f"/api/decisions/rounds/{round_id}/close", **auth)
    assert response.status_code == 200 and response.json()["decision_state"] == "clarifying"
    assert client.post(f"/api/decisions/rounds/{round_id}/close", **auth).status_code == 409
    _token, member_key = api_token_create(
        person=team.member, actor=team.member, name="s", scope="write"
    )
    response = client.post(
        f"/api/decisions/notes/{note.pk}/reply",
        {"reply": "Non"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {member_key}",
    )
    assert response.status_code == 403
    decision = rotation.decision_assign_roles(decision=team.decision, actor=team.member)
    turn = FacilitationTurn.objects.get(decision=decision, role="facilitator")
    taker = next(p for p in team.members if p.pk not in (turn.person_id, decision.secretary_id))
    _token, taker_key = api_token_create(person=taker, actor=taker, name="s", scope="write")
    response = client.post(
        f"/api/decisions/turns/{turn.pk}/take-over", HTTP_AUTHORIZATION=f"Bearer {taker_key}"
    )
    assert response.status_code == 200, response.content
    assert Decision.objects.get(pk=decision.pk).facilitator_id == taker.pk
