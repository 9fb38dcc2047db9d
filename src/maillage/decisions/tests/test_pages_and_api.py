"""Pages, API, feed, open data and the territory section."""

from __future__ import annotations

import json

import pytest

from maillage.core.exports import stream_json
from maillage.core.opendata import get_dataset
from maillage.decisions.services import elections, polls, proposals, rounds
from maillage.decisions.tests.conftest import to_consent
from maillage.people.services import api_token_create

LOGIN = "maillage.people.backends.EmailBackend"


def _adopt(team, *, with_objection: bool = False):
    round_ = to_consent(team.decision, team.facilitator)
    if with_objection:
        objection = rounds.answer_submit(
            round=round_,
            actor=team.member,
            kind="objection",
            reason="Trop bruyant",
            acceptable_if="Fermer à 21 h",
        )
        rounds.round_close(round=round_, actor=team.facilitator)
        proposals.decision_amend(
            decision=team.decision,
            actor=team.author,
            text="La place est piétonne le dimanche jusqu'à 21 h.",
            note="Fermeture avancée",
            integrations={objection.pk: "21 h"},
        )
        round_ = rounds.round_open(
            decision=team.decision, actor=team.facilitator, kind="consent", mode="live"
        )
        for person in team.members:
            rounds.answer_submit(
                round=round_, actor=team.facilitator, member=person, kind="consent"
            )
    else:
        for person in team.members:
            rounds.answer_submit(round=round_, actor=person, kind="consent")
    rounds.round_close(round=round_, actor=team.facilitator)
    team.decision.refresh_from_db()
    return round_


