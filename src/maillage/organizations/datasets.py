"""Open data: organizations and memberships (no personal data of non-public persons)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.organizations.models import Membership, Organization

SECTORS = ("public", "business", "academic", "association", "citizens")


def _organization_rows() -> Iterator[dict[str, Any]]:
    through = Organization.territories.through
    qs = Organization.objects.order_by("id").values(
        "id", "slug", "name", "kind", "mission", "is_mission_company", "website"
    )
    batch: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        ids = [row["id"] for row in batch]
        territories: dict[int, list[str]] = {}
        for org_id, slug in through.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "territory__slug"
        ):
            territories.setdefault(org_id, []).append(slug)
        for row in batch:
            row["sector"] = Organization.SECTOR_OF_KIND[Organization.Kind(row["kind"])]
            row["territories"] = ";".join(sorted(territories.get(row["id"], [])))
            yield row

    for row in qs.iterator(chunk_size=1000):
        batch.append(dict(row))  # a plain dict: the export adds columns to it
        if len(batch) == 1000:
            yield from flush()
            batch = []
    yield from flush()


def _membership_rows() -> Iterator[dict[str, Any]]:
    qs = Membership.objects.order_by("id").values(
        "id",
        "organization__slug",
        "role",
        "since",
        "until",
        "person__public_profile",
        "person__deleted_at",
        "person__pseudonym",
        "person__display_name",
    )
    for row in qs.iterator(chunk_size=2000):
        public = row["person__public_profile"] and row["person__deleted_at"] is None
        yield {
            "id": row["id"],
            "organization": row["organization__slug"],
            "person_public_name": (
                (row["person__pseudonym"] or row["person__display_name"]) if public else None
            ),
            "role": row["role"],
            "since": row["since"],
            "until": row["until"],
        }


DATASETS = (
    Dataset(
        name="organizations",
        title=_("Organizations"),
        description=_(
            "Organizations of the territory: kind, sector, mission statement, whether they are an "
            "'entreprise à mission', and the territories where they are active."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("slug", "string", _("Stable short name"), required=True),
            Field("name", "string", _("Name"), required=True),
            Field("kind", "string", _("Kind"), required=True, enum=tuple(Organization.Kind.values)),
            Field("sector", "string", _("Sector"), required=True, enum=SECTORS),
            Field("mission", "string", _("Mission statement (raison d'être)")),
            Field("is_mission_company", "boolean", _("Entreprise à mission")),
            Field("website", "string", _("Website")),
            Field(
                "territories", "string", _("Slugs of the territories where active, ';'-separated")
            ),
        ),
        rows=_organization_rows,
        pseudonymization=_("Organizations only; no data about persons."),
        keywords=("organisation", "association", "entreprise", "collectivité"),
    ),
    Dataset(
        name="memberships",
        title=_("Memberships"),
        description=_(
            "Who belongs to which organization, since when and until when. A person's name appears "
            "only when that person chose a public profile; otherwise the row keeps only the role "
            "and dates."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("organization", "string", _("Organization slug"), required=True),
            Field("person_public_name", "string", _("Public name, only for public profiles")),
            Field("role", "string", _("Role"), required=True, enum=tuple(Membership.Role.values)),
            Field("since", "date", _("Start date"), required=True),
            Field("until", "date", _("End date (empty while active)")),
        ),
        rows=_membership_rows,
        pseudonymization=_(
            "Names only for persons with a public profile; no email, no identifier of persons."
        ),
        keywords=("adhésion", "organisation"),
    ),
)
