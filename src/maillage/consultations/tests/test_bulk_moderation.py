"""Moderation at volume: many contributions published or hidden at once, the queue filtered by
site and agent, the closed answers shown on each card."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maillage.consultations.models import Contribution
from maillage.consultations.services import contribution_sync_batch
from maillage.consultations.tests.conftest import make_record
from maillage.core.models import AuditEntry
from maillage.people.models import Person, TerritoryRole


def _captured(
    personas: Any, campaign: Any, count: int, place: Any = None, **changes: Any
) -> list[int]:
    records = [make_record(campaign, place or personas.site, **changes) for _ in range(count)]
    return [r.id for r in contribution_sync_batch(actor=personas.field_agent, records=records)]


def _bulk(client: Any, campaign: Any, ids: list[int], action: str, **extra: Any) -> Any:
    return client.post(
        reverse("consultations:moderate_bulk", args=[campaign.slug]),
        {"ids": [str(i) for i in ids], "action": action, **extra},
        follow=True,
    )


def test_facilitator_publishes_many_at_once_and_each_is_audited(
    client_as: Any, personas: Any, campaign: Any
) -> None:
    ids = _captured(personas, campaign, 30)
    response = _bulk(client_as("facilitator"), campaign, ids, "publish")
    assert "30 contributions publiées." in response.content.decode()
    assert Contribution.objects.filter(pk__in=ids, status="published").count() == 30
    assert AuditEntry.objects.filter(action="consultations.contribution.publish").count() == 30


def test_hiding_many_needs_a_reason_and_records_it(
    client_as: Any, personas: Any, campaign: Any
) -> None:
    ids = _captured(personas, campaign, 3)
    client = client_as("facilitator")
    response = _bulk(client, campaign, ids, "hide")
    assert "Choisissez une raison pour masquer les contributions." in response.content.decode()
    assert not Contribution.objects.filter(pk__in=ids, status="hidden").exists()
    _bulk(client, campaign, ids, "hide", reason="off_topic")
    assert set(Contribution.objects.filter(pk__in=ids).values_list("status", "hidden_reason")) == {
        ("hidden", "off_topic")
    }


def test_one_without_consent_is_reported_and_the_others_still_published(
    client_as: Any, personas: Any, campaign: Any
) -> None:
    ids = _captured(personas, campaign, 2)
    private = _captured(personas, campaign, 1, consent=False)
    response = _bulk(client_as("facilitator"), campaign, [*ids, *private], "publish")
    page = response.content.decode()
    assert "2 contributions publiées." in page
    assert f"#{private[0]} non modifiée" in page
    assert Contribution.objects.filter(pk__in=ids, status="published").count() == 2
    assert Contribution.objects.get(pk=private[0]).status == "private"


def test_ids_of_another_campaign_are_ignored(client_as: Any, personas: Any, campaign: Any) -> None:
    from maillage.consultations.services import campaign_create

    other = campaign_create(
        actor=personas.platform_admin,
        title="Ailleurs",
        territory=personas.commune,
        open_question="?",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        sites=[personas.site],
        team=[personas.field_agent],
        status="open",
    )
    theirs = _captured(personas, other, 1, answers={})
    _bulk(client_as("facilitator"), campaign, theirs, "publish")
    assert Contribution.objects.get(pk=theirs[0]).status == "pending"


@pytest.mark.parametrize("role", ["visitor", "participant", "field_agent", "org_admin"])
def test_others_cannot_moderate_in_bulk(
    client_as: Any, personas: Any, campaign: Any, role: str
) -> None:
    ids = _captured(personas, campaign, 2)
    response = client_as(role).post(
        reverse("consultations:moderate_bulk", args=[campaign.slug]),
        {"ids": ids, "action": "publish"},
    )
    assert response.status_code in (302, 403)
    assert not Contribution.objects.filter(pk__in=ids, status="published").exists()


def test_queue_is_filtered_by_site_and_agent_and_shows_the_closed_answers(
    client_as: Any, personas: Any, campaign: Any
) -> None:
    second = campaign.sites.exclude(pk=personas.site.pk).get()
    on_first = _captured(personas, campaign, 2)
    on_second = _captured(personas, campaign, 1, place=second)
    colleague = Person.objects.create_user("agent2@example.org", "x", display_name="Agente Deux")
    TerritoryRole.objects.create(person=colleague, territory=personas.commune, role="field_agent")
    campaign.team.add(colleague)
    theirs = contribution_sync_batch(actor=colleague, records=[make_record(campaign, second)])[0].id
    client = client_as("facilitator")
    url = reverse("consultations:moderation", args=[campaign.slug])

    def shown(**params: Any) -> set[int]:
        return {c.pk for c in client.get(url, params).context["page"].object_list}

    assert shown() == {*on_first, *on_second, theirs}
    assert shown(site=second.pk) == {*on_second, theirs}
    assert shown(agent=colleague.pk) == {theirs}
    assert shown(site=second.pk, agent=personas.field_agent.pk) == set(on_second)
    page = client.get(url).content.decode()
    assert "Calme ?" in page and "Lire, Marcher" in page
    assert 'form="bulk-form"' in page
