"""Co-signature rules, immutability, open data, permissions and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.opendata import get_dataset
from maillage.cowriting import services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import ImmutableError, PublishedVersion, SharedWork
from maillage.cowriting.tests.conftest import Pen

pytestmark = pytest.mark.django_db


def test_publication_waits_for_every_writer_then_is_immutable(work: Any, personas: Any) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    assert not PublishedVersion.objects.exists()
    services.proposal_decide(
        proposal=proposal, actor=personas.facilitator, decision="objection", reason="Trop court"
    )
    assert not PublishedVersion.objects.exists()
    services.proposal_decide(proposal=proposal, actor=personas.facilitator, decision="consent")
    publication = PublishedVersion.objects.get()
    assert publication.text == "Nous avons marché. Et écouté."
    shares = {row["name"]: row for row in publication.shares}
    assert shares[personas.org_admin.public_name]["surviving"] == len("Nous avons marché. ")
    assert shares[personas.facilitator.public_name]["surviving"] == len("Et écouté.")
    assert {s["person_id"] for s in publication.signatories} == {
        personas.org_admin.pk,
        personas.facilitator.pk,
    }
    publication.text = "changed"
    with pytest.raises(ImmutableError):
        publication.save()
    with pytest.raises(ImmutableError):
        publication.delete()


def test_an_objection_needs_a_reason(work: Any, personas: Any) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    with pytest.raises(ValidationError):
        services.proposal_decide(
            proposal=proposal, actor=personas.facilitator, decision="objection"
        )


def test_deadline_rule_publishes_without_objection_only(work: Any, personas: Any) -> None:
    SharedWork.objects.filter(pk=work.pk).update(publication_rule="deadline", objection_days=3)
    work.refresh_from_db()
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    later = timezone.now() + dt.timedelta(days=4)
    assert services.proposal_settle(proposal=proposal, now=timezone.now()) is None
    assert services.proposal_settle(proposal=proposal, now=later) is not None

    second = services.version_create(work=work, actor=personas.org_admin, name="V2")
    blocked = services.proposal_create(work=work, actor=personas.org_admin, version=second)
    services.proposal_decide(
        proposal=blocked, actor=personas.facilitator, decision="objection", reason="Pas d'accord"
    )
    assert services.proposal_settle(proposal=blocked, now=later) is None


def test_only_writers_propose_and_cosign(work: Any, personas: Any) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    with pytest.raises(PermissionDenied):
        services.proposal_create(work=work, actor=personas.field_agent, version=version)
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    for person in (personas.field_agent, personas.participant, personas.territory_admin):
        with pytest.raises(PermissionDenied):
            services.proposal_decide(proposal=proposal, actor=person, decision="consent")
    with pytest.raises(ValidationError):  # one open proposal per work
        services.proposal_create(work=work, actor=personas.facilitator, version=version)


def test_only_writers_and_commenters_comment(work: Any, personas: Any) -> None:
    doc = services.doc_from_state(services.work_state(work_id=work.pk)[0])
    from pycrdt import Assoc, StickyIndex

    text = doc[TEXT_NAME]
    start = StickyIndex.new(text, 0, Assoc.AFTER).encode()
    end = StickyIndex.new(text, 4, Assoc.BEFORE).encode()
    comment = services.comment_create(
        work=work, actor=personas.field_agent, anchor_start=start, anchor_end=end, text="Qui ?"
    )
    assert comment.quote == "Nous"
    with pytest.raises(PermissionDenied):
        services.comment_create(
            work=work, actor=personas.participant, anchor_start=start, anchor_end=end, text="x"
        )
    with pytest.raises(ValidationError):
        services.comment_create(
            work=work, actor=personas.field_agent, anchor_start="%%%", anchor_end=end, text="x"
        )


def test_private_work_pages_are_hidden_from_outsiders(work: Any, client_as: Any) -> None:
    url = reverse("cowriting:detail", args=[work.pk])
    for role in ("visitor", "territory_admin", "field_agent"):
        expected = 200 if role == "field_agent" else 404
        assert client_as(role).get(url).status_code == expected, role
    assert client_as("platform_admin").get(url).status_code == 200
    for name in ("authors", "versions", "publication"):
        assert (
            client_as("visitor").get(reverse(f"cowriting:{name}", args=[work.pk])).status_code
            == 404
        )


def test_public_work_pages_render_for_a_visitor(work: Any, client_as: Any) -> None:
    SharedWork.objects.filter(pk=work.pk).update(is_public=True)
    client = client_as("visitor")
    page = client.get(reverse("cowriting:detail", args=[work.pk]))
    assert page.status_code == 200 and "Nous avons marché." in page.content.decode()
    authors = client.get(reverse("cowriting:authors", args=[work.pk])).content.decode()
    row = authors.split(f'<th scope="row">{work.created_by.public_name}</th>')[1].split("</tr>")[0]
    assert "<td>19</td><td>19</td><td>0</td>" in row  # surviving, inserted, deleted


def test_versions_page_shows_a_readable_diff(work: Any, personas: Any, client_as: Any) -> None:
    first = services.version_create(work=work, actor=personas.org_admin, name="Premier jet")
    Pen_ = Pen(work)
    Pen_.doc.apply_update(services.work_state(work_id=work.pk)[0])
    Pen_.write(personas.org_admin, lambda t: t.insert(len(t), "\nNouvelle ligne."))
    second = services.version_create(work=work, actor=personas.org_admin, name="Second jet")
    page = client_as("org_admin").get(
        reverse("cowriting:versions", args=[work.pk]), {"a": first.pk, "b": second.pk}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert '<li class="diff-added"><ins>' in html and "Nouvelle ligne." in html


def test_writer_names_a_version_and_a_reader_cannot(work: Any, client_as: Any) -> None:
    url = reverse("cowriting:versions", args=[work.pk])
    assert client_as("org_admin").post(url, {"name": "Étape"}).status_code == 302
    assert work.versions.filter(name="Étape").exists()
    assert client_as("participant").post(url, {"name": "Non"}).status_code == 403


def test_publication_flow_through_the_pages_and_exports(
    work: Any, personas: Any, client_as: Any
) -> None:
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    url = reverse("cowriting:publication", args=[work.pk])
    client = client_as("org_admin")
    assert client.post(url, {"action": "propose", "version": version.pk}).status_code == 302
    client = client_as("facilitator")
    assert client.post(url, {"action": "decide", "decision": "consent"}).status_code == 302
    publication = PublishedVersion.objects.get()
    visitor = client_as("visitor")
    assert visitor.get(publication.get_absolute_url()).status_code == 200
    markdown = visitor.get(reverse("cowriting:published_markdown", args=[publication.pk]))
    assert markdown["Content-Type"].startswith("text/markdown")
    assert "Nous avons marché." in markdown.content.decode()
    html = visitor.get(reverse("cowriting:published_html", args=[publication.pk])).content.decode()
    assert "<p>Nous avons marché. Et écouté.</p>" in html


def test_open_data_names_only_public_profiles(work: Any, personas: Any) -> None:
    personas.facilitator.public_profile = True
    personas.facilitator.save(update_fields=["public_profile"])
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    proposal = services.proposal_create(work=work, actor=personas.org_admin, version=version)
    services.proposal_decide(proposal=proposal, actor=personas.facilitator, decision="consent")
    rows = list(get_dataset("cowriting-publications").iter_rows())
    assert len(rows) == 1 and rows[0]["markdown"] == "Nous avons marché. Et écouté."
    names = {entry["coauthor"] for entry in rows[0]["authorship"]}
    assert personas.facilitator.public_name in names
    assert personas.org_admin.public_name not in names
    assert "orgadmin@example.org" not in str(rows)


def test_list_page_queries_do_not_grow_with_works(
    personas: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(15):
        services.work_create(
            actor=personas.org_admin,
            title=f"Œuvre {i}",
            organization=personas.organization,
            is_public=True,
        )
    client = client_as("org_admin")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cowriting:index")).status_code == 200


def test_a_proposal_emails_each_other_coauthor_alone_once_the_proposal_is_saved(
    work: Any, personas: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.participant_invite(
        work=work, actor=personas.org_admin, person=personas.territory_admin, role="writer"
    )
    version = services.version_create(work=work, actor=personas.org_admin, name="V1")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.proposal_create(work=work, actor=personas.org_admin, version=version)
        assert not mailoutbox  # nothing leaves before the commit
    assert callbacks
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted([personas.facilitator.email, personas.territory_admin.email])
    assert all(len(message.to) == 1 and not message.cc for message in mailoutbox)
    assert personas.org_admin.email not in recipients  # the proposer is not told


def test_invitation_records_who_invited_and_emails_the_person(
    work: Any,
    personas: Any,
    client_as: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_as("facilitator")  # a writer invites: the snowball
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cowriting:invite", args=[work.pk]),
            {"email": personas.territory_admin.email, "role": "commenter"},
        )
    assert response.status_code == 302
    participant = work.participants.get(person=personas.territory_admin)
    assert participant.invited_by == personas.facilitator and participant.role == "commenter"
    assert mailoutbox and personas.territory_admin.email in mailoutbox[-1].to
    reader = client_as("participant")
    reader.post(reverse("cowriting:invite", args=[work.pk]), {"email": "x@y.z", "role": "writer"})
    assert not work.participants.filter(person__email="x@y.z").exists()


def test_the_platform_admin_cannot_invite_into_a_private_work_he_is_not_part_of(work, personas):
    from django.core.exceptions import PermissionDenied

    from maillage.people.models import Person

    outsider = Person.objects.create_user("dehors@example.org", "x", display_name="Dehors")
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=personas.platform_admin, person=outsider, role="writer"
        )
    with pytest.raises(PermissionDenied):
        services.participant_invite(
            work=work, actor=personas.platform_admin, person=personas.platform_admin, role="writer"
        )
    assert not work.participants.filter(person__in=[outsider, personas.platform_admin]).exists()
    assert personas.platform_admin.has_perm("cowriting.view_work", work), "he still reads it"
