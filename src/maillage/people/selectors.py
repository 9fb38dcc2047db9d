"""Reads on persons and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.people.models import ApiToken, Person, StaffInvitation, TerritoryRole


def person_has_territory_role(person: Any, territory: Any, roles: tuple[str, ...]) -> bool:
    """Return whether ``person`` holds one of ``roles`` on ``territory`` or an ancestor."""
    if territory is None or not getattr(person, "is_authenticated", False):
        return False
    territory_ids = [territory.pk, *territory.ancestor_ids]
    return (
        TerritoryRole.objects.filter(person=person, role__in=roles, territory_id__in=territory_ids)
        .filter(active_q())
        .exists()
    )


def person_territory_roles(person: Person) -> QuerySet[TerritoryRole]:
    """Return the active roles of ``person`` with their territories."""
    return (
        TerritoryRole.objects.filter(person=person)
        .filter(active_q())
        .select_related("territory")
        .order_by("territory__path", "role")
    )


def person_public_list() -> QuerySet[Person]:
    """Return the persons who chose a public profile."""
    return Person.objects.filter(public_profile=True, is_active=True, deleted_at__isnull=True)


class PersonName(NamedTuple):
    name: str  # the pseudonym when there is one, else the display name
    erased: bool


def person_names(pks: Iterable[int]) -> dict[int, PersonName]:
    """Return the names of the persons ``pks`` (one query); an erased account has none."""
    return {
        pk: PersonName(pseudonym or name, deleted_at is not None)
        for pk, name, pseudonym, deleted_at in Person.objects.filter(pk__in=pks).values_list(
            "pk", "display_name", "pseudonym", "deleted_at"
        )
    }


def person_ids_living_or_working_in(territory_ids: Iterable[int]) -> set[int]:
    """Return the persons who said they live or work in one of ``territory_ids``."""
    ids = list(territory_ids)
    found: set[int] = set()
    for through in (Person.residence_territories.through, Person.work_territories.through):
        found |= set(
            through.objects.filter(territory_id__in=ids).values_list("person_id", flat=True)
        )
    return found


def person_api_tokens(person: Person) -> QuerySet[ApiToken]:
    """Return the person's tokens still in use (neither revoked nor expired), newest first."""
    return person.api_tokens.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def territory_team(territory: Any) -> QuerySet[TerritoryRole]:
    """Return who holds which active role on ``territory`` (itself, not its ancestors)."""
    return (
        TerritoryRole.objects.filter(territory=territory)
        .filter(active_q())
        .select_related("person")
        .order_by("role", "person__display_name")
    )


def territory_pending_invitations(territory: Any) -> QuerySet[StaffInvitation]:
    """Return the invitations to ``territory`` neither accepted nor expired."""
    return StaffInvitation.objects.filter(
        territory=territory, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")
