"""Co-writing takeover (issue 21, hole 2): who changes roles, the frozen co-author list, the
days to object."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.cowriting import services
from maillage.cowriting.models import Participant, PublishedVersion, SharedWork
from maillage.people.models import Person

pytestmark = pytest.mark.django_db


def _role(work: SharedWork, person: Any) -> str | None:
    return (
        Participant.objects.filter(work=work, person=person).values_list("role", flat=True).first()
    )


@pytest.fixture
def second_writer(work: SharedWork, personas: Any) -> Any:
    """A writer invited by the facilitator (a writer, not a steward)."""
    person = Person.objects.create_user("second@example.org", "x", display_name="Second")
    services.participant_invite(work=work, actor=personas.facilitator, person=person, role="writer")
    return person


def test_a_writer_cannot_lower_another_writer_to_reader(
    work: SharedWork, personas: Any, second_writer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=second_writer, person=personas.facilitator, role="reader"
        )
    assert _role(work, personas.facilitator) == "writer"


def test_a_writer_cannot_promote_a_reader(work: SharedWork, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=personas.facilitator, person=personas.participant, role="writer"
        )
    assert _role(work, personas.participant) == "reader"


@pytest.mark.parametrize("role", ["commenter", "reader", "territory_admin"])
def test_other_roles_cannot_change_a_writer_s_role(
    work: SharedWork, personas: Any, role: str
) -> None:
    actor = {
        "commenter": personas.field_agent,
        "reader": personas.participant,
        "territory_admin": personas.territory_admin,
    }[role]
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=actor, person=personas.facilitator, role="reader"
        )
    assert _role(work, personas.facilitator) == "writer"


def test_the_organization_admin_changes_a_writer_s_role(
    work: SharedWork, personas: Any, second_writer: Any
) -> None:
    services.participant_invite(
        work=work, actor=personas.org_admin, person=second_writer, role="reader"
    )
    assert _role(work, second_writer) == "reader"


def test_the_person_who_started_a_work_changes_roles(personas: Any) -> None:
    work = services.work_create(
        actor=personas.facilitator,
        title="Carnet",
        attached_to=personas.commune,
    )
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.field_agent, role="writer"
    )
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.field_agent, role="commenter"
    )
    assert _role(work, personas.field_agent) == "commenter"
    # Once lowered, the person who started it is no steward any more.
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.participant, role="writer"
    )
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.facilitator, role="reader"
    )
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=personas.facilitator, person=personas.participant, role="reader"
        )


def test_a_writer_may_step_down_but_not_step_up(work: SharedWork, personas: Any) -> None:
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.facilitator, role="commenter"
    )
    assert _role(work, personas.facilitator) == "commenter"
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=personas.field_agent, person=personas.field_agent, role="writer"
        )


def test_a_writer_still_invites_newcomers(work: SharedWork, personas: Any) -> None:
    services.participant_invite(
        work=work, actor=personas.facilitator, person=personas.territory_admin, role="writer"
    )
    assert _role(work, personas.territory_admin) == "writer"


def test_the_takeover_of_the_issue_no_longer_publishes_alone(
    work: SharedWork, personas: Any, second_writer: Any
) -> None:
    """Lower the others, name a version, propose it: it must not publish at once."""
    for other in (personas.org_admin, personas.facilitator):
        with pytest.raises(PermissionDenied):
            services.participant_invite(work=work, actor=second_writer, person=other, role="reader")
    version = services.version_create(work=work, actor=second_writer, name="Coup")
    services.proposal_create(work=work, actor=second_writer, version=version)
    assert not PublishedVersion.objects.exists()


def test_the_co_authors_are_frozen_while_a_proposal_is_open(
    work: SharedWork, personas: Any
) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    with pytest.raises(ValidationError, match="retirez d.abord la proposition"):
        services.participant_invite(
            work=work, actor=personas.org_admin, person=personas.facilitator, role="reader"
        )
    with pytest.raises(ValidationError, match="retirez d.abord la proposition"):
        services.participant_invite(
            work=work, actor=personas.org_admin, person=personas.participant, role="writer"
        )
    with pytest.raises(ValidationError, match="retirez d.abord la proposition"):
        services.participant_invite(
            work=work, actor=personas.org_admin, person=personas.territory_admin, role="writer"
        )
    with pytest.raises(ValidationError, match="retirez d.abord la proposition"):
        services.participant_invite(
            work=work, actor=personas.facilitator, person=personas.facilitator, role="reader"
        )
    # Readers and commenters are no co-authors: they may still join or change.
    services.participant_invite(
        work=work, actor=personas.org_admin, person=personas.participant, role="commenter"
    )
    assert _role(work, personas.participant) == "commenter"
    assert [p.pk for p in services.coauthors(work)] == sorted(
        [personas.org_admin.pk, personas.facilitator.pk]
    )
    services.proposal_withdraw(proposal=proposal, actor=personas.org_admin)
    services.participant_invite(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="reader"
    )
    assert _role(work, personas.facilitator) == "reader"


def test_a_writer_s_invitation_page_shows_why_a_role_change_is_refused(
    work: SharedWork, personas: Any, client_as: Any
) -> None:
    client = client_as("facilitator")
    response = client.post(
        reverse("cowriting:invite", args=[work.pk]),
        {"email": personas.org_admin.email, "role": "reader"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert "ne peut être changé que par la personne qui a lancé" in response.content.decode()
    assert _role(work, personas.org_admin) == "writer"


def test_a_deadline_rule_needs_at_least_one_day_to_object(personas: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.work_create(
            actor=personas.org_admin,
            title="Vite fait",
            organization=personas.organization,
            publication_rule="deadline",
            objection_days=0,
        )
    assert refused.value.message_dict["objection_days"] == [
        "Les coauteurs et coautrices ont besoin d'au moins un jour pour objecter."
    ]
    assert not SharedWork.objects.exists()


def test_a_work_cannot_be_changed_to_zero_days_to_object(work: SharedWork, personas: Any) -> None:
    with pytest.raises(ValidationError):
        services.work_update(
            work=work, actor=personas.org_admin, publication_rule="deadline", objection_days=0
        )
    work.refresh_from_db()
    assert work.objection_days == 7


def test_the_database_refuses_zero_days_to_object(work: SharedWork) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SharedWork.objects.filter(pk=work.pk).update(objection_days=0)


def test_the_new_work_form_says_in_french_that_one_day_is_needed(
    personas: Any, client_as: Any
) -> None:
    client = client_as("org_admin")
    response = client.post(
        reverse("cowriting:new"),
        {
            "title": "Vite fait",
            "organization": personas.organization.pk,
            "publication_rule": "deadline",
            "objection_days": "0",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422  # a refused form comes back 422, as on every page
    assert "au moins un jour pour objecter" in response.content.decode()
    assert not SharedWork.objects.exists()
