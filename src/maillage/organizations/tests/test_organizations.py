"""Organizations and memberships: permissions per role, history, public pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.models import AuditEntry
from maillage.organizations.models import Membership
from maillage.organizations.services import membership_add, membership_end, organization_update

pytestmark = pytest.mark.django_db

ROLES_THAT_MAY_EDIT = {"org_admin", "platform_admin"}


@pytest.mark.parametrize(
    "role",
    ["participant", "field_agent", "facilitator", "org_admin", "territory_admin", "platform_admin"],
)
def test_only_organization_and_platform_admins_edit_an_organization(personas, role) -> None:
    actor = personas.by_role(role)
    if role in ROLES_THAT_MAY_EDIT:
        organization_update(
            organization=personas.organization, actor=actor, mission="Nouvelle mission"
        )
        personas.organization.refresh_from_db()
        assert personas.organization.mission == "Nouvelle mission"
        assert AuditEntry.objects.filter(action="organization.update", actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            organization_update(organization=personas.organization, actor=actor, mission="Non")


def test_description_html_is_sanitized_on_write(personas) -> None:
    organization_update(
        organization=personas.organization,
        actor=personas.org_admin,
        description='<p>Bonjour<script>alert(1)</script><img src=x onerror="alert(2)"></p>',
    )
    personas.organization.refresh_from_db()
    assert "script" not in personas.organization.description
    assert "onerror" not in personas.organization.description


def test_a_person_has_one_active_membership_per_organization_and_history_is_kept(personas) -> None:
    membership = membership_add(
        organization=personas.organization, person=personas.participant, actor=personas.org_admin
    )
    with pytest.raises(ValidationError, match="already an active member|déjà membre"):
        membership_add(
            organization=personas.organization,
            person=personas.participant,
            actor=personas.org_admin,
        )
    membership_end(membership=membership, actor=personas.participant)
    again = membership_add(
        organization=personas.organization, person=personas.participant, actor=personas.org_admin
    )
    history = Membership.objects.filter(
        person=personas.participant, organization=personas.organization
    )
    assert history.count() == 2
    assert again.until is None


def test_a_participant_cannot_add_members(personas) -> None:
    with pytest.raises(PermissionDenied):
        membership_add(
            organization=personas.organization,
            person=personas.facilitator,
            actor=personas.participant,
        )


def test_public_page_names_only_members_with_a_public_profile(client, personas) -> None:
    personas.participant.public_profile = True
    personas.participant.save()
    membership_add(
        organization=personas.organization, person=personas.participant, actor=personas.org_admin
    )
    page = client.get(personas.organization.get_absolute_url()).content.decode()
    assert personas.participant.display_name in page
    assert personas.org_admin.display_name not in page  # member, but no public profile


def test_the_public_page_leads_to_the_organization_s_place_in_the_mesh(client, personas) -> None:
    page = client.get(personas.organization.get_absolute_url()).content.decode()
    mesh_url = f"/maillage/organisations/{personas.organization.slug}/"
    assert f'href="{mesh_url}"' in page
    assert client.get(mesh_url).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 302), ("participant", 403), ("org_admin", 200)]
)
def test_the_edit_page_is_checked_per_role(client_as, personas, role, status) -> None:
    response = client_as(role).get(f"/organisations/{personas.organization.slug}/modifier/")
    assert (
        response.status_code == (403 if role == "visitor" else status)
        or response.status_code == status
    )


def test_organization_list_issues_a_constant_number_of_queries(
    client, personas, django_assert_max_num_queries
) -> None:
    from maillage.organizations.services import organization_create

    for i in range(30):
        organization_create(name=f"Asso {i}", kind="association", territories=[personas.commune])
    with django_assert_max_num_queries(8):
        response = client.get("/organisations/")
    assert response.status_code == 200


def test_a_description_saved_outside_the_service_is_still_shown_sanitized(client, personas):
    from maillage.organizations.models import Organization

    Organization.objects.filter(pk=personas.organization.pk).update(
        description='<p>Bonjour</p><script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">lien</a>'
    )
    page = client.get(personas.organization.get_absolute_url()).content.decode()
    assert "<p>Bonjour</p>" in page
    assert "alert(1)" not in page and "onerror" not in page and "javascript:" not in page
