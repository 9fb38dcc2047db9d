"""A work's writers (and its organization's admins) rename it, change its visibility (the other
participants told) and archive it, in the pages and the API; per role and anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from maillage.conftest import ROLES
from maillage.core.models import AuditEntry
from maillage.cowriting import services
from maillage.cowriting.selectors import connection_role

pytestmark = pytest.mark.django_db

# On the fixture's private work: two writers (org_admin, facilitator), the platform admin;
# the commenter (field_agent) and the reader (participant) may read, not change; the others
# cannot even read it.
CHANGERS = {"org_admin", "facilitator", "platform_admin"}
READERS = {"field_agent", "participant"}


def _expected(role: str, allowed: int) -> int:
    if role in CHANGERS:
        return allowed
    if role == "visitor":
        return 401
    return 403 if role in READERS else 404


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lets_only_writers_and_organization_admins_rename_a_work(
    client_as: Any, work: Any, role: str
) -> None:
    response = client_as(role).patch(
        f"/api/cowriting/works/{work.pk}",
        {"title": "Récit commun"},
        content_type="application/json",
    )
    assert response.status_code == _expected(role, 200)
    work.refresh_from_db()
    assert (work.title == "Récit commun") is (role in CHANGERS)


@pytest.mark.parametrize("role", ROLES)
def test_the_settings_page_lets_only_writers_and_organization_admins_change_a_work(
    client_as: Any, work: Any, role: str
) -> None:
    client = client_as(role)
    data = {
        "title": "Récit renommé",
        "vision": work.vision,
        "publication_rule": work.publication_rule,
        "objection_days": work.objection_days,
    }
    response = client.post(f"/co-ecriture/{work.pk}/reglages/", data)
    archive = client.post(f"/co-ecriture/{work.pk}/archive/", {"archived": "1"})
    work.refresh_from_db()
    assert (work.title == "Récit renommé") is (role in CHANGERS)
    assert work.is_archived is (role in CHANGERS)
    if role == "visitor":
        assert response.status_code == archive.status_code == 302
        assert "/connexion/" in response["Location"]
    elif role not in CHANGERS:
        assert response.status_code == archive.status_code == _expected(role, 0)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_archives_and_brings_back_a_work_for_its_writers_only(
    client_as: Any, work: Any, role: str
) -> None:
    client = client_as(role)
    archived = client.post(f"/api/cowriting/works/{work.pk}/archive")
    assert archived.status_code == _expected(role, 200)
    if role in CHANGERS:
        assert archived.json()["archived"] is True
        back = client.post(f"/api/cowriting/works/{work.pk}/unarchive")
        assert back.status_code == 200 and back.json()["archived"] is False
    work.refresh_from_db()
    assert not work.is_archived


def test_making_a_work_public_tells_every_other_participant_once(
    work: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.work_update(work=work, actor=personas.org_admin, is_public=True)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        p.email for p in (personas.facilitator, personas.field_agent, personas.participant)
    )
    assert "publique" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="cowriting.work.visibility").count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.work_update(work=work, actor=personas.org_admin, title="Autre titre")
    assert mail.outbox == []  # a rename alone tells nobody


def test_the_settings_page_says_the_participants_are_told(client_as: Any, work: Any) -> None:
    response = client_as("facilitator").post(
        f"/co-ecriture/{work.pk}/reglages/",
        {
            "title": work.title,
            "vision": work.vision,
            "is_public": "on",
            "publication_rule": work.publication_rule,
            "objection_days": work.objection_days,
        },
        follow=True,
    )
    assert "Les autres participants sont prévenus" in response.content.decode()
    work.refresh_from_db()
    assert work.is_public


def test_an_empty_title_is_refused_and_nothing_changes(client_as: Any, work: Any) -> None:
    response = client_as("org_admin").patch(
        f"/api/cowriting/works/{work.pk}",
        {"title": "   ", "is_public": True},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "title" in response.json()["detail"]
    work.refresh_from_db()
    assert work.title == "Récit" and not work.is_public


def test_an_archived_work_is_read_only_even_for_its_writers(
    client_as: Any, work: Any, personas: Any
) -> None:
    services.work_update(work=work, actor=personas.org_admin, archived=True)
    assert connection_role(work_id=work.pk, user=personas.facilitator) == "reader"
    with pytest.raises(ValidationError), translation.override("en"):
        services.version_create(work=work, actor=personas.facilitator, name="V2")
    page = client_as("facilitator").get(work.get_absolute_url())
    assert page.context["editor_config"]["readOnly"] is True
    assert "archivée" in page.content.decode()
    listing = client_as("facilitator").get("/co-ecriture/")
    assert work not in listing.context["works"] and work in listing.context["archived"]
    services.work_update(work=work, actor=personas.org_admin, archived=False)
    assert connection_role(work_id=work.pk, user=personas.facilitator) == "writer"


def test_a_work_with_a_proposal_open_cannot_be_archived(work: Any, personas: Any) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    services.proposal_create(work=work, actor=personas.org_admin, version=version)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.work_update(work=work, actor=personas.org_admin, archived=True)
    assert "withdraw the proposal" in error.value.messages[0]
    work.refresh_from_db()
    assert not work.is_archived


def test_a_reader_cannot_change_a_work_and_unknown_fields_are_refused(
    work: Any, personas: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.work_update(work=work, actor=personas.participant, title="Volé")
    with pytest.raises(ValidationError):
        services.work_update(work=work, actor=personas.org_admin, organization=None)
