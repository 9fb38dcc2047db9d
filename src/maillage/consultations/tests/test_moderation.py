"""Moderation: who may publish, hide and redact; hidden content never leaves the queue."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.consultations import services
from maillage.consultations.models import Contribution
from maillage.consultations.services import contribution_sync_batch
from maillage.consultations.tests.conftest import make_record
from maillage.core.exports import stream_csv
from maillage.core.models import AuditEntry
from maillage.core.opendata import get_dataset


def _contribution(personas, campaign, **changes) -> Contribution:
    result = contribution_sync_batch(
        actor=personas.field_agent, records=[make_record(campaign, personas.site, **changes)]
    )[0]
    return Contribution.objects.get(pk=result.id)


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
def test_who_may_publish(personas, campaign, role, allowed):
    contribution = _contribution(personas, campaign)
    if allowed:
        services.contribution_publish(contribution=contribution, actor=personas.by_role(role))
        assert contribution.status == "published"
    else:
        with pytest.raises(PermissionDenied):
            services.contribution_publish(contribution=contribution, actor=personas.by_role(role))


def test_a_contribution_without_consent_is_private_and_cannot_be_published(personas, campaign):
    contribution = _contribution(personas, campaign, consent=False)
    assert contribution.status == "private"
    with pytest.raises(ValidationError, match="consent"):
        services.contribution_publish(contribution=contribution, actor=personas.facilitator)


def test_hiding_needs_a_known_reason(personas, campaign):
    contribution = _contribution(personas, campaign)
    with pytest.raises(ValidationError):
        services.contribution_hide(
            contribution=contribution, actor=personas.facilitator, reason="boring"
        )
    services.contribution_hide(
        contribution=contribution, actor=personas.facilitator, reason="insult"
    )
    contribution.refresh_from_db()
    assert (contribution.status, contribution.hidden_reason) == ("hidden", "insult")


def test_redacting_keeps_the_original_only_in_the_audit_log(personas, campaign):
    contribution = _contribution(personas, campaign, text="Appelez Jean Dupont au 06 12 34 56 78")
    services.contribution_redact(
        contribution=contribution, actor=personas.facilitator, text="Appelez [nom retiré]"
    )
    contribution.refresh_from_db()
    assert contribution.text == "Appelez [nom retiré]"
    entry = AuditEntry.objects.get(action="consultations.contribution.redact")
    assert entry.data["original_text"] == "Appelez Jean Dupont au 06 12 34 56 78"
    assert entry.target_id == str(contribution.pk)
    assert entry.actor == personas.facilitator


def test_hidden_content_never_appears_in_public_pages_api_or_open_data(
    client_as, personas, campaign
):
    shown = _contribution(personas, campaign, text="Des bancs sous les tilleuls")
    hidden = _contribution(personas, campaign, text="Texte injurieux a masquer")
    pending = _contribution(personas, campaign, text="Pas encore relu par personne")
    services.contribution_publish(contribution=shown, actor=personas.facilitator)
    services.contribution_publish(contribution=hidden, actor=personas.facilitator)
    services.contribution_hide(contribution=hidden, actor=personas.facilitator, reason="insult")
    client = client_as("visitor")
    page = client.get(campaign.get_absolute_url()).content.decode()
    api = client.get(f"/api/consultations/campaigns/{campaign.slug}/contributions").content.decode()
    export = "".join(stream_csv(get_dataset("consultation_contributions")))
    for text in (page, api, export):
        assert "Des bancs sous les tilleuls" in text
        assert "injurieux" not in text
        assert "Pas encore relu" not in text
    assert pending.status == "pending"


def test_the_moderation_queue_is_for_facilitators_only(client_as, personas, campaign):
    _contribution(personas, campaign, text="Une idée à relire")
    url = f"/concertations/{campaign.slug}/moderation/"
    assert client_as("visitor").get(url).status_code == 302
    assert client_as("participant").get(url).status_code == 403
    assert client_as("field_agent").get(url).status_code == 403
    response = client_as("facilitator").get(url)
    assert response.status_code == 200
    assert "Une idée à relire" in response.content.decode()


def test_the_moderation_page_publishes_hides_and_redacts(client_as, personas, campaign):
    contribution = _contribution(personas, campaign)
    client = client_as("facilitator")
    url = f"/concertations/{campaign.slug}/moderation/{contribution.pk}/"
    client.post(url, {"action": "publish"})
    contribution.refresh_from_db()
    assert contribution.status == "published"
    client.post(url, {"action": "hide", "reason": "personal_data"})
    contribution.refresh_from_db()
    assert contribution.hidden_reason == "personal_data"
    client.post(url, {"action": "redact", "text": "Texte nettoyé"})
    contribution.refresh_from_db()
    assert contribution.text == "Texte nettoyé"
    assert client_as("participant").post(url, {"action": "publish"}).status_code == 403


def test_the_cached_moderation_counts_see_a_new_sync_and_a_decision_at_once(
    personas, campaign, django_capture_on_commit_callbacks
):
    from maillage.consultations.selectors import moderation_counts, published_count

    before = moderation_counts(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        contribution_sync_batch(
            actor=personas.field_agent, records=[make_record(campaign, personas.site)]
        )
    after_sync = moderation_counts(campaign)
    assert after_sync["pending"] == before["pending"] + 1
    assert published_count(campaign) == 0
    contribution = Contribution.objects.get(campaign=campaign, status="pending")
    services.contribution_publish(contribution=contribution, actor=personas.facilitator)
    assert moderation_counts(campaign)["published"] == after_sync["published"] + 1
    assert published_count(campaign) == 1
