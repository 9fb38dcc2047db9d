"""Generated records of the mesh's sources, written straight to the tables they come from."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from maillage.organizations.models import Membership, Organization
from maillage.people.models import Person

_counter = itertools.count(1)


def person(name: str | None = None, **extra: Any) -> Person:
    n = next(_counter)
    return Person.objects.create_user(
        f"mesh{n}@example.org", "x", display_name=name or f"Mesh Person {n}", **extra
    )


def organization(kind: str, territory: Any, name: str | None = None) -> Organization:
    n = next(_counter)
    org = Organization.objects.create(name=name or f"Org {n}", slug=f"org-{n}", kind=kind)
    org.territories.add(territory)
    return org


def member(who: Person, org: Organization, since: dt.date | None = None) -> Membership:
    return Membership.objects.create(
        person=who, organization=org, since=since or dt.date(2024, 1, 1)
    )


def consent(who: Person, visible: bool = True) -> None:
    from maillage.mesh.models import MeshConsent

    MeshConsent.objects.update_or_create(person=who, defaults={"visible": visible})


def shared_work(org: Organization, *, public: bool = True, attached_to: Any = None) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from maillage.cowriting.models import SharedWork

    if attached_to is not None:
        return SharedWork.objects.create(
            title="Carnet",
            attached_type=ContentType.objects.get_for_model(attached_to),
            attached_id=attached_to.pk,
            is_public=public,
        )
    return SharedWork.objects.create(title="Œuvre", organization=org, is_public=public)


def pen(work: Any, author: Person, updates: int) -> None:
    """Store ``updates`` co-writing updates by ``author``."""
    from maillage.cowriting.models import Update

    for _ in range(updates):
        work.last_sequence += 1
        Update.objects.create(work=work, sequence=work.last_sequence, author=author, data=b"x")
    work.save(update_fields=["last_sequence"])


def publish(work: Any, shares: dict[Person, float], by: Person) -> Any:
    from maillage.cowriting.models import PublicationProposal, PublishedVersion, Version

    version = Version.objects.create(
        work=work, name="v1", through_sequence=0, state=b"", text="t", created_by=by
    )
    proposal = PublicationProposal.objects.create(work=work, version=version, proposed_by=by)
    return PublishedVersion.objects.create(
        work=work,
        proposal=proposal,
        title=work.title,
        text="t",
        shares=[{"person_id": p.pk, "name": p.display_name, "share": s} for p, s in shares.items()],
    )


def circle(territory: Any, *, public: bool = True, slug: str | None = None) -> Any:
    from maillage.decisions.models import Circle

    n = next(_counter)
    return Circle.objects.create(
        name=f"Cercle {n}",
        slug=slug or f"cercle-{n}",
        kind="project_team",
        territory=territory,
        is_public=public,
    )


def decided_together(
    the_circle: Any, members: list[Person], when: dt.datetime | None = None
) -> Any:
    """Return an adopted decision whose consent round every member answered."""
    from maillage.decisions.models import Answer, Decision, DecisionVersion, Round

    when = when or timezone.make_aware(dt.datetime(2025, 3, 1, 18))
    decision = Decision.objects.create(
        circle=the_circle,
        title="Décision",
        state="adopted",
        adopted_at=when,
        review_date=when.date() + dt.timedelta(days=365),
    )
    version = DecisionVersion.objects.create(decision=decision, number=1, text="t")
    round_ = Round.objects.create(
        decision=decision, number=1, kind="consent", mode="live", version=version
    )
    for position, who in enumerate(members):
        Answer.objects.create(round=round_, member=who, kind="consent", position=position)
    return decision


def campaign(territory: Any, *, sites: list[Any], starts_on: dt.date, status: str = "open") -> Any:
    from maillage.consultations.models import Campaign

    n = next(_counter)
    made = Campaign.objects.create(
        title=f"Campagne {n}",
        slug=f"campagne-{n}",
        territory=territory,
        open_question="?",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=60),
        status=status,
    )
    made.sites.set(sites)
    return made