def test_an_objection_without_reason_on_the_page_answers_422_with_the_message(team, client):
    round_ = to_consent(team.decision, team.facilitator)
    client.force_login(team.member, backend=LOGIN)
    response = client.post(
        f"/tours/{round_.pk}/repondre/", {"kind": "objection"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert "needs its reason" in response.content.decode()


def test_answering_a_closed_round_on_the_page_answers_409_with_its_state(team, client):
    round_ = to_consent(team.decision, team.facilitator)
    rounds.round_close(round=round_, actor=team.facilitator)
    client.force_login(team.member, backend=LOGIN)
    response = client.post(
        f"/tours/{round_.pk}/repondre/", {"kind": "consent"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "Round 3 is closed" in response.content.decode()


def test_the_api_takes_a_bearer_answer_and_refuses_closed_rounds_and_bare_objections(team, client):
    round_ = to_consent(team.decision, team.facilitator)
    _token, key = api_token_create(
        person=team.member, actor=team.member, name="script", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/decisions/rounds/{round_.pk}/answers"
    bare = client.post(
        url,
        {"kind": "objection"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    )
    assert bare.status_code == 422
    assert "needs its reason" in bare.json()["detail"]["reason"][0]
    ok = client.post(url, {"kind": "consent"}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["kind"] == "consent"
    assert client.post(url, {"kind": "consent"}, content_type="application/json").status_code == 401
    rounds.round_close(round=round_, actor=team.facilitator)
    closed = client.post(url, {"kind": "consent"}, content_type="application/json", **auth)
    assert closed.status_code == 409
    assert closed.json()["round_state"] == "closed"


def test_the_api_takes_a_ballot_and_publishes_results_once_closed(team, client):
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Projet",
        question="?",
        method="majority_judgment",
        options=["A", "B"],
    )
    a, b = poll.options.all()
    client.force_login(team.member, backend=LOGIN)
    response = client.post(
        f"/api/decisions/polls/{poll.pk}/grades",
        {"grades": {str(a.pk): 6, str(b.pk): 1}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["voters"] == 1 and response.json()["results"] == []
    polls.poll_close(poll=poll, actor=team.member)
    results = client.get(f"/api/decisions/polls/{poll.pk}/results").json()
    assert [r["option"] for r in results["results"]] == ["A", "B"]
    assert results["results"][0]["majority_grade"] == "Excellent"


def test_the_decision_page_shows_objections_their_integration_and_the_diff(team, client):
    _adopt(team, with_objection=True)
    html = client.get(team.decision.get_absolute_url()).content.decode()
    assert "Trop bruyant" in html and "Fermer à 21 h" in html
    assert "Integrated in version 2" in html or "Intégrée" in html or "version 2" in html
    assert "<del>" in html and "<ins>" in html


def test_the_register_feed_and_api_list_adopted_decisions_of_public_circles(team, client):
    _adopt(team)
    territory = team.personas.commune
    assert team.decision.title in client.get(f"/registre/{territory.slug}/").content.decode()
    feed = client.get(f"/registre/{territory.slug}/flux.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert team.decision.title in feed.content.decode()
    listed = client.get("/api/decisions/register", {"territory": territory.slug}).json()
    assert [item["title"] for item in listed["items"]] == [team.decision.title]
    team.circle.is_public = False
    team.circle.save(update_fields=["is_public"])
    assert client.get("/api/decisions/register").json()["items"] == []
    assert (
        team.decision.title
        not in client.get(f"/registre/{territory.slug}/flux.atom").content.decode()
    )


def test_the_territory_page_lists_decisions_of_public_circles(team, client):
    _adopt(team)
    html = client.get(team.personas.commune.get_absolute_url()).content.decode()
    assert team.decision.title in html


def test_open_data_publishes_the_register_without_naming_members(team):
    _adopt(team, with_objection=True)
    rows = json.loads("".join(stream_json(get_dataset("decisions-register"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["rounds"] == 4 and row["objections"] == 1
    assert row["objections_detail"][0] == {
        "reason": "Trop bruyant",
        "acceptable_if": "Fermer à 21 h",
        "integration": "21 h",
    }
    assert row["facilitator_public_name"] is None  # the facilitator has no public profile
    assert "member@example.org" not in json.dumps(rows)


def test_open_data_publishes_closed_majority_judgment_results(team):
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Projet",
        question="?",
        method="majority_judgment",
        options=["A", "B"],
    )
    a, b = poll.options.all()
    polls.poll_submit(poll=poll, actor=team.member, grades={a.pk: 5, b.pk: 2})
    assert list(get_dataset("majority-judgment-results").iter_rows()) == []
    polls.poll_close(poll=poll, actor=team.member)
    rows = list(get_dataset("majority-judgment-results").iter_rows())
    assert [(r["option"], r["rank"], r["majority_grade"], r["grade_5"]) for r in rows] == [
        ("A", 1, "Very good", 1),
        ("B", 2, "Passable", 0),
    ]


@pytest.mark.parametrize("count", [3, 12])
def test_the_decision_page_query_count_does_not_grow_with_answers(
    team, client, django_assert_max_num_queries, count
):
    from maillage.decisions.models import CircleMember
    from maillage.decisions.tests.conftest import make_person

    round_ = to_consent(team.decision, team.facilitator)
    for index in range(count):
        person = make_person(f"extra{index}@example.org")
        CircleMember.objects.create(circle=team.circle, person=person, since="2025-01-01")
        rounds.answer_submit(round=round_, actor=person, kind="consent")
    client.force_login(team.member, backend=LOGIN)
    with django_assert_max_num_queries(40):
        assert client.get(team.decision.get_absolute_url()).status_code == 200


def test_every_page_renders_for_a_member_and_the_facilitator(team, client):
    poll = polls.poll_open(
        circle=team.circle,
        actor=team.member,
        title="Projet",
        question="?",
        method="majority_judgment",
        options=["A", "B"],
    )
    election = elections.election_open(circle=team.circle, actor=team.member, role="Secrétaire")
    round_ = to_consent(team.decision, team.facilitator)
    slug = team.circle.slug
    pages = [
        "/cercles/",
        f"/cercles/{slug}/",
        f"/cercles/{slug}/rotation/",
        f"/cercles/{slug}/proposer/",
        team.decision.get_absolute_url(),
        f"/decisions/{team.decision.pk}/amender/",
        f"/tours/{round_.pk}/repondre/",
        poll.get_absolute_url(),
        election.get_absolute_url(),
    ]
    for person in (team.member, team.facilitator):
        client.force_login(person, backend=LOGIN)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403), url
            assert response.status_code == 200 or url.endswith("amender/"), url


def test_the_facilitator_opens_and_closes_rounds_from_the_page(team, client):
    client.force_login(team.facilitator, backend=LOGIN)
    url = f"/decisions/{team.decision.pk}/tours/ouvrir/"
    assert client.post(url, {"kind": "clarifying", "mode": "live"}).status_code == 302
    again = client.post(url, {"kind": "reactions", "mode": "live"})
    assert again.status_code == 409
    skipped = team.decision.rounds.get()
    assert client.post(f"/tours/{skipped.pk}/cloturer/").status_code == 302
    assert client.post(f"/tours/{skipped.pk}/cloturer/").status_code == 409


def test_the_feed_holds_a_decision_with_control_characters_and_markup_as_text(team, client):
    from xml.etree import ElementTree

    _adopt(team)
    version = team.decision.versions.order_by("-number").first()
    version.text = "Avant\x0b\x0cla <script>__xss(1)</script> fin"
    version.save(update_fields=["text"])
    feed = client.get(f"/registre/{team.personas.commune.slug}/flux.atom")
    assert feed.status_code == 200
    root = ElementTree.fromstring(feed.content)  # noqa: S314 (our own feed, built by the test)
    summary = root.find(".//{http://www.w3.org/2005/Atom}summary")
    # A feed reader reads the summary as HTML: the markup must reach it as escaped text.
    assert summary is not None and "&lt;script&gt;" in summary.text
    assert "\x0b" not in summary.text and "Avantla" in summary.text
