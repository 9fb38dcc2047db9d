"""Reads on persons and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from maillage.core.periods import active_q
from maillage.people.models import Person, TerritoryRole


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


def territories_where(person: Any, roles: tuple[str, ...]) -> QuerySet[Any]:
    """Return the territories where ``person`` holds one of ``roles``, and every place below.

    Platform admins get every territory. Forms offer these as where to create something.
    """
    # The territory model reached through the role's foreign key (people sits beside
    # territories in the layers and does not import it).
    Territory = TerritoryRole._meta.get_field("territory").related_model

    if not getattr(person, "is_authenticated", False):
        return Territory.objects.none()
    if person.is_superuser:
        return Territory.objects.order_by("path")
    paths = TerritoryRole.objects.filter(active_q(), person=person, role__in=roles).values_list(
        "territory__path", flat=True
    )
    places = Q(pk__in=[])
    for path in paths:
        places |= Q(path__startswith=path)
    return Territory.objects.filter(places).order_by("path")


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
