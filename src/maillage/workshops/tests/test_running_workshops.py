"""Organizers run their workshop in the pages and the API: create (with a confirmation), edit,
cancel (registrants told, calendars see it), never cancel one that took place; the video link
is only for confirmed registrants and organizers. Each write checked per role and anonymous."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from maillage.conftest import ROLES
from maillage.core.models import AuditEntry
from maillage.workshops.models import Workshop
from maillage.workshops.services import workshop_update
from maillage.workshops.tests.conftest import register

# Who may run the personas' workshop: its organization's member, the commune's facilitator and
# admin, the platform admin.
RUNNERS = {"org_admin", "facilitator", "territory_admin", "platform_admin"}


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _edit_data(workshop: Workshop, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": workshop.title,
        "theme": workshop.theme,
        "method": workshop.method,
        "description": workshop.description,
        "place": workshop.place,
        "video_url": workshop.video_url,
        "starts_at": _local(workshop.starts_at),
        "ends_at": _local(workshop.ends_at),
        "capacity": workshop.capacity,
    }
    data.update(changes)
    return data


def test_the_creation_form_preselects_the_only_organization_and_names_it_an_organization(
    client_as, personas
):
    response = client_as("org_admin").get("/ateliers/nouveau/")
    form = response.context["form"]
    assert form.initial["organizers"] == [personas.organization.pk]
    page = response.content.decode()
    assert "Organisations qui organisent" in page
    assert "Personnes qui organisent" not in page


def test_an_organizer_sees_a_confirmation_after_creating_a_workshop(client_as, personas):
    start = timezone.now() + dt.timedelta(days=5)
    response = client_as("org_admin").post(
        "/ateliers/nouveau/",
        {
            "title": "Atelier vélo",
            "theme": "Mobilité",
            "method": "Réparation collective",
            "territory": personas.commune.pk,
            "place": "Garage solidaire",
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=2)),
            "capacity": 8,
            "organizers": [personas.organization.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == Workshop.objects.get().get_absolute_url()
    assert "atelier est créé" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_people_who_run_a_workshop_may_edit_it(client_as, workshop, role):
    client = client_as(role)
    response = client.post(
        f"/ateliers/{workshop.slug}/modifier/", _edit_data(workshop, place="Salle des fêtes")
    )
    workshop.refresh_from_db()
    if role in RUNNERS:
        assert response.status_code == 302
        assert workshop.place == "Salle des fêtes"
        assert workshop.sequence == 1
    else:
        assert response.status_code in (302, 403) and workshop.place != "Salle des fêtes"
        if role != "visitor":
            assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_the_people_who_run_a_workshop_may_cancel_it(client_as, workshop, role):
    response = client_as(role).post(f"/ateliers/{workshop.slug}/annuler/")
    workshop.refresh_from_db()
    assert workshop.is_cancelled is (role in RUNNERS)
    if role not in RUNNERS:
        assert response.status_code == (302 if role == "visitor" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lets_only_the_people_who_run_a_workshop_edit_and_cancel_it(
    client_as, workshop, role
):
    client = client_as(role)
    patched = client.patch(
        f"/api/workshops/{workshop.slug}", {"capacity": 12}, content_type="application/json"
    )
    cancelled = client.post(f"/api/workshops/{workshop.slug}/cancel")
    workshop.refresh_from_db()
    if role in RUNNERS:
        assert patched.status_code == 200 and patched.json()["capacity"] == 12
        assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    else:
        expected = 401 if role == "visitor" else 403
        assert (patched.status_code, cancelled.status_code) == (expected, expected)
        assert workshop.capacity == 3 and not workshop.is_cancelled


def test_the_api_creates_a_workshop_for_an_organization_of_the_caller(client_as, personas):
    start = timezone.now() + dt.timedelta(days=3)
    payload = {
        "title": "Fresque du climat",
        "theme": "Climat",
        "method": "Fresque",
        "territory": personas.commune.slug,
        "organizers": [personas.organization.slug],
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
        "capacity": 15,
        "video_url": "https://visio.example.org/fresque",
    }
    outsider = client_as("participant").post(
        "/api/workshops", payload, content_type="application/json"
    )
    assert outsider.status_code == 403
    response = client_as("org_admin").post(
        "/api/workshops", payload, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["video_url"] == "https://visio.example.org/fresque"
    unknown = client_as("org_admin").post(
        "/api/workshops", {**payload, "organizers": ["nobody"]}, content_type="application/json"
    )
    assert unknown.status_code == 404


def test_a_bad_edit_is_refused_field_by_field_and_nothing_changes(client_as, workshop):
    response = client_as("org_admin").post(
        f"/ateliers/{workshop.slug}/modifier/",
        _edit_data(workshop, place="", video_url="", ends_at=_local(workshop.starts_at)),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "ends_at" in errors
    assert "place" in errors
    workshop.refresh_from_db()
    assert workshop.place and workshop.sequence == 0


def test_cancelling_tells_every_registrant_once_with_the_cancelled_calendar_event(
    workshop, personas, django_capture_on_commit_callbacks
):
    register(workshop, 4)  # three confirmed, one waiting
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workshop_update(workshop=workshop, actor=personas.org_admin, is_cancelled=True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        workshop.registrations.values_list("email", flat=True)
    )
    attachment = mail.outbox[0].attachments[0]
    assert "STATUS:CANCELLED" in attachment[1]
    assert AuditEntry.objects.filter(action="workshops.workshop.cancel").count() == 1


def test_the_calendar_feed_carries_the_cancellation(client_as, workshop):
    client_as("org_admin").post(f"/ateliers/{workshop.slug}/annuler/")
    feed = client_as("visitor").get(f"/ateliers/{workshop.slug}.ics").content.decode()
    assert "STATUS:CANCELLED" in feed
    assert "SEQUENCE:1" in feed


def test_a_workshop_that_took_place_cannot_be_cancelled(workshop, personas, client_as):
    past = timezone.now() - dt.timedelta(days=2)
    workshop_update(
        workshop=workshop,
        actor=personas.org_admin,
        starts_at=past,
        ends_at=past + dt.timedelta(hours=2),
    )
    with pytest.raises(ValidationError) as error, translation.override("en"):
        workshop_update(workshop=workshop, actor=personas.org_admin, is_cancelled=True)
    assert "already taken place" in error.value.messages[0]
    page = client_as("org_admin").post(f"/ateliers/{workshop.slug}/annuler/", follow=True)
    assert "a déjà eu lieu" in page.content.decode()
    api = client_as("org_admin").post(
        f"/api/workshops/{workshop.slug}/cancel", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert api.status_code == 422
    workshop.refresh_from_db()
    assert not workshop.is_cancelled


def test_the_service_refuses_fields_an_organizer_cannot_change(workshop, personas):
    with pytest.raises(ValidationError):
        workshop_update(workshop=workshop, actor=personas.org_admin, slug="autre")
    with pytest.raises(PermissionDenied):
        workshop_update(workshop=workshop, actor=personas.participant, capacity=50)


def test_the_video_link_is_only_for_confirmed_registrants_and_organizers(
    client_as, workshop, personas
):
    from maillage.workshops.services import registration_create

    workshop_update(
        workshop=workshop, actor=personas.org_admin, video_url="https://visio.example.org/rue"
    )
    link = "https://visio.example.org/rue"
    assert link not in client_as("visitor").get(workshop.get_absolute_url()).content.decode()
    assert link not in client_as("participant").get(workshop.get_absolute_url()).content.decode()
    api = client_as("participant").get(f"/api/workshops/{workshop.slug}").json()
    assert api["video_url"] == ""
    registration_create(workshop=workshop, actor=personas.participant)
    assert link in client_as("participant").get(workshop.get_absolute_url()).content.decode()
    assert (
        client_as("participant").get(f"/api/workshops/{workshop.slug}").json()["video_url"] == link
    )
    assert link in client_as("org_admin").get(workshop.get_absolute_url()).content.decode()
    listed = client_as("visitor").get("/api/workshops").json()["items"]
    assert [w["video_url"] for w in listed] == [""]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_people_who_run_a_workshop_duplicate_it_for_a_series(client_as, workshop, role):
    later = workshop.starts_at + dt.timedelta(days=7)
    client = client_as(role)
    page = client.post(f"/ateliers/{workshop.slug}/dupliquer/", {"copy-starts_at": _local(later)})
    api = client.post(
        f"/api/workshops/{workshop.slug}/duplicate",
        {"starts_at": (later + dt.timedelta(days=7)).isoformat()},
        content_type="application/json",
    )
    copies = Workshop.objects.exclude(pk=workshop.pk).order_by("starts_at")
    if role in ("org_admin", "platform_admin"):  # members of the organizers (or the admin)
        assert page.status_code == 302 and api.status_code == 201
        assert [c.ends_at - c.starts_at for c in copies] == [
            workshop.ends_at - workshop.starts_at
        ] * 2
        assert all(c.title == workshop.title and c.registrations.count() == 0 for c in copies)
        assert list(copies[0].organizers.all()) == [workshop.organizers.get()]
    else:
        assert not copies.exists()
        assert api.status_code == (401 if role == "visitor" else 403)
        assert page.status_code == (302 if role == "visitor" else 403)
        shown = client.get(workshop.get_absolute_url()).content.decode()
        assert "/dupliquer/" not in shown


def test_a_copy_in_the_past_is_refused_clearly(client_as, workshop):
    response = client_as("org_admin").post(
        f"/api/workshops/{workshop.slug}/duplicate",
        {"starts_at": "2020-01-01T10:00:00+01:00"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "past" in response.json()["detail"]["starts_at"][0]
