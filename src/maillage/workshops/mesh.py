"""What workshops give the cooperation mesh: each workshop's co-organizers and participants."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy

from maillage.analysis.graph.sources import Link, MeshSource, group_links, organization, person
from maillage.workshops.models import Registration, Workshop


def workshop_links() -> list[Link]:
    """Co-organizers of a workshop, and its participants with them (one group per workshop)."""
    workshops = dict(Workshop.objects.filter(is_cancelled=False).values_list("pk", "starts_at"))
    groups: dict[int, list[str]] = defaultdict(list)
    through = Workshop.organizers.through
    for workshop_id, org_id in through.objects.values_list("workshop_id", "organization_id"):
        groups[workshop_id].append(organization(org_id))
    for workshop_id, person_id in (
        Registration.objects.filter(status=Registration.Status.CONFIRMED, person__isnull=False)
        .exclude(attended=False)
        .values_list("workshop_id", "person_id")
    ):
        groups[workshop_id].append(person(person_id))
    links = []
    for workshop_id, group in sorted(groups.items()):
        if workshop_id in workshops:
            links += group_links(
                group,
                time=workshops[workshop_id],
                record=f"workshops.workshop:{workshop_id}",
                public=True,
            )
    return links


source = MeshSource(links=workshop_links, records={"workshops.workshop": gettext_lazy("workshop")})
