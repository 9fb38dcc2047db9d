"""The people who run a workshop are chosen by name among the organizing organizations' members
(ticked in the form, ids in the API), shown on its page, kept by a copy; nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.workshops.models import Workshop
from maillage.workshops.services import workshop_create, workshop_duplicate, workshop_update


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def colleague(personas):
    from maillage.organizations.models import Membership
    from maillage.people.models import Person

    person = Person.objects.create_user(
        "colleague@example.org", "correct horse battery staple", display_name="Inès Médiatrice"
    )
    Membership.objects.create(person=person, organization=personas.organization)
    return person


def _create_data(personas, **changes):
    start = timezone.now() + dt.timedelta(days=5)
    data = {
        "title": "Atelier vélo",
        "theme": "Mobilité",
        "method": "Réparation collective",
        "territory": personas.commune.pk,
        "place": "Garage solidaire",
        "starts_at": _local(start),
        "ends_at": _local(start + dt.timedelta(hours=2)),
        "capacity": 8,
        "organizers": [personas.organization.pk],
    }
    data.update(changes)
    return data


def test_the_creation_form_offers_the_members_by_name_and_ticks_the_person_creating(
    client_as, personas, colleague
):
    response = client_as("org_admin").get("/ateliers/nouveau/")
    form = response.context["form"]
    assert form.initial["hosts"] == [personas.org_admin.pk]
    assert set(form.fields["hosts"].queryset) == {personas.org_admin, colleague}
    page = response.content.decode()
    assert "Personnes qui l&#x27;animent" in page
    assert f"Inès Médiatrice ({personas.organization.name})" in page
    # Nobody outside the organization is offered.
    assert personas.participant.public_name not in page


def test_a_workshop_created_in_the_page_names_the_people_who_run_it(client_as, personas, colleague):
    response = client_as("org_admin").post(
        "/ateliers/nouveau/",
        _create_data(personas, hosts=[personas.org_admin.pk, colleague.pk]),
        follow=True,
    )
    assert response.status_code == 200
    workshop = Workshop.objects.get()
    assert set(workshop.hosts.all()) == {personas.org_admin, colleague}
    page = response.content.decode()
    assert "Animé par" in page and "Inès Médiatrice" in page


def test_a_person_outside_the_organizations_cannot_be_named_to_run_it(
    client_as, personas, colleague
):
    page = client_as("org_admin").post(
        "/ateliers/nouveau/", _create_data(personas, hosts=[personas.participant.pk])
    )
    assert page.status_code == 422
    assert page.context["form"].errors["hosts"]
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        workshop_create(
            actor=personas.org_admin,
            title="Fresque",
            theme="Climat",
            method="Fresque",
            territory=personas.commune,
            place="Salle",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=5,
            organizers=[personas.organization],
            hosts=[colleague, personas.participant],
        )
    assert personas.participant.public_name in str(error.value.message_dict["hosts"])
    assert not Workshop.objects.exists()


def test_the_edit_page_and_the_api_change_who_runs_it_and_a_copy_keeps_them(
    client_as, personas, colleague, workshop
):
    client = client_as("org_admin")
    page = client.get(f"/ateliers/{workshop.slug}/modifier/")
    assert page.context["form"].initial["hosts"] == []
    data = {
        **{k: v for k, v in page.context["form"].initial.items() if v is not None},
        "starts_at": _local(workshop.starts_at),
        "ends_at": _local(workshop.ends_at),
        "hosts": [colleague.pk],
    }
    response = client.post(f"/ateliers/{workshop.slug}/modifier/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(workshop.hosts.all()) == [colleague]

    api = client.patch(
        f"/api/workshops/{workshop.slug}",
        {"hosts": [personas.org_admin.pk, colleague.pk]},
        content_type="application/json",
    )
    assert api.status_code == 200
    assert api.json()["hosts"] == sorted([personas.org_admin.public_name, "Inès Médiatrice"])
    refused = client.patch(
        f"/api/workshops/{workshop.slug}",
        {"hosts": [personas.participant.pk]},
        content_type="application/json",
    )
    assert refused.status_code in (400, 422)
    assert set(workshop.hosts.all()) == {personas.org_admin, colleague}

    copy = workshop_duplicate(
        workshop=workshop,
        actor=personas.org_admin,
        starts_at=workshop.starts_at + dt.timedelta(days=7),
    )
    assert set(copy.hosts.all()) == {personas.org_admin, colleague}
    with pytest.raises(ValidationError):
        workshop_update(workshop=workshop, actor=personas.org_admin, hosts=[personas.participant])
