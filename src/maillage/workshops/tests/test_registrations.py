"""Registrations: with or without account, waiting list when full, one per email,
cancellation promoting the next, emails after commit, attendance on the day, permissions."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from maillage.workshops.models import Registration, Workshop
from maillage.workshops.services import (
    attendance_record,
    registration_cancel,
    registration_create,
    workshop_create,
    workshop_send_reminders,
)
from maillage.workshops.tests.conftest import register


def test_a_registration_on_a_full_workshop_goes_on_the_waiting_list(workshop):
    first = register(workshop, 4)
    assert [r.status for r in first] == ["confirmed"] * 3 + ["waiting"]


def test_the_page_tells_a_late_registrant_they_are_waiting_not_failing(client, workshop):
    register(workshop, 3)
    response = client.post(
        workshop.get_absolute_url(), {"name": "Léa", "email": "lea@example.org"}, follow=True
    )
    assert response.status_code == 200
    assert Registration.objects.get(email="lea@example.org").status == "waiting"
    assert "waiting list" in response.content.decode() or "attente" in response.content.decode()


def test_the_api_answers_201_waiting_on_a_full_workshop(client, workshop):
    register(workshop, 3)
    response = client.post(
        f"/api/workshops/{workshop.slug}/registrations",
        {"name": "Léa", "email": "lea@example.org"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "waiting"


def test_an_email_registers_once_per_workshop(workshop):
    registration_create(workshop=workshop, actor=AnonymousUser(), name="A", email="a@example.org")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        registration_create(
            workshop=workshop, actor=AnonymousUser(), name="A", email="A@Example.org"
        )
    assert "already registered" in error.value.message_dict["email"][0]


def test_an_account_registers_with_its_own_name_and_email(personas, workshop):
    registration = registration_create(workshop=workshop, actor=personas.participant)
    assert registration.person == personas.participant
    assert registration.email == "participant@example.org"


def test_the_confirmation_leaves_after_commit_with_the_calendar_event(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(workshop, 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["p0-x@example.org"]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name.endswith(".ics") and "BEGIN:VEVENT" in content


def test_a_cancellation_promotes_the_first_waiting_and_tells_them(
    personas, workshop, django_capture_on_commit_callbacks
):
    people = register(workshop, 5)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = registration_cancel(registration=people[0], actor=personas.org_admin)
    assert promoted == people[3]
    assert Registration.objects.get(pk=people[3].pk).status == "confirmed"
    assert Registration.objects.get(pk=people[4].pk).status == "waiting"
    assert mail.outbox[-1].to == [people[3].email]


def test_someone_else_cannot_cancel_a_registration(personas, workshop):
    people = register(workshop, 1)
    with pytest.raises(PermissionDenied):
        registration_cancel(registration=people[0], actor=personas.participant)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_capacity(personas):
    start = timezone.now() + dt.timedelta(days=3)
    workshop = workshop_create(
        actor=personas.org_admin,
        title="Course aux places",
        theme="t",
        method="m",
        territory=personas.commune,
        place="Salle",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=3,
        organizers=[personas.organization],
    )
    errors: list[BaseException] = []

    def go(i: int) -> None:
        try:
            registration_create(
                workshop=workshop, actor=AnonymousUser(), name=f"P{i}", email=f"c{i}@example.org"
            )
        except BaseException as error:  # noqa: BLE001  reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("confirmed") == 3
    assert statuses.count("waiting") == 5


def test_reminders_are_sent_once_to_the_confirmed(workshop, django_capture_on_commit_callbacks):
    register(workshop, 4)
    mail.outbox.clear()
    soon = workshop.starts_at - dt.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        assert workshop_send_reminders(now=soon) == 3
    assert len(mail.outbox) == 3
    assert workshop_send_reminders(now=soon) == 0
    assert workshop_send_reminders(now=workshop.starts_at - dt.timedelta(days=5)) == 0


def test_attendance_is_taken_on_the_day_by_the_organizers(personas, workshop):
    people = register(workshop, 3)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        attendance_record(workshop=workshop, actor=personas.org_admin, present_ids=[people[0].pk])
    assert "on the day" in error.value.messages[0]
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now()
    )
    workshop.refresh_from_db()
    attendance_record(workshop=workshop, actor=personas.org_admin, present_ids=[people[0].pk])
    assert dict(Registration.objects.values_list("pk", "attended")) == {
        people[0].pk: True,
        people[1].pk: False,
        people[2].pk: False,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("visitor", 302),
        ("participant", 403),
        ("field_agent", 403),
        ("org_admin", 200),
        ("facilitator", 200),
        ("territory_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_the_attendance_page_is_for_organizers_and_facilitators(client_as, workshop, role, status):
    assert client_as(role).get(f"/ateliers/{workshop.slug}/presences/").status_code == status


@pytest.mark.parametrize("role", ["participant", "field_agent", "facilitator"])
def test_only_members_of_an_organizer_create_a_workshop(personas, role):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        workshop_create(
            actor=personas.by_role(role),
            title="x",
            theme="t",
            method="m",
            territory=personas.commune,
            place="Salle",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            capacity=3,
            organizers=[personas.organization],
        )


def test_a_workshop_needs_a_place_or_a_video_link(personas):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        workshop_create(
            actor=personas.org_admin,
            title="x",
            theme="t",
            method="m",
            territory=personas.commune,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            capacity=3,
            organizers=[personas.organization],
        )
    assert "place" in error.value.message_dict


def test_a_registration_by_email_is_in_the_persons_data_export(personas, workshop):
    from maillage.people.services import person_export_data

    registration_create(
        workshop=workshop, actor=AnonymousUser(), name="P", email="participant@example.org"
    )
    data = person_export_data(person=personas.participant, actor=personas.participant)
    assert data["workshops"][0]["workshop"] == workshop.title
