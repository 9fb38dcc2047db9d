"""Fixtures: a public project team, a private circle, a steering committee, and their people."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from maillage.decisions.models import Round
from maillage.decisions.services import circles, proposals, rounds

PASSWORD = "correct horse battery staple"

# The roles of the decisions matrix: two outsiders, three kinds of insiders, the platform admin.
MATRIX_ROLES = ["visitor", "participant", "member", "facilitator", "other_member", "platform_admin"]


def make_person(email: str, **extra: Any) -> Any:
    from maillage.people.models import Person

    return Person.objects.create_user(email, PASSWORD, display_name=email.split("@")[0], **extra)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Run the services in English: their messages are checked word for word."""
    with translation.override("en"):
        yield


@pytest.fixture
def team(personas: Any) -> SimpleNamespace:
    """Return a public project team with a proposal whose facilitator is the facilitator persona."""
    member = make_person("member@example.org")
    author = make_person("author@example.org")
    other_member = make_person("other@example.org")
    facilitator = personas.facilitator
    circle = circles.circle_create(
        name="Équipe projet Place Test", kind="project_team", territory=personas.commune
    )
    for person in (facilitator, author, member):
        circles.circle_member_add(circle=circle, person=person, since=dt.date(2025, 1, 1))
    other_circle = circles.circle_create(
        name="Autre cercle", kind="project_team", territory=personas.other_commune
    )
    circles.circle_member_add(circle=other_circle, person=other_member)
    decision = proposals.decision_propose(
        circle=circle,
        actor=author,
        title="Ouvrir la place le dimanche",
        text="La place est piétonne le dimanche.\nLes terrasses ferment à 22 h.",
    )
    decision.facilitator = facilitator
    decision.save(update_fields=["facilitator"])
    return SimpleNamespace(
        circle=circle,
        other_circle=other_circle,
        decision=decision,
        member=member,
        author=author,
        facilitator=facilitator,
        other_member=other_member,
        personas=personas,
        members=[facilitator, author, member],
    )


def actor_for(team: SimpleNamespace, role: str) -> Any:
    """Return the person (or anonymous user) playing ``role`` in the matrix."""
    if role in ("visitor", "participant", "platform_admin"):
        return team.personas.by_role(role)
    return getattr(team, role)


def deadline(days: int = 7) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def to_consent(decision: Any, facilitator: Any, *, mode: str = "async") -> Round:
    """Run the clarifying and reactions rounds and open the consent round."""
    for kind in ("clarifying", "reactions"):
        round_ = rounds.round_open(decision=decision, actor=facilitator, kind=kind, mode="live")
        rounds.round_close(round=round_, actor=facilitator)
    return rounds.round_open(
        decision=decision,
        actor=facilitator,
        kind="consent",
        mode=mode,
        deadline=deadline() if mode == "async" else None,
    )


@pytest.fixture
def committee(personas: Any) -> SimpleNamespace:
    """Return a steering committee of three delegations, one rule each, and a proposal."""
    from maillage.organizations.services import organization_create

    commune_a = organization_create(name="Commune A", kind="commune")
    commune_b = organization_create(name="Commune B", kind="commune")
    college = organization_create(name="Collège des habitants", kind="citizen_collective")
    circle = circles.circle_create(
        name="Comité de pilotage", kind="steering_committee", territory=personas.commune
    )
    people = {
        name: make_person(f"{name}@example.org")
        for name in ("a1", "a2", "a3", "b1", "b2", "h1", "h2", "h3", "neutral")
    }
    delegation_a = circles.delegation_add(
        circle=circle, organization=commune_a, rule="head", head=people["a1"]
    )
    delegation_b = circles.delegation_add(circle=circle, organization=commune_b, rule="unanimity")
    delegation_h = circles.delegation_add(circle=circle, organization=college, rule="majority")
    for name, delegation in (
        ("a1", delegation_a),
        ("a2", delegation_a),
        ("a3", delegation_a),
        ("b1", delegation_b),
        ("b2", delegation_b),
        ("h1", delegation_h),
        ("h2", delegation_h),
        ("h3", delegation_h),
    ):
        circles.circle_member_add(circle=circle, person=people[name], delegation=delegation)
    circles.circle_member_add(circle=circle, person=people["neutral"])
    decision = proposals.decision_propose(
        circle=circle,
        actor=people["neutral"],
        title="Ouvrir la friche aux habitants",
        text="La friche ouvre le samedi.",
        scope=[delegation_a, delegation_b, delegation_h],
    )
    decision.facilitator = people["neutral"]
    decision.save(update_fields=["facilitator"])
    return SimpleNamespace(
        circle=circle,
        decision=decision,
        people=people,
        a=delegation_a,
        b=delegation_b,
        h=delegation_h,
        facilitator=people["neutral"],
    )
