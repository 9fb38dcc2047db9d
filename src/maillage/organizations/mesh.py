"""What organizations give the cooperation mesh: who belongs where, and where each one acts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from maillage.analysis.graph import EdgeKind
from maillage.analysis.graph.sources import Link, MeshSource, as_datetime, organization, person
from maillage.analysis.graph.sources import territory as territory_node
from maillage.organizations.models import Membership, Organization


def belonging_links() -> list[Link]:
    """Memberships person → organization (with their period) and organization → territory."""
    links = [
        Link(
            person(person_id),
            organization(org_id),
            EdgeKind.BELONGING,
            1.0,
            as_datetime(since),
            f"organizations.membership:{pk}",
            until=until,
        )
        for pk, person_id, org_id, since, until in Membership.objects.values_list(
            "pk", "person_id", "organization_id", "since", "until"
        )
    ]
    through = Organization.territories.through
    links += [
        Link(
            organization(org_id),
            territory_node(territory_id),
            EdgeKind.BELONGING,
            1.0,
            None,
            f"organizations.organization:{org_id}",
        )
        for org_id, territory_id in through.objects.values_list("organization_id", "territory_id")
    ]
    return links


source = MeshSource(
    links=belonging_links,
    records={
        "organizations.membership": gettext_lazy("membership"),
        "organizations.organization": gettext_lazy("place of activity"),
    },
)
