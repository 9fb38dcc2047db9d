"""Conversations: votes with history, conflicts, permissions, the map, open data."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from maillage.opinions import services
from maillage.opinions.models import Analysis, Participant, Statement, Vote, VoteEvent

pytestmark = pytest.mark.django_db

SEEDS = [f"Proposition numéro {i}" for i in range(10)]


@pytest.fixture
def conversation(personas):
    return services.conversation_create(
        territory=personas.commune,
        topic="Quel avenir pour la place ?",
        actor=personas.facilitator,
        seed_statements=SEEDS,
    )


def _participant(conversation, person=None, key="k1"):
    return services.participant_get_or_create(
        conversation=conversation, person=person, cookie_key=key
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
def test_only_facilitators_open_a_conversation_on_their_territory(personas, role, allowed) -> None:
    if allowed:
        assert services.conversation_create(
            territory=personas.commune,
            topic="T",
            actor=personas.by_role(role),
            seed_statements=["A"],
        ).pk
    else:
        with pytest.raises(PermissionDenied):
            services.conversation_create(
                territory=personas.commune,
                topic="T",
                actor=personas.by_role(role),
                seed_statements=["A"],
            )


def test_a_facilitator_cannot_open_one_on_another_commune(personas) -> None:
    with pytest.raises(PermissionDenied):
        services.conversation_create(
            territory=personas.other_commune, topic="T", actor=personas.facilitator
        )


def test_a_later_vote_replaces_the_earlier_one_and_history_keeps_both(conversation) -> None:
    participant = _participant(conversation)
    statement = conversation.statements.first()
    services.vote_cast(participant=participant, statement=statement, value=1)
    services.vote_cast(participant=participant, statement=statement, value=-1)
    assert Vote.objects.get(participant=participant, statement=statement).value == -1
    assert list(
        VoteEvent.objects.filter(participant=participant)
        .values_list("value", flat=True)
        .order_by("id")
    ) == [1, -1]


@pytest.mark.parametrize("value", [2, -2, "1", None, True, 0.5])
def test_a_vote_outside_minus_one_zero_one_is_refused_naming_the_allowed_values(
    conversation, value
) -> None:
    with pytest.raises(
        ValidationError, match="allowed values are -1 \\(disagree\\), 0 \\(pass\\), 1 \\(agree\\)"
    ):
        services.vote_cast(
            participant=_participant(conversation),
            statement=conversation.statements.first(),
            value=value,
        )


def test_voting_on_a_rejected_statement_is_a_conflict(conversation, personas) -> None:
    statement = conversation.statements.first()
    services.statement_moderate(statement=statement, actor=personas.facilitator, moderation=-1)
    with pytest.raises(services.ConversationConflict, match="rejected"):
        services.vote_cast(participant=_participant(conversation), statement=statement, value=1)


def test_voting_in_a_closed_conversation_is_a_conflict(conversation, personas) -> None:
    services.conversation_close(conversation=conversation, actor=personas.facilitator)
    conversation.refresh_from_db()
    with pytest.raises(services.ConversationConflict, match="closed"):
        services.vote_cast(
            participant=_participant(conversation),
            statement=conversation.statements.first(),
            value=1,
        )


def test_a_participant_cannot_moderate(conversation, personas) -> None:
    with pytest.raises(PermissionDenied):
        services.statement_moderate(
            statement=conversation.statements.first(), actor=personas.participant, moderation=-1
        )


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_votes_record_one(personas) -> None:
    conversation = services.conversation_create(
        territory=personas.commune,
        topic="Concurrence",
        actor=personas.facilitator,
        seed_statements=["A"],
    )
    participant = _participant(conversation)
    statement = conversation.statements.get()
    errors: list[Exception] = []
    barrier = threading.Barrier(50)

    def cast() -> None:
        try:
            barrier.wait()
            services.vote_cast(participant=participant, statement=statement, value=1)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert Vote.objects.filter(participant=participant, statement=statement).count() == 1
    assert VoteEvent.objects.filter(participant=participant, statement=statement).count() == 1


def test_votes_are_rate_limited_per_participant(conversation, settings) -> None:
    from maillage.core.ratelimit import RateLimitExceeded

    participant = _participant(conversation)
    statements = list(conversation.statements.all())
    with pytest.raises(RateLimitExceeded):
        for i in range(130):
            services.vote_cast(
                participant=participant,
                statement=statements[i % len(statements)],
                value=(i % 3) - 1,
            )


def _vote_camps(conversation, n=30) -> None:
    """Two camps: even participants agree with the first five statements, odd ones with the rest."""
    import random

    rng = random.Random(7)
    statements = list(conversation.statements.order_by("id"))
    for p in range(n):
        participant = Participant.objects.create(conversation=conversation, cookie_hash=f"h{p}")
        for j, statement in enumerate(statements):
            camp_value = 1 if (j < 5) == (p % 2 == 0) else -1
            value = camp_value if rng.random() < 0.85 else rng.choice([0, -camp_value])
            services.vote_cast(participant=participant, statement=statement, value=value)


def test_the_opinion_map_finds_the_two_camps_after_votes(
    conversation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _vote_camps(conversation)
    result = Analysis.objects.get(conversation=conversation).result
    assert len(result["groups"]) == 2
    groups = {p["id"]: p["group"] for p in result["participants"]}
    camp = {p.pk: p.cookie_hash for p in Participant.objects.filter(conversation=conversation)}
    even = {groups[pid] for pid, h in camp.items() if int(h[1:]) % 2 == 0}
    odd = {groups[pid] for pid, h in camp.items() if int(h[1:]) % 2 == 1}
    assert len(even) == 1 and len(odd) == 1 and even != odd


def test_without_eager_mode_votes_enqueue_one_delayed_recomputation(
    conversation, settings, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from maillage.opinions.tasks import recompute

    settings.OPINIONS_RECOMPUTE_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        _vote_camps(conversation, n=4)
    (task,) = DBTaskResult.objects.all()  # forty votes, one waiting recomputation
    assert task.task_path == recompute.module_path
    assert task.args_kwargs["kwargs"] == {"conversation_id": conversation.pk}
    assert task.run_after > timezone.now() + dt.timedelta(seconds=1)  # debounced
    assert not Analysis.objects.filter(conversation=conversation).exists()  # not computed here
    recompute.call(conversation_id=conversation.pk)  # what the worker will do
    assert Analysis.objects.get(conversation=conversation).vote_count == 40


def test_the_page_shows_the_map_once_the_viewer_voted_enough(
    client, conversation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _vote_camps(conversation)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Opinion map" not in page and "Carte des opinions" not in page
    statements = list(conversation.statements.order_by("id"))
    for statement in statements[:7]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/conversations/{conversation.slug}/vote/",
                {"statement": statement.pk, "value": "1"},
            )
        assert response.status_code == 302
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "<circle" in page and 'class="chart-highlight"' in page


def test_anonymous_participation_is_refused_when_the_facilitator_requires_accounts(
    client, conversation
) -> None:
    conversation.allow_anonymous = False
    conversation.save()
    client.post(
        f"/conversations/{conversation.slug}/vote/",
        {"statement": conversation.statements.first().pk, "value": "1"},
    )
    assert Vote.objects.count() == 0


def test_api_vote_answers_422_for_a_bad_value_and_409_for_a_rejected_statement(
    client_as, conversation, personas
) -> None:
    client = client_as("participant")
    statement = conversation.statements.first()
    url = f"/api/opinions/conversations/{conversation.slug}/votes"
    response = client.post(
        url, {"statement": statement.pk, "value": 5}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "allowed values" in response.content.decode()
    assert (
        client.post(
            url, {"statement": statement.pk, "value": 1}, content_type="application/json"
        ).status_code
        == 200
    )
    statement.moderation = Statement.Moderation.REJECTED
    statement.save()
    response = client.post(
        url, {"statement": statement.pk, "value": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "rejected" in response.json()["detail"]


def test_open_data_votes_carry_no_personal_data(client, conversation, personas) -> None:
    participant = _participant(conversation, person=personas.participant)
    services.vote_cast(participant=participant, statement=conversation.statements.first(), value=1)
    text = b"".join(client.get("/open-data/opinion-votes.csv").streaming_content).decode()
    assert text.splitlines()[0] == "conversation,timestamp,comment-id,voter-id,vote"
    assert "participant@example.org" not in text and personas.participant.display_name not in text
