"""Erasing an account leaves nothing that names the person anywhere in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from maillage.people.models import Person
from maillage.people.services import person_delete

pytestmark = pytest.mark.django_db
NAME = "Zéphyrine Quastbergh"
PSEUDONYM = "Zephyquast"
EMAIL = "zephyrine.quastbergh@example.org"
NEEDLES = [NAME.lower(), PSEUDONYM.lower(), EMAIL, "quastbergh"]


def _hits() -> list[str]:
    """Return ``table.column`` of every stored value that contains a needle, on any backend."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "ignore")
                    text = str(value).lower() if value is not None else ""
                    if any(needle in text for needle in NEEDLES):
                        found.append(f"{table}.{column}")
    return found


def _campaign(personas: Any) -> Any:
    from maillage.consultations.services import campaign_create
    from maillage.consultations.tests.conftest import QUESTIONS

    return campaign_create(
        actor=personas.facilitator,
        title="Comment vous sentir ici",
        territory=personas.commune,
        open_question="Comment avez-vous envie de vous sentir ici ?",
        closed_questions=QUESTIONS,
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 6, 30),
        sites=[personas.site],
        team=[personas.field_agent],
        facilitator=personas.facilitator,
        status="open",
    )


def _person_with_data_in_every_app(personas: Any) -> Person:
    from maillage.consultations.services import contribution_sync_batch
    from maillage.consultations.tests.conftest import make_record
    from maillage.cowriting import services as cowriting
    from maillage.cowriting.models import PublicationProposal, PublishedVersion, Version
    from maillage.journeys.services import self_observation
    from maillage.mesh.services import consent_set
    from maillage.organizations.models import Membership
    from maillage.people.models import TerritoryRole
    from maillage.workshops.services import registration_create, workshop_create

    # Words left in the field with her address, before she had an account.
    campaign = _campaign(personas)
    records = [
        make_record(campaign, personas.site, contact_email=EMAIL),
        make_record(campaign, personas.site, contact_email=EMAIL.upper(), consent=False),
    ]
    contribution_sync_batch(actor=personas.field_agent, records=records)

    person = Person.objects.create_user(
        EMAIL, "x-long-password-42", display_name=NAME, pseudonym=PSEUDONYM, bio=f"Je suis {NAME}."
    )
    person.residence_territories.add(personas.commune)
    TerritoryRole.objects.create(person=person, territory=personas.commune, role="field_agent")
    Membership.objects.create(
        person=person, organization=personas.organization, role="member", title="Trésorière"
    )
    LogEntry.objects.log_actions(
        user_id=personas.platform_admin.pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message=f"Changed {NAME}",
        single_object=True,
    )

    start = timezone.now() + dt.timedelta(days=1)
    workshop = workshop_create(
        actor=personas.org_admin,
        title="Atelier",
        theme="Rue",
        method="World café",
        territory=personas.commune,
        place="Fabrique",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=10,
        organizers=[personas.organization],
    )
    registration_create(workshop=workshop, actor=person, name=NAME, email=EMAIL)

    work = cowriting.work_create(
        actor=personas.org_admin, title="Récit", organization=personas.organization, vision="V"
    )
    cowriting.participant_invite(work=work, actor=personas.org_admin, person=person, role="writer")
    version = Version.objects.create(
        work=work, name="V1", through_sequence=0, state=b"", text="Texte.", created_by=person
    )
    proposal = PublicationProposal.objects.create(
        work=work, version=version, proposed_by=person, status="published"
    )
    PublishedVersion.objects.create(
        work=work,
        proposal=proposal,
        title="Récit",
        text="Texte.",
        shares=[{"person_id": person.pk, "name": PSEUDONYM, "share": 1.0}],
        signatories=[{"person_id": person.pk, "name": PSEUDONYM, "decision": "consent"}],
    )

    questionnaire = self_observation.questionnaire_ensure_default()
    round_ = self_observation.round_create(
        actor=personas.org_admin,
        questionnaire=questionnaire,
        title="Printemps",
        opens_on=timezone.localdate(),
        organization=personas.organization,
    )
    answers = {q.key: questionnaire.scale_low for q in questionnaire.questions.all()}
    self_observation.response_submit(round_=round_, actor=person, answers=answers)

    consent_set(actor=person, person=person, visible=True)
    return person


def test_an_erased_person_is_found_nowhere_in_the_database(personas, settings) -> None:
    person = _person_with_data_in_every_app(personas)
    assert set(_hits()) >= {"people_person.email", "workshops_registration.email"}
    assert any(h.startswith("consultations_contribution") for h in _hits())
    assert ContentType.objects.get_for_model(Person)  # the admin log points at her row

    person_delete(person=person, actor=person)

    assert _hits() == []


def test_an_erased_person_gets_no_reminder_nor_follow_up(
    personas, django_capture_on_commit_callbacks
) -> None:
    from maillage.workshops.services import workshop_send_reminders

    person = _person_with_data_in_every_app(personas)
    person_delete(person=person, actor=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workshop_send_reminders(now=timezone.now() + dt.timedelta(minutes=1))
    assert all(EMAIL not in message.to for message in mail.outbox)
    from maillage.consultations.models import Contribution

    assert not Contribution.objects.filter(contact_email__iexact=EMAIL).exists()
