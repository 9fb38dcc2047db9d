"""Reads on territories; ancestors and descendants cost one query whatever the depth."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from maillage.people.selectors import person_territory_roles
from maillage.territories.models import Territory


def territory_ancestors(territory: Territory) -> QuerySet[Territory]:
    """Return the ancestors of ``territory``, widest first (one query)."""
    return Territory.objects.filter(pk__in=territory.ancestor_ids).order_by("depth")


def territory_descendants(territory: Territory, *, kind: str | None = None) -> QuerySet[Territory]:
    """Return every territory below ``territory`` (one query), optionally of one kind."""
    qs = Territory.objects.filter(path__startswith=territory.path).exclude(pk=territory.pk)
    return qs.filter(kind=kind) if kind else qs


def territory_with_descendant_ids(territory: Territory) -> list[int]:
    """Return the ids of ``territory`` and all its descendants."""
    return list(
        Territory.objects.filter(path__startswith=territory.path).values_list("pk", flat=True)
    )


def territory_roots() -> QuerySet[Territory]:
    """Return the top-level territories."""
    return Territory.objects.filter(parent__isnull=True).order_by("name")


def territory_oldest_record_date() -> date | None:
    """Return the day the first territory was recorded (None when there is none)."""
    first = Territory.objects.aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(first) if first else None


def territory_get(slug: str) -> Territory:
    """Return the territory with ``slug`` (raise Territory.DoesNotExist)."""
    return Territory.objects.select_related("parent").get(slug=slug)


class TerritoryEntry(NamedTuple):
    name: str
    slug: str
    path: str


def territory_directory() -> dict[int, TerritoryEntry]:
    """Return every territory's name, slug and path, by id (one query)."""
    return {
        pk: TerritoryEntry(name, slug, path)
        for pk, name, slug, path in Territory.objects.values_list("pk", "name", "slug", "path")
    }


def territories_administered_by(person: Any) -> QuerySet[Territory]:
    """Return the territories ``person`` administers and every place inside them (all of them
    for a platform admin)."""
    if not getattr(person, "is_authenticated", False):
        return Territory.objects.none()
    if person.is_superuser:
        return Territory.objects.all()
    paths = list(
        person_territory_roles(person)
        .filter(role="admin")
        .values_list("territory__path", flat=True)
    )
    if not paths:
        return Territory.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return Territory.objects.filter(where)
