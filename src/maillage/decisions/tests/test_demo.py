"""The demo's steering committee: built through the services, answerable by the demo logins."""

from __future__ import annotations

import pytest

from maillage.decisions import selectors
from maillage.decisions.models import Circle, Decision, FacilitationTurn


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_builds_the_friche_committee_with_its_decisions_vote_and_rotation(client):
    from maillage.demo import DemoContext
    from maillage.demo.decisions import build_decisions
    from maillage.demo.foundation import build_people_and_organizations, build_territories

    ctx = DemoContext()
    build_territories(ctx)
    build_people_and_organizations(ctx)
    build_decisions(ctx)

    circle = Circle.objects.get(slug="copil-friche-dmc")
    assert circle.delegations.count() == 10
    states = dict(Decision.objects.filter(circle=circle).values_list("title", "state"))
    assert sorted(states.values()) == ["adopted", "adopted", "consent"]
    hall = Decision.objects.get(circle=circle, title__startswith="Ouvrir la grande halle")
    assert hall.versions.count() == 2
    assert hall.rounds.filter(kind="consent").first().answers.get(kind="objection").integrated_in
    months = FacilitationTurn.objects.filter(circle=circle, decision__isnull=True)
    assert months.values("held_on").distinct().count() == 12
    poll = circle.polls.get()
    assert len(selectors.poll_results(poll).majority.ranking) == 4

    open_round = Decision.objects.get(circle=circle, state="consent").rounds.get(state="open")
    client.force_login(
        ctx.objects["by_email"]["habitante@demo.maillage.test"],
        backend="maillage.people.backends.EmailBackend",
    )
    response = client.post(f"/tours/{open_round.pk}/repondre/", {"kind": "consent"})
    assert response.status_code == 302
    assert open_round.answers.filter(member__email="habitante@demo.maillage.test").exists()
