"""Reads on persons and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import Model, Q, QuerySet
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


def territories_where(person: Any, roles: tuple[str, ...]) -> QuerySet[Any]:
    """Return the territories where ``person`` holds one of ``roles``, and every place below.

    Platform admins get every territory. Forms offer these as where to create something.
    """
    # The territory model reached through the role's foreign key (people sits beside
    # territories in the layers and does not import it).
    related = TerritoryRole._meta.get_field("territory").related_model
    assert isinstance(related, type) and issubclass(related, Model)
    territories = related._default_manager

    if not getattr(person, "is_authenticated", False):
        return territories.none()
    if person.is_superuser:
        return territories.order_by("path")
    paths = TerritoryRole.objects.filter(active_q(), person=person, role__in=roles).values_list(
        "territory__path", flat=True
    )
    places = Q(pk__in=[])
    for path in paths:
        places |= Q(path__startswith=path)
    return territories.filter(places).order_by("path")


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


def _member_roles(territory: Any, roles: tuple[str, ...] | None) -> QuerySet[TerritoryRole]:
    """Return the active roles held on ``territory``, an ancestor of it or a place inside it."""
    qs = TerritoryRole.objects.filter(active_q()).filter(
        Q(territory_id__in=[territory.pk, *territory.ancestor_ids])
        | Q(territory__path__startswith=territory.path)
    )
    return qs.filter(role__in=roles) if roles else qs


def territory_members(territory: Any, roles: tuple[str, ...] | None = None) -> QuerySet[Person]:
    """Return the active persons who hold a role (one of ``roles``) in ``territory``."""
    return Person.objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        pk__in=_member_roles(territory, roles).values("person_id"),
    )


def territory_member_search(
    territory: Any, query: str, *, roles: tuple[str, ...] | None = None, limit: int = 20
) -> list[Person]:
    """Return up to ``limit`` members of ``territory`` whose name or email contains ``query``."""
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        territory_members(territory, roles)
        .filter(
            Q(display_name__icontains=query)
            | Q(pseudonym__icontains=query)
            | Q(email__icontains=query)
        )
        .order_by("display_name", "email")[:limit]
    )


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
