"""The graph is derived from the records of each source app, weighted and dated from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.analysis.graph import EdgeKind
from maillage.analysis.graph.sources import Link
from maillage.analysis.graph.sources import organization as org_id
from maillage.analysis.graph.sources import person as person_id
from maillage.analysis.graph.sources import territory as territory_id
from maillage.mesh import derivation
from maillage.mesh.tests import factories as f

pytestmark = pytest.mark.django_db


def links_of(kind: EdgeKind, record_prefix: str = "") -> list[Link]:
    return [
        link
        for link in derivation.derive_links()
        if link.kind == kind and link.record.startswith(record_prefix)
    ]


def test_memberships_and_places_of_activity_become_directed_belonging(personas) -> None:
    asso = f.organization("association", personas.commune)
    who = f.person()
    f.member(who, asso)
    pairs = {(link.source, link.target) for link in links_of(EdgeKind.BELONGING)}
    assert (person_id(who.pk), org_id(asso.pk)) in pairs
    assert (org_id(asso.pk), territory_id(personas.commune.pk)) in pairs


def test_co_authors_of_a_published_work_are_weighted_by_the_smaller_share(personas) -> None:
    a, b, c = f.person(), f.person(), f.person()
    work = f.shared_work(personas.organization)
    f.publish(work, {a: 0.6, b: 0.3, c: 0.1}, by=a)
    weights = {
        frozenset((link.source, link.target)): link.weight
        for link in links_of(EdgeKind.COPRODUCTION, "cowriting.sharedwork")
    }
    assert weights[frozenset((person_id(a.pk), person_id(b.pk)))] == pytest.approx(0.3)
    assert weights[frozenset((person_id(a.pk), person_id(c.pk)))] == pytest.approx(0.1)
    assert len(weights) == 3


def test_an_unpublished_work_weighs_authors_by_their_share_of_updates(personas) -> None:
    a, b, reader = f.person(), f.person(), f.person()
    work = f.shared_work(personas.organization)
    f.pen(work, a, 3)
    f.pen(work, b, 1)
    (link,) = links_of(EdgeKind.COPRODUCTION, "cowriting.sharedwork")
    assert {link.source, link.target} == {person_id(a.pk), person_id(b.pk)}
    assert link.weight == pytest.approx(0.25)
    assert person_id(reader.pk) not in (link.source, link.target)


def test_an_invitation_into_a_work_attached_to_a_campaign_counts_for_the_campaign(
    personas,
) -> None:
    from maillage.cowriting.models import Participant

    inviter, invitee = f.person(), f.person()
    campaign = f.campaign(personas.commune, sites=[personas.site], starts_on=dt.date(2025, 1, 1))
    work = f.shared_work(personas.organization, attached_to=campaign)
    Participant.objects.create(work=work, person=inviter)
    Participant.objects.create(work=work, person=invitee, invited_by=inviter)
    (link,) = links_of(EdgeKind.INVITATION)
    assert (link.source, link.target) == (person_id(inviter.pk), person_id(invitee.pk))
    assert link.context == f"consultations.campaign:{campaign.pk}"


def test_members_who_answered_the_same_decision_coproduce_with_newman_weights(personas) -> None:
    members = [f.person() for _ in range(3)]
    decision = f.decided_together(f.circle(personas.site), members)
    links = links_of(EdgeKind.COPRODUCTION, "decisions.decision")
    assert len(links) == 3
    assert all(link.weight == pytest.approx(0.5) for link in links)
    assert all(link.record == f"decisions.decision:{decision.pk}" for link in links)
    assert links[0].time == decision.adopted_at


def test_facilitator_and_secretary_of_one_meeting_are_co_facilitators(personas) -> None:
    from maillage.decisions.models import FacilitationTurn

    the_circle = f.circle(personas.site)
    a, b = f.person(), f.person()
    day = dt.date(2025, 5, 2)
    for who, role in ((a, "facilitator"), (b, "secretary")):
        FacilitationTurn.objects.create(
            circle=the_circle,
            meeting="Réunion de mai",
            held_on=day,
            role=role,
            person=who,
            kind="served",
        )
    FacilitationTurn.objects.create(
        circle=the_circle,
        meeting="Réunion de mai",
        held_on=day,
        role="facilitator",
        person=f.person(),
        kind="passed",
    )
    (link,) = links_of(EdgeKind.COPRODUCTION, "decisions.facilitationturn")
    assert {link.source, link.target} == {person_id(a.pk), person_id(b.pk)}


def test_whoever_added_a_member_to_a_circle_invited_them(personas) -> None:
    from maillage.decisions.services.circles import circle_member_add

    the_circle = f.circle(personas.site)
    circle_member_add(circle=the_circle, person=personas.participant, since=dt.date(2025, 2, 1))
    circle_member_add(
        circle=the_circle,
        person=personas.field_agent,
        actor=personas.platform_admin,
        since=dt.date(2025, 2, 3),
    )
    (link,) = links_of(EdgeKind.INVITATION)
    assert link.source == person_id(personas.platform_admin.pk)
    assert link.target == person_id(personas.field_agent.pk)
    assert link.context == f"decisions.circle:{the_circle.pk}"


def test_co_organizers_and_participants_of_a_workshop_form_one_group(personas) -> None:
    from maillage.workshops.models import Registration, Workshop

    lab = f.organization("living_lab", personas.commune)
    start = timezone.now()
    workshop = Workshop.objects.create(
        title="Atelier",
        slug="atelier",
        theme="t",
        method="m",
        territory=personas.commune,
        place="Salle",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
    )
    workshop.organizers.set([lab, personas.organization])
    Registration.objects.create(
        workshop=workshop,
        person=personas.participant,
        name="p",
        email="p@example.org",
        status="confirmed",
    )
    Registration.objects.create(
        workshop=workshop, name="anonymous", email="a@example.org", status="confirmed"
    )
    links = links_of(EdgeKind.COPRODUCTION, "workshops.workshop")
    assert {frozenset((link.source, link.target)) for link in links} == {
        frozenset((org_id(lab.pk), org_id(personas.organization.pk))),
        frozenset((org_id(lab.pk), person_id(personas.participant.pk))),
        frozenset((org_id(personas.organization.pk), person_id(personas.participant.pk))),
    }


def test_pooling_keeps_the_direction_from_giver_to_receiver(personas) -> None:
    from maillage.pooling.models import Exchange

    giver = f.organization("business", personas.commune)
    Exchange.objects.create(
        giver=giver,
        receiver=personas.organization,
        what="prêt",
        happened_on=dt.date(2025, 6, 1),
        confirmed_at=dt.datetime(2025, 6, 2, tzinfo=dt.UTC),
    )
    (link,) = links_of(EdgeKind.POOLING)
    assert (link.source, link.target) == (org_id(giver.pk), org_id(personas.organization.pk))
    assert not links_of(EdgeKind.COPRODUCTION)


def test_walkers_of_a_journey_meet_together_and_meet_the_places(personas) -> None:
    from maillage.journeys.models import Encounter, Journey

    a, b = f.person(), f.person()
    journey = Journey.objects.create(
        title="Marche",
        slug="marche",
        territory=personas.commune,
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2025, 4, 10),
    )
    journey.walkers.set([a, b])
    for day in (2, 3):
        Encounter.objects.create(
            journey=journey,
            territory=personas.neighbourhood,
            met_on=dt.date(2025, 4, day),
            who="un boulanger",
            recorded_by=a,
            payload_hash=str(day),
        )
    links = links_of(EdgeKind.ENCOUNTER)
    pairs = {(link.source, link.target): link.weight for link in links}
    assert pairs[(person_id(a.pk), person_id(b.pk))] == 2
    assert pairs[(person_id(a.pk), territory_id(personas.neighbourhood.pk))] == 2


def test_a_source_whose_app_is_not_installed_is_skipped(personas, monkeypatch) -> None:
    from django.apps import apps

    from maillage.pooling.models import Exchange

    Exchange.objects.create(
        giver=f.organization("business", personas.commune),
        receiver=personas.organization,
        what="prêt",
        happened_on=dt.date(2025, 6, 1),
        confirmed_at=dt.datetime(2025, 6, 2, tzinfo=dt.UTC),
    )
    assert links_of(EdgeKind.POOLING)
    installed = [c for c in apps.get_app_configs() if c.label != "pooling"]
    monkeypatch.setattr(apps, "get_app_configs", lambda: installed)
    assert not links_of(EdgeKind.POOLING)


def test_deriving_costs_the_same_number_of_queries_whatever_the_records(personas) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            derivation.derive_links()
        return len(queries)

    f.decided_together(f.circle(personas.site), [f.person() for _ in range(2)])
    before = count()
    for _ in range(5):
        f.decided_together(f.circle(personas.site), [f.person() for _ in range(4)])
        f.member(f.person(), personas.organization)
    assert count() == before


def test_the_participation_loop_is_read_from_contribution_to_new_consultation(personas) -> None:
    from maillage.analysis.graph import participation_loops
    from maillage.consultations.models import Contribution, Response

    first = f.campaign(
        personas.commune, sites=[personas.site], starts_on=dt.date(2025, 1, 1), status="answered"
    )
    contribution = Contribution.objects.create(
        campaign=first,
        site=personas.site,
        text="Des bancs",
        source="field",
        status="published",
        consent_publication=True,
        payload_hash="h",
        captured_at=timezone.make_aware(dt.datetime(2025, 1, 10)),
    )
    decision = f.decided_together(
        f.circle(personas.site),
        [f.person(), f.person()],
        when=timezone.make_aware(dt.datetime(2025, 3, 1)),
    )
    response = Response.objects.create(
        campaign=first,
        title="Des bancs",
        status="done",
        link_url=f"https://example.org/decisions/{decision.pk}/",
    )
    response.contributions.add(contribution)
    Response.objects.filter(pk=response.pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 2, 1)),
        updated_at=timezone.make_aware(dt.datetime(2025, 4, 1)),
    )
    f.campaign(personas.commune, sites=[personas.site], starts_on=dt.date(2025, 6, 1))
    result = participation_loops(derivation.participation().events)
    assert result.completed == 1
    (loop,) = next(c for c in result.campaigns if c.campaign == str(first.pk)).loops
    assert loop.refs[2] == f"decision:{decision.pk}"


def test_circle_invitations_recorded_before_added_by_are_read_back_from_the_audit_log(
    personas,
) -> None:
    import importlib

    from django.apps import apps

    from maillage.core.services import audit_record
    from maillage.decisions.models import CircleMember

    migration = importlib.import_module(
        "maillage.decisions.migrations.0003_circlemember_added_by_from_audit_log"
    )
    the_circle = f.circle(personas.site)
    member = CircleMember.objects.create(
        circle=the_circle, person=personas.field_agent, since=dt.date(2025, 2, 3)
    )
    audit_record(actor=personas.platform_admin, action="circle.member_add", target=member)
    migration.added_by_from_audit_log(apps, None)
    member.refresh_from_db()
    assert member.added_by == personas.platform_admin
    (link,) = links_of(EdgeKind.INVITATION)
    assert (link.source, link.target) == (
        person_id(personas.platform_admin.pk),
        person_id(personas.field_agent.pk),
    )
