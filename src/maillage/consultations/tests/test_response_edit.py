"""A response picks its contributions by search and ticks, is edited later with its history
kept, and the public follow-up page shows the published contributions each one answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maillage.consultations import services
from maillage.consultations.models import Contribution
from maillage.consultations.tests.conftest import make_record


def _captured(personas: Any, campaign: Any, *texts: str, **changes: Any) -> list[Contribution]:
    records = [make_record(campaign, personas.site, text=t, **changes) for t in texts]
    results = services.contribution_sync_batch(actor=personas.field_agent, records=records)
    return list(Contribution.objects.filter(pk__in=[r.id for r in results]).order_by("pk"))


@pytest.fixture
def response(personas: Any, campaign: Any) -> Any:
    return services.response_create(
        campaign=campaign, actor=personas.facilitator, title="Bancs à l'ombre"
    )


def _edit_url(campaign: Any, response: Any) -> str:
    return reverse("consultations:response_edit", args=[campaign.slug, response.pk])


def _save(client: Any, campaign: Any, response: Any, ids: list[int], **changes: Any) -> Any:
    data = {
        "title": response.title,
        "status": response.status,
        "text": "",
        "reason": "",
        "link_url": "",
    }
    data.update(changes)
    return client.post(_edit_url(campaign, response), {**data, "contributions": ids})


def test_contributions_are_found_by_their_words_and_picked(
    client_as: Any, personas: Any, campaign: Any, response: Any
) -> None:
    both = _captured(
        personas, campaign, "Des bancs à l'ombre des platanes.", "Plus de lumière le soir."
    )
    shade = next(c for c in both if "ombre" in c.text)
    light = next(c for c in both if c is not shade)
    client = client_as("facilitator")
    found = client.get(_edit_url(campaign, response), {"q": "ombre"}).context["found"]
    assert found == [shade]
    by_number = client.get(_edit_url(campaign, response), {"q": f"#{light.pk}"}).context["found"]
    assert by_number == [light]
    assert _save(client, campaign, response, [shade.pk]).status_code == 302
    assert list(response.contributions.all()) == [shade]


def test_editing_replaces_the_contributions_and_keeps_the_history(
    client_as: Any, personas: Any, campaign: Any, response: Any
) -> None:
    first, second = _captured(personas, campaign, "Des bancs.", "De l'ombre.")
    client = client_as("facilitator")
    _save(client, campaign, response, [first.pk])
    _save(client, campaign, response, [second.pk], title="Bancs et ombre", status="under_study")
    response.refresh_from_db()
    assert response.title == "Bancs et ombre" and response.status == "under_study"
    assert list(response.contributions.all()) == [second]
    page = client.get(_edit_url(campaign, response))
    last = page.context["history"][-1]
    assert last.data["added"] == [second.pk] and last.data["removed"] == [first.pk]
    assert last.data["previous"] == {"title": "Bancs à l'ombre", "status": "received"}
    assert len(page.context["history"]) == 3  # created, then changed twice
    assert "Bancs à l&#x27;ombre" in page.content.decode()


def test_a_not_retained_response_without_a_reason_is_refused(
    client_as: Any, campaign: Any, response: Any
) -> None:
    result = _save(client_as("facilitator"), campaign, response, [], status="not_retained")
    assert result.status_code == 400
    assert (
        "Dites pourquoi l’idée n’est pas retenue." in result.content.decode()
        or result.context["form"].errors["reason"]
    )
    response.refresh_from_db()
    assert response.status == "received"


def test_a_contribution_of_another_campaign_cannot_be_picked(
    client_as: Any, personas: Any, campaign: Any, response: Any
) -> None:
    other = services.campaign_create(
        actor=personas.facilitator,
        title="Autre",
        territory=personas.commune,
        open_question="?",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        sites=[personas.site],
        team=[personas.field_agent],
        status="open",
    )
    (theirs,) = _captured(personas, other, "Ailleurs.", answers={})
    result = _save(client_as("facilitator"), campaign, response, [theirs.pk])
    assert result.status_code == 400
    assert not response.contributions.exists()


@pytest.mark.parametrize("role", ["visitor", "participant", "field_agent", "org_admin"])
def test_others_cannot_edit_a_response(
    client_as: Any, personas: Any, campaign: Any, response: Any, role: str
) -> None:
    (one,) = _captured(personas, campaign, "Des bancs.")
    result = _save(client_as(role), campaign, response, [one.pk], title="Piraté")
    assert result.status_code in (302, 403)
    response.refresh_from_db()
    assert response.title == "Bancs à l'ombre" and not response.contributions.exists()


def test_public_page_shows_the_published_contributions_each_response_answers(
    client_as: Any, personas: Any, campaign: Any, response: Any, django_assert_max_num_queries: Any
) -> None:
    both = _captured(personas, campaign, "Des bancs sous les arbres.", "Texte en attente.")
    published = next(c for c in both if c.text.startswith("Des bancs"))
    pending = next(c for c in both if c is not published)
    services.contribution_publish(contribution=published, actor=personas.facilitator)
    services.response_update(
        response=response, actor=personas.facilitator, contribution_ids=[published.pk, pending.pk]
    )
    client = client_as("visitor")
    page = client.get(reverse("consultations:follow_up", args=[campaign.slug]))
    body = page.content.decode()
    assert "Des bancs sous les arbres." in body
    assert "Texte en attente." not in body
    for n in range(5):
        services.response_create(
            campaign=campaign,
            actor=personas.facilitator,
            title=f"R{n}",
            contribution_ids=[published.pk],
        )
    with django_assert_max_num_queries(12):
        client.get(reverse("consultations:follow_up", args=[campaign.slug]))
