"""Circles and steering committees set up by their stewards, in pages, API and services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.decisions.models import Circle, CircleMember, Delegation
from maillage.decisions.services import circles, rounds
from maillage.decisions.tests.conftest import make_person, to_consent
from maillage.people.services import api_token_create

LOGIN = "maillage.people.backends.EmailBackend"
ROLES = [
    "visitor",
    "participant",
    "field_agent",
    "facilitator",
    "org_admin",
    "territory_admin",
    "platform_admin",
]
STEWARDS = {"territory_admin", "platform_admin"}


@pytest.fixture
def committee_of_commune(personas: Any) -> Circle:
    return circles.circle_create(
        name="Copil de la commune", kind="steering_committee", territory=personas.commune
    )


def _org(name: str) -> Any:
    from maillage.organizations.services import organization_create

    return organization_create(name=name, kind="commune")


# ---------------------------------------------------------------- permissions, per role


def _create(personas: Any, actor: Any, circle: Circle) -> None:
    circles.circle_create(
        name="Nouveau", kind="steering_committee", territory=personas.commune, actor=actor
    )


def _update(personas: Any, actor: Any, circle: Circle) -> None:
    circles.circle_update(circle=circle, actor=actor, name="Renommé", purpose="", is_public=True)


def _archive(personas: Any, actor: Any, circle: Circle) -> None:
    circles.circle_archive(circle=circle, actor=actor)


def _delegation(personas: Any, actor: Any, circle: Circle) -> None:
    circles.delegation_add(
        circle=circle,
        organization=_org("Commune X"),
        rule="unanimity",
        actor=actor,
        delegates=[make_person("x1@example.org")],
    )


def _member_add(personas: Any, actor: Any, circle: Circle) -> None:
    circles.circle_member_add(circle=circle, person=make_person("new@example.org"), actor=actor)


def _member_end(personas: Any, actor: Any, circle: Circle) -> None:
    membership = circles.circle_member_add(circle=circle, person=make_person("old@example.org"))
    circles.circle_member_end(membership=membership, actor=actor)


WRITES = {
    "create": _create,
    "update": _update,
    "archive": _archive,
    "delegation_add": _delegation,
    "member_add": _member_add,
    "member_end": _member_end,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_only_the_territory_stewards_set_up_a_committee_of_their_territory(
    personas, committee_of_commune, role, write
):
    actor = personas.by_role(role)
    if role in STEWARDS:
        WRITES[write](personas, actor, committee_of_commune)
    else:
        with pytest.raises(PermissionDenied):
            WRITES[write](personas, actor, committee_of_commune)


def test_an_organization_admin_creates_a_circle_of_her_organization_only(personas):
    circle = circles.circle_create(
        name="Cercle de l'asso",
        kind="organization_circle",
        organization=personas.organization,
        actor=personas.org_admin,
    )
    assert circle.organization == personas.organization
    with pytest.raises(PermissionDenied):
        circles.circle_create(
            name="Autre",
            kind="organization_circle",
            organization=_org("Autre"),
            actor=personas.org_admin,
        )


def test_a_member_may_leave_the_circle_herself(personas, committee_of_commune):
    person = make_person("leaving@example.org")
    membership = circles.circle_member_add(circle=committee_of_commune, person=person)
    circles.circle_member_end(membership=membership, actor=person)
    assert CircleMember.objects.get(pk=membership.pk).until is not None


@pytest.mark.parametrize("role", ROLES)
def test_the_setup_pages_answer_each_role_as_the_rules_say(
    client_as, personas, role, committee_of_commune
):
    client = client_as(role)
    slug = committee_of_commune.slug
    for url in (
        f"/cercles/{slug}/modifier/",
        f"/cercles/{slug}/delegations/ajouter/",
        f"/cercles/{slug}/membres/ajouter/",
    ):
        status = client.get(url).status_code
        if role == "visitor":
            assert status == 302, url
        else:
            assert status == (200 if role in STEWARDS else 403), url
    create = client.get("/cercles/nouveau/").status_code
    if role == "visitor":
        assert create == 302
    else:
        assert create == (200 if role in STEWARDS | {"org_admin"} else 403)


# ---------------------------------------------------------------- pages


def test_a_territory_admin_sets_up_a_committee_of_three_institutions_in_the_pages(
    client_as, personas
):
    client = client_as("territory_admin")
    response = client.post(
        "/cercles/nouveau/",
        {
            "name": "Comité de pilotage de la friche",
            "kind": "steering_committee",
            "owner": f"territory-{personas.commune.pk}",
            "purpose": "Co-piloter la reconversion",
            "is_public": "on",
        },
    )
    circle = Circle.objects.get(name="Comité de pilotage de la friche")
    assert response.status_code == 302 and response["Location"] == circle.get_absolute_url()
    assert circle.territory == personas.commune and circle.is_committee
    people = [make_person(f"d{i}@example.org") for i in range(4)]
    for index, (name, rule, emails, head) in enumerate(
        [
            ("Commune A", "unanimity", "d0@example.org\nd1@example.org", ""),
            ("Commune B", "majority", "d2@example.org", ""),
            ("Université", "head", "D3@example.org", "d3@example.org"),
        ]
    ):
        org = _org(name)
        response = client.post(
            f"/cercles/{circle.slug}/delegations/ajouter/",
            {"organization": org.pk, "rule": rule, "delegates": emails, "head": head},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert circle.delegations.count() == index + 1
    head_delegation = circle.delegations.get(organization__name="Université")
    assert head_delegation.head == people[3]
    assert set(circle.memberships.values_list("person__email", flat=True)) == {
        p.email for p in people
    }
    response = client.post(
        f"/cercles/{circle.slug}/membres/ajouter/", {"email": personas.facilitator.email}
    )
    assert response.status_code == 302
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "Université" in page and "d3" in page and "Who may do what" not in page
    assert "Qui peut faire quoi" in page


def test_an_unknown_email_or_a_head_outside_the_delegates_is_refused_with_a_message(
    client_as, committee_of_commune
):
    client = client_as("territory_admin")
    make_person("known@example.org")
    org = _org("Commune C")
    url = f"/cercles/{committee_of_commune.slug}/delegations/ajouter/"
    response = client.post(
        url,
        {"organization": org.pk, "rule": "unanimity", "delegates": "nobody@example.org"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "No active account uses: nobody@example.org" in response.content.decode()
    response = client.post(
        url,
        {
            "organization": org.pk,
            "rule": "head",
            "delegates": "known@example.org",
            "head": "other@example.org",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "must be one of its delegates" in response.content.decode()
    assert not Delegation.objects.filter(circle=committee_of_commune).exists()


def test_a_steward_renames_and_archives_a_circle(client_as, committee_of_commune):
    client = client_as("territory_admin")
    slug = committee_of_commune.slug
    response = client.post(
        f"/cercles/{slug}/modifier/", {"name": "Copil renommé", "purpose": "Nouveau but"}
    )
    assert response.status_code == 302
    committee_of_commune.refresh_from_db()
    assert committee_of_commune.name == "Copil renommé"
    assert committee_of_commune.is_public is False
    assert client.post(f"/cercles/{slug}/archiver/").status_code == 302
    committee_of_commune.refresh_from_db()
    assert committee_of_commune.archived_at is not None
    assert client.post(f"/cercles/{slug}/archiver/").status_code == 422


def test_a_circle_with_a_proposal_on_its_way_cannot_be_archived(team, personas):
    with pytest.raises(ValidationError, match="still on their way"):
        circles.circle_archive(circle=team.circle, actor=personas.territory_admin)


def test_a_steward_ends_a_membership_from_the_circle_page(client_as, committee_of_commune):
    person = make_person("member@example.org")
    membership = circles.circle_member_add(circle=committee_of_commune, person=person)
    client = client_as("territory_admin")
    page = client.get(committee_of_commune.get_absolute_url()).content.decode()
    assert f"/membres-de-cercle/{membership.pk}/fin/" in page
    assert client.post(f"/membres-de-cercle/{membership.pk}/fin/").status_code == 302
    assert CircleMember.objects.get(pk=membership.pk).until is not None
    assert client.post(f"/membres-de-cercle/{membership.pk}/fin/").status_code == 422


# ---------------------------------------------------------------- bad input in the process


def test_a_committee_without_delegation_cannot_open_its_consent_round(
    personas, committee_of_commune
):
    facilitator = make_person("f@example.org")
    circles.circle_member_add(circle=committee_of_commune, person=facilitator)
    from maillage.decisions.services import proposals

    decision = proposals.decision_propose(
        circle=committee_of_commune, actor=facilitator, title="T", text="Texte"
    )
    decision.facilitator = facilitator
    decision.save(update_fields=["facilitator"])
    with pytest.raises(ValidationError, match="no delegation yet"):
        to_consent(decision, facilitator)
    assert decision.rounds.filter(kind="consent").count() == 0


def test_a_delegation_without_delegate_blocks_the_consent_round_with_its_name(committee):
    circles.delegation_add(circle=committee.circle, organization=_org("Commune D"), rule="majority")
    committee.decision.scope.clear()  # every delegation is concerned
    with pytest.raises(ValidationError) as refused:
        to_consent(committee.decision, committee.facilitator)
    assert "Commune D has no delegate." in refused.value.messages
    committee.decision.scope.set([committee.a])
    round_ = rounds.round_open(
        decision=committee.decision, actor=committee.facilitator, kind="consent", mode="live"
    )
    assert round_.kind == "consent"


def test_the_last_delegate_cannot_leave_while_the_consent_round_is_open(committee, personas):
    round_ = to_consent(committee.decision, committee.facilitator)
    b1, b2 = (committee.circle.memberships.get(person=committee.people[n]) for n in ("b1", "b2"))
    circles.circle_member_end(membership=b1, actor=personas.territory_admin)
    with pytest.raises(ValidationError) as refused:
        circles.circle_member_end(membership=b2, actor=personas.territory_admin)
    assert "last delegate of Commune B" in refused.value.messages[0]
    assert CircleMember.objects.get(pk=b2.pk).until is None
    rounds.round_close(round=round_, actor=committee.facilitator)
    circles.circle_member_end(membership=b2, actor=personas.territory_admin)


# ---------------------------------------------------------------- API


def test_the_api_sets_up_a_committee_and_refuses_outsiders(client, personas):
    _token, key = api_token_create(
        person=personas.territory_admin,
        actor=personas.territory_admin,
        name="script",
        scope="write",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"name": "Copil API", "kind": "steering_committee", "territory": personas.commune.slug}
    assert (
        client.post("/api/decisions/circles", body, content_type="application/json").status_code
        == 401
    )
    response = client.post(
        "/api/decisions/circles", json.dumps(body), content_type="application/json", **auth
    )
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    delegate = make_person("api-delegate@example.org")
    org = _org("Commune API")
    response = client.post(
        f"/api/decisions/circles/{slug}/delegations",
        {
            "organization": org.slug,
            "rule": "head",
            "delegates": [delegate.email],
            "head": delegate.email,
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    assert response.json()["delegates"] == 1
    response = client.post(
        f"/api/decisions/circles/{slug}/members",
        {"email": "nobody@example.org"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/decisions/circles/{slug}/members",
        {"email": personas.facilitator.email},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201
    membership_id = response.json()["id"]
    response = client.patch(
        f"/api/decisions/circles/{slug}",
        {"name": "Copil API renommé"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["name"] == "Copil API renommé"
    _token, other = api_token_create(
        person=personas.participant, actor=personas.participant, name="script", scope="write"
    )
    response = client.post(
        f"/api/decisions/members/{membership_id}/end",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert response.status_code == 403
    response = client.post(f"/api/decisions/members/{membership_id}/end", **auth)
    assert response.status_code == 200 and response.json()["until"] is not None


# ---------------------------------------------------------------- editing and ending delegations


def test_a_steward_changes_a_delegation_rule_and_head_in_the_page(committee, client_as):
    client = client_as("territory_admin")
    url = f"/delegations/{committee.b.pk}/modifier/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"rule": "head", "head": committee.people["b2"].pk})
    assert response.status_code == 302
    committee.b.refresh_from_db()
    assert (committee.b.rule, committee.b.head) == ("head", committee.people["b2"])
    response = client.post(url, {"rule": "head", "head": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "needs a head" in response.content.decode()


def test_a_delegation_cannot_change_or_leave_during_its_consent_round(committee, personas):
    round_ = to_consent(committee.decision, committee.facilitator)
    for write in (
        lambda: circles.delegation_update(
            delegation=committee.b, actor=personas.territory_admin, rule="majority"
        ),
        lambda: circles.delegation_end(delegation=committee.b, actor=personas.territory_admin),
    ):
        with pytest.raises(ValidationError, match="is open and concerns Commune B"):
            write()
    rounds.round_close(round=round_, actor=committee.facilitator)
    circles.delegation_end(delegation=committee.b, actor=personas.territory_admin)
    committee.b.refresh_from_db()
    assert committee.b.until is not None
    assert not committee.b.delegates.filter(until__isnull=True).exists()
    with pytest.raises(ValidationError, match="already left"):
        circles.delegation_end(delegation=committee.b, actor=personas.territory_admin)


def test_a_delegation_that_left_no_longer_counts_in_the_next_consent_round(committee, personas):
    import datetime as dt

    from django.utils import timezone

    circles.delegation_end(delegation=committee.b, actor=personas.territory_admin)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Delegation.objects.filter(pk=committee.b.pk).update(until=yesterday)
    CircleMember.objects.filter(delegation=committee.b).update(since=yesterday, until=yesterday)
    round_ = to_consent(committee.decision, committee.facilitator)
    for name in ("a1", "h1", "h2"):
        rounds.answer_submit(round=round_, actor=committee.people[name], kind="consent")
    rounds.round_close(round=round_, actor=committee.facilitator)
    round_.refresh_from_db()
    assert round_.outcome["status"] == "adopted"
    assert "Commune B" not in {row["name"] for row in round_.outcome["delegations"]}


@pytest.mark.parametrize("role", ROLES)
def test_only_stewards_edit_or_end_a_delegation(committee, personas, role):
    actor = personas.by_role(role)
    writes = [
        lambda: circles.delegation_update(delegation=committee.b, actor=actor, rule="majority"),
        lambda: circles.delegation_end(delegation=committee.b, actor=actor),
    ]
    for write in writes:
        if role in STEWARDS:
            write()
        else:
            with pytest.raises(PermissionDenied):
                write()


def test_the_api_edits_and_ends_a_delegation(committee, personas, client):
    _token, key = api_token_create(
        person=personas.territory_admin,
        actor=personas.territory_admin,
        name="script",
        scope="write",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.patch(
        f"/api/decisions/delegations/{committee.h.pk}",
        {"rule": "head", "head": committee.people["h2"].email},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["rule"] == "head"
    response = client.post(f"/api/decisions/delegations/{committee.h.pk}/end")
    assert response.status_code == 401
    response = client.post(f"/api/decisions/delegations/{committee.h.pk}/end", **auth)
    assert response.status_code == 200 and response.json()["delegates"] == 0
