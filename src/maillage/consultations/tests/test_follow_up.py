"""Follow-up: responses, their statuses, the emails to contributors and the public page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from maillage.consultations import services
from maillage.consultations.models import Contribution, Response
from maillage.consultations.tests.conftest import make_record


def _contributions(personas, campaign, *emails: str) -> list[Contribution]:
    records = [make_record(campaign, personas.site, contact_email=e) for e in emails]
    results = services.contribution_sync_batch(actor=personas.field_agent, records=records)
    return list(Contribution.objects.filter(pk__in=[r.id for r in results]).order_by("pk"))


def test_not_retained_needs_a_reason(personas, campaign):
    with pytest.raises(ValidationError, match="reason"):
        services.response_create(
            campaign=campaign, actor=personas.facilitator, title="Fontaine", status="not_retained"
        )
    response = services.response_create(
        campaign=campaign, actor=personas.facilitator, title="Fontaine", status="under_study"
    )
    with pytest.raises(ValidationError):
        services.response_update(
            response=response, actor=personas.facilitator, status="not_retained"
        )
    services.response_update(
        response=response,
        actor=personas.facilitator,
        status="not_retained",
        reason="Coût d'entretien",
    )
    response.refresh_from_db()
    assert response.status == "not_retained"


@pytest.mark.parametrize("role", ["participant", "field_agent", "org_admin"])
def test_only_facilitators_answer(personas, campaign, role):
    with pytest.raises(PermissionDenied):
        services.response_create(campaign=campaign, actor=personas.by_role(role), title="Non")


def test_contributors_with_an_email_or_an_account_are_told_on_each_status_change(
    personas, campaign, django_capture_on_commit_callbacks
):
    first, second, anonymous = _contributions(personas, campaign, "ines@example.org", "", "")
    second.author = personas.participant
    second.save(update_fields=["author"])
    with django_capture_on_commit_callbacks(execute=True):
        response = services.response_create(
            campaign=campaign,
            actor=personas.facilitator,
            title="Éclairage du square",
            status="under_study",
            contribution_ids=[first.pk, second.pk, anonymous.pk],
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["ines@example.org", "participant@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Éclairage du square" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.response_update(
            response=response, actor=personas.facilitator, text="Devis demandé"
        )
    assert mail.outbox == []  # no status change, no email
    with django_capture_on_commit_callbacks(execute=True):
        services.response_update(response=response, actor=personas.facilitator, status="done")
    assert len(mail.outbox) == 2
    assert (
        "Done" in mail.outbox[0].body
        or "Réalisé" in mail.outbox[0].body
        or "done" in mail.outbox[0].body.lower()
    )


def test_the_email_says_what_became_of_the_idea_why_and_where_to_follow_it(
    personas, campaign, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://maillage.example"
    (contribution,) = _contributions(personas, campaign, "ines@example.org")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.response_create(
            campaign=campaign,
            actor=personas.facilitator,
            title="Bancs à l'ombre & <fontaine>",
            status="not_retained",
            text="L'étude est faite.",
            reason="Hors compétence de la commune",
            contribution_ids=[contribution.pk],
        )
    (message,) = mail.outbox
    assert message.subject == "What became of your idea: Bancs à l'ombre & <fontaine>"
    assert message.body == (
        "Your contribution to the consultation “Comment vous sentir ici” has news.\n"
        "\n"
        "Bancs à l'ombre & <fontaine> — Not retained\n"
        "\n"
        "L'étude est faite.\n"
        "\n"
        "Why: Hors compétence de la commune\n"
        "\n"
        "Follow every idea of the consultation: "
        f"https://maillage.example/concertations/{campaign.slug}/suites/"
    )


def test_the_email_is_in_french_without_a_text_or_a_reason(
    personas, campaign, django_capture_on_commit_callbacks
):
    (contribution,) = _contributions(personas, campaign, "ines@example.org")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.response_create(
            campaign=campaign,
            actor=personas.facilitator,
            title="Bancs",
            contribution_ids=[contribution.pk],
        )
    (message,) = mail.outbox
    assert message.subject == "Ce qu'est devenue votre idée\u00a0: Bancs"
    lines = message.body.split("\n")
    assert lines[0].startswith("Il y a du nouveau sur votre contribution")
    with translation.override("fr"):
        received = str(Response.Status.RECEIVED.label)
    assert lines[1:4] == ["", f"Bancs — {received}", ""]
    assert lines[4].startswith("Suivez toutes les idées de la consultation")
    assert len(lines) == 5


def test_no_email_leaves_before_commit(personas, campaign, django_capture_on_commit_callbacks):
    (contribution,) = _contributions(personas, campaign, "ines@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.response_create(
            campaign=campaign,
            actor=personas.facilitator,
            title="Bancs",
            contribution_ids=[contribution.pk],
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_response_cannot_link_another_campaigns_contribution(personas, campaign):
    with pytest.raises(ValidationError, match="pas des contributions de cette campagne"):
        services.response_create(
            campaign=campaign, actor=personas.facilitator, title="Bancs", contribution_ids=[999999]
        )


def test_the_public_follow_up_page_counts_responses_per_status(client_as, personas, campaign):
    contributions = _contributions(personas, campaign, "", "", "")
    services.response_create(
        campaign=campaign,
        actor=personas.facilitator,
        title="Bancs à l'ombre",
        status="retained",
        contribution_ids=[c.pk for c in contributions[:2]],
    )
    services.response_create(
        campaign=campaign,
        actor=personas.facilitator,
        title="Piscine",
        status="not_retained",
        reason="Hors compétence de la commune",
    )
    response = client_as("visitor").get(f"/concertations/{campaign.slug}/suites/")
    counts = {status: n for status, _, n in response.context["counts"]}
    assert counts == {"received": 0, "under_study": 0, "retained": 1, "done": 0, "not_retained": 1}
    assert response.context["answered"] == 2
    body = response.content.decode()
    assert "Hors compétence de la commune" in body
    # Each status in words inside its badge, whose class gives it its own style.
    assert '<span class="status-pill status-retained">Retenue</span>' in body
    assert '<span class="status-pill status-not_retained">Non retenue</span>' in body


def test_the_responses_page_creates_and_updates(client_as, personas, campaign):
    (contribution,) = _contributions(personas, campaign, "")
    client = client_as("facilitator")
    url = f"/concertations/{campaign.slug}/reponses/"
    client.post(
        url, {"title": "Ombre", "status": "received", "contributions": f"#{contribution.pk}"}
    )
    response = campaign.responses.get()
    assert list(response.contributions.all()) == [contribution]
    client.post(
        f"{url}{response.pk}/", {"status": "not_retained", "reason": "", "contributions": ""}
    )
    response.refresh_from_db()
    assert response.status == "received"  # refused: no reason
    client.post(
        f"{url}{response.pk}/",
        {"status": "not_retained", "reason": "Trop cher", "contributions": ""},
    )
    response.refresh_from_db()
    assert response.status == "not_retained"
    assert client_as("participant").get(url).status_code == 403
