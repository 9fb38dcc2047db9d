"""Reads on organizations and memberships (no N+1: lists prefetch what they show)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, TypedDict

from django.db.models import Count, Q, QuerySet

from maillage.core.periods import active_q
from maillage.organizations.models import INSTITUTION_KINDS, Membership, Organization

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class MemberCount(TypedDict):
        member_count: int


def organization_list(
    *, kind: str | None = None, territory_ids: list[int] | None = None, search: str = ""
) -> QuerySet[Organization]:
    """Return organizations with their active member counts, filtered."""
    qs = Organization.objects.annotate(
        member_count=Count("memberships", filter=active_q("memberships__"), distinct=True)
    )
    if kind:
        qs = qs.filter(kind=kind)
        if kind in INSTITUTION_KINDS:
            # A claim awaiting approval does not list as the institution it claims to be.
            qs = qs.filter(kind_approved_at__isnull=False)
    if territory_ids is not None:
        qs = qs.filter(territories__in=territory_ids).distinct()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(mission__icontains=search))
    return qs.order_by("name")


def organization_get(slug: str) -> Organization:
    """Return one organization with its territories."""
    return Organization.objects.prefetch_related("territories").get(slug=slug)


def organization_get_with_member_count(slug: str) -> WithAnnotations[Organization, MemberCount]:
    """Return one organization with its territories and ``member_count`` (active members)."""
    return (
        Organization.objects.prefetch_related("territories")
        .annotate(
            member_count=Count("memberships", filter=active_q("memberships__"), distinct=True)
        )
        .get(slug=slug)
    )


def organization_public_members(organization: Organization) -> QuerySet[Membership]:
    """Return active memberships of persons with a public profile."""
    return (
        organization.memberships.filter(active_q())
        .filter(person__public_profile=True, person__deleted_at__isnull=True)
        .select_related("person")
        .order_by("person__display_name")
    )


def organization_member_count(organization: Organization) -> int:
    """Return the number of active members, public or not."""
    return organization.memberships.filter(active_q()).count()


def person_public_memberships(person) -> QuerySet[Membership]:
    """Return a person's memberships (history included) with organizations."""
    return person.memberships.select_related("organization").order_by("-since")


class OrganizationEntry(NamedTuple):
    name: str
    slug: str
    sector: str


def organization_directory() -> dict[int, OrganizationEntry]:
    """Return every organization's name, slug and sector, by id (one query)."""
    return {
        pk: OrganizationEntry(name, slug, Organization.SECTOR_OF_KIND[Organization.Kind(kind)])
        for pk, name, slug, kind in Organization.objects.values_list("pk", "name", "slug", "kind")
    }


def organizations_awaiting_approval(territory_ids: list[int]) -> QuerySet[Organization]:
    """Return organizations active on these territories whose institutional kind waits."""
    return (
        Organization.objects.filter(
            kind__in=INSTITUTION_KINDS,
            kind_approved_at__isnull=True,
            territories__in=territory_ids,
        )
        .distinct()
        .order_by("name")
    )


def organization_active_memberships(organization: Organization) -> QuerySet[Membership]:
    """Return every active membership with its person, for the organization's admins."""
    return (
        organization.memberships.filter(active_q())
        .select_related("person")
        .order_by("role", "person__display_name")
    )
