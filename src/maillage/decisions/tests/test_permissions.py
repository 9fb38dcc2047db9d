"""Role × action matrix for every transition, through the services and through the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from maillage.decisions.services import elections, polls, proposals, rotation, rounds
from maillage.decisions.tests.conftest import MATRIX_ROLES, actor_for, deadline, to_consent


def _propose(team: Any, actor: Any) -> None:
    proposals.decision_propose(circle=team.circle, actor=actor, title="Autre", text="Texte")


def _assign_roles(team: Any, actor: Any) -> None:
    rotation.decision_assign_roles(decision=team.decision, actor=actor)


def _open_round(team: Any, actor: Any) -> None:
    rounds.round_open(decision=team.decision, actor=actor, kind="clarifying", mode="live")


def _close_round(team: Any, actor: Any) -> None:
    round_ = rounds.round_open(
        decision=team.decision, actor=team.facilitator, kind="clarifying", mode="live"
    )
    rounds.round_close(round=round_, actor=actor)


def _answer(team: Any, actor: Any) -> None:
    round_ = to_consent(team.decision, team.facilitator)
    rounds.answer_submit(round=round_, actor=actor, kind="consent")


def _note(team: Any, actor: Any) -> None:
    round_ = rounds.round_open(
        decision=team.decision,
        actor=team.facilitator,
        kind="clarifying",
        mode="async",
        deadline=deadline(),
    )
    rounds.note_add(round=round_, actor=actor, text="Une question")


def _amend(team: Any, actor: Any) -> None:
    proposals.decision_amend(
        decision=team.decision, actor=actor, text="Nouveau texte", note="Plus clair"
    )


def _withdraw(team: Any, actor: Any) -> None:
    proposals.decision_withdraw(decision=team.decision, actor=actor)


def _open_poll(team: Any, actor: Any) -> None:
    polls.poll_open(
        circle=team.circle,
        actor=actor,
        title="Vote",
        question="?",
        method="approval",
        options=["A", "B"],
    )


def _vote(team: Any, actor: Any) -> None:
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Vote",
        question="?",
        method="majority_judgment",
        options=["A", "B"],
    )
    polls.poll_submit(poll=poll, actor=actor, grades={o.pk: 3 for o in poll.options.all()})


def _open_election(team: Any, actor: Any) -> None:
    elections.election_open(circle=team.circle, actor=actor, role="Secrétaire")


MEMBERS = {"member", "facilitator"}
ACTIONS: dict[str, tuple[Callable[[Any, Any], None], set[str]]] = {
    "propose": (_propose, MEMBERS),
    "assign_roles": (_assign_roles, MEMBERS),
    "open_round": (_open_round, {"facilitator"}),
    "close_round": (_close_round, {"facilitator"}),
    "answer": (_answer, MEMBERS),
    "note": (_note, MEMBERS),
    "amend": (_amend, {"facilitator"}),
    "withdraw": (_withdraw, {"facilitator"}),
    "open_poll": (_open_poll, MEMBERS),
    "vote": (_vote, MEMBERS),
    "open_election": (_open_election, MEMBERS),
}


@pytest.mark.parametrize("role", MATRIX_ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_role_may_do_exactly_what_the_matrix_allows(team, role, action):
    perform, allowed = ACTIONS[action]
    actor = actor_for(team, role)
    if role in allowed:
        perform(team, actor)
    else:
        with pytest.raises(PermissionDenied):
            perform(team, actor)


PRIVATE_READERS = {"member", "facilitator", "platform_admin"}


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_observers_read_a_public_circle_and_nothing_of_a_private_one(team, client, role):
    actor = actor_for(team, role)
    if role != "visitor":
        client.force_login(actor, backend="maillage.people.backends.EmailBackend")
    pages = [
        team.circle.get_absolute_url(),
        team.decision.get_absolute_url(),
        f"/cercles/{team.circle.slug}/rotation/",
        f"/api/decisions/decisions/{team.decision.pk}",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    team.circle.is_public = False
    team.circle.save(update_fields=["is_public"])
    expected = 200 if role in PRIVATE_READERS else 404
    for url in pages:
        assert client.get(url).status_code == expected, url
    listed = team.circle.name in client.get("/cercles/").content.decode()
    assert listed is (role in PRIVATE_READERS)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_closing_a_round_over_http_is_for_the_facilitator_only(team, client, role):
    round_ = rounds.round_open(
        decision=team.decision, actor=team.facilitator, kind="clarifying", mode="live"
    )
    if role != "visitor":
        client.force_login(actor_for(team, role), backend="maillage.people.backends.EmailBackend")
    response = client.post(f"/tours/{round_.pk}/cloturer/")
    round_.refresh_from_db()
    if role == "visitor":
        assert response.status_code == 302 and "/connexion" in response["Location"]
    elif role == "facilitator":
        assert response.status_code == 302 and round_.state == "closed"
    else:
        assert response.status_code == 403 and round_.state == "open"
