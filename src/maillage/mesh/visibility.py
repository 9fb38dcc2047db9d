"""The derived graph as others may see it: filters, who is who, and the visibility rules.

Rules, applied in this order:

1. links derived from private records (a private work, circle or journey) are left out;
2. a person appears only if they opted in (``MeshConsent``); otherwise their links are folded
   into their main organization (a link between two members of the same organization then
   disappears: it is that organization's own work), or dropped if they belong to none;
3. ids are pseudonymous: ``person-<keyed hash>``, ``organization-<slug>``, ``territory-<slug>``;
   exports carry no person's name.

The graph is computed at each reading rather than stored: it is then always the records' and
the consents' current state (a withdrawn consent or an erased account leaves no trace), and
the derivation costs a fixed number of queries (see ``derivation``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from maillage.analysis.graph import CooperationGraph, Edge, EdgeKind, Node, NodeKind
from maillage.analysis.graph.sources import Link
from maillage.analysis.graph.sources import organization as organization_node
from maillage.core.periods import is_active
from maillage.mesh.derivation import derive_links
from maillage.mesh.models import MeshConsent
from maillage.organizations.selectors import OrganizationEntry, organization_directory
from maillage.people.selectors import person_ids_living_or_working_in, person_names
from maillage.territories.selectors import TerritoryEntry, territory_directory

# The sectors of organizations' kinds, in the analysis' vocabulary.
SECTOR_OF = {
    "public": "public_body",
    "business": "business",
    "academic": "academic",
    "association": "association",
    "citizens": "citizens",
}
PERIODS = ("year", "quarter", "month")


@dataclass(frozen=True)
class MeshFilters:
    """What the observatory is asked to show: edge kinds (none means all), a sector, a period.

    ``start`` and ``end`` are inclusive days; memberships count when they overlap them.
    """

    kinds: tuple[str, ...] = ()
    sector: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    period: str = "year"


@dataclass(frozen=True)
class NodeInfo:
    """A node as the public sees it."""

    id: str
    kind: str
    sector: str | None
    label: str
    territory: str | None
    url: str = ""


@dataclass
class Directory:
    """Who is who: persons, organizations and territories, and who consented."""

    persons: dict[int, tuple[str, bool]]
    organizations: dict[int, OrganizationEntry]
    territories: dict[int, TerritoryEntry]
    org_territories: dict[int, list[int]]
    main_organization: dict[int, int]
    person_territories: dict[int, set[int]] = field(default_factory=dict)


@dataclass
class Mesh:
    """A graph ready to measure, its links (same order as its edges) and its nodes.

    ``links`` and ``nodes`` use the internal ids (``person:<pk>``…); the graph and what leaves
    the server use the public ones (``NodeInfo.id``).
    """

    graph: CooperationGraph
    links: list[Link]
    nodes: dict[str, NodeInfo]
    folded_persons: int
    dropped_links: int


def pseudonym(pk: int) -> str:
    """Return a person's stable pseudonymous id (keyed with the secret key, not reversible)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"mesh-person:{pk}".encode(), hashlib.sha256)
    return f"person-{digest.hexdigest()[:12]}"


def consenting_person_ids() -> set[int]:
    """Return the persons who chose to appear in the mesh (erased accounts never do)."""
    return set(
        MeshConsent.objects.filter(visible=True, person__deleted_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def who_is_who(links: list[Link], consenting: set[int]) -> Directory:
    """Return who is who among the ends of ``links``, and each person's main organization."""
    person_ids = {
        int(end.split(":")[1])
        for link in links
        for end in (link.source, link.target)
        if end.startswith("person:")
    }
    persons = {
        pk: (name, pk in consenting and not erased)
        for pk, (name, erased) in person_names(person_ids).items()
    }
    organizations = organization_directory()
    territories = territory_directory()
    org_territories: dict[int, list[int]] = defaultdict(list)
    memberships: dict[int, list[tuple]] = defaultdict(list)
    for link in links:
        if link.kind != EdgeKind.BELONGING:
            continue
        if link.source.startswith("organization:"):
            org_territories[_pk(link.source)].append(_pk(link.target))
        else:
            active = is_active(link.until)
            # Active first, then the earliest joined, then the membership record's order.
            memberships[_pk(link.source)].append(
                (not active, link.time or _EPOCH, link.record, _pk(link.target))
            )
    main = {pk: min(rows)[3] for pk, rows in memberships.items()}
    for pks in org_territories.values():
        pks.sort()
    return Directory(persons, organizations, territories, org_territories, main)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _pk(node: str) -> int:
    return int(node.split(":", 1)[1])


def _visible_id(node: str, directory: Directory) -> str | None:
    """Return the node this one is shown as: itself, its organization, or None (dropped)."""
    if not node.startswith("person:"):
        return node
    pk = _pk(node)
    name_and_consent = directory.persons.get(pk)
    if name_and_consent and name_and_consent[1]:
        return node
    org = directory.main_organization.get(pk)
    return organization_node(org) if org is not None else None


def _node_info(node: str, directory: Directory) -> NodeInfo:
    kind, pk = node.split(":", 1)
    key = int(pk)
    if kind == "person":
        org = directory.main_organization.get(key)
        sector = directory.organizations[org][2] if org is not None else "citizens"
        territory = _org_territory(org, directory) if org is not None else None
        return NodeInfo(
            pseudonym(key),
            NodeKind.PERSON,
            SECTOR_OF.get(sector),
            directory.persons[key][0],
            territory,
        )
    if kind == "organization":
        name, slug, sector = directory.organizations[key]
        return NodeInfo(
            f"organization-{slug}",
            NodeKind.ORGANIZATION,
            SECTOR_OF.get(sector),
            name,
            _org_territory(key, directory),
            reverse("mesh:organization", args=[slug]),
        )
    name, slug, _ = directory.territories[key]
    return NodeInfo(
        f"territory-{slug}",
        NodeKind.TERRITORY,
        None,
        name,
        name,
        reverse("mesh:territory", args=[slug]),
    )


def _org_territory(org: int, directory: Directory) -> str | None:
    ids = directory.org_territories.get(org)
    return directory.territories[ids[0]][0] if ids else None


def in_window(link: Link, filters: MeshFilters) -> bool:
    """Return whether ``link`` falls in the filters' days (a membership: overlaps them)."""
    if filters.start is None and filters.end is None:
        return True
    if link.kind == EdgeKind.BELONGING:
        # A membership counts if it overlaps the window; a place of activity always.
        since = link.time.date() if link.time else None
        if filters.end is not None and since is not None and since > filters.end:
            return False
        return not (
            filters.start is not None and link.until is not None and link.until < filters.start
        )
    if link.time is None:
        return False
    day = timezone.localtime(link.time).date() if timezone.is_aware(link.time) else link.time.date()
    if filters.start is not None and day < filters.start:
        return False
    return filters.end is None or day <= filters.end


def mesh_build(
    *,
    filters: MeshFilters | None = None,
    territory: Any = None,
    organization: Any = None,
    derived: list[Link] | None = None,
) -> Mesh:
    """Return the public mesh of a territory (and below), of an organization, or of everything.

    A territory's mesh holds the links with at least one end active there (an organization of
    the territory, a person of such an organization or living or working there, the territory
    itself), so that its links with the outside show; an organization's holds the links of the
    organization and of its members as shown (persons without consent are the organization).
    """
    filters = filters or MeshFilters()
    derived = derive_links() if derived is None else derived
    links = [link for link in derived if link.public]
    directory = who_is_who(links, consenting_person_ids())

    folded = {pk for pk, (_, visible) in directory.persons.items() if not visible}
    shown: list[Link] = []
    dropped = 0
    for link in links:
        source = _visible_id(link.source, directory)
        target = _visible_id(link.target, directory)
        if source is None or target is None:
            dropped += 1
            continue
        if source == target:
            continue
        shown.append(dataclasses.replace(link, source=source, target=target))

    if territory is not None:
        shown = _scope_territory(shown, territory, directory)
    elif organization is not None:
        own = organization_node(organization.pk)
        shown = [link for link in shown if own in (link.source, link.target)]

    nodes_cache: dict[str, NodeInfo] = {}

    def info(node: str) -> NodeInfo:
        if node not in nodes_cache:
            nodes_cache[node] = _node_info(node, directory)
        return nodes_cache[node]

    kinds = set(filters.kinds)
    kept = []
    for link in shown:
        if kinds and str(link.kind) not in kinds:
            continue
        if not in_window(link, filters):
            continue
        if filters.sector and filters.sector not in (
            info(link.source).sector,
            info(link.target).sector,
        ):
            continue
        kept.append(link)
    if kinds != {str(EdgeKind.BELONGING)}:
        # Memberships and places of activity frame the activity: alone they are no cooperation.
        active = {
            end
            for link in kept
            if link.kind != EdgeKind.BELONGING
            for end in (link.source, link.target)
        }
        kept = [link for link in kept if link.kind != EdgeKind.BELONGING or link.source in active]
    used = sorted({end for link in kept for end in (link.source, link.target)})
    nodes = {node: info(node) for node in used}
    graph = CooperationGraph.from_records(
        [Node(n.id, n.kind, n.sector, n.territory, n.label) for n in nodes.values()],
        [
            Edge(
                nodes[link.source].id,
                nodes[link.target].id,
                link.kind,
                link.weight,
                link.time,
                link.record,
            )
            for link in kept
        ],
    )
    return Mesh(graph, kept, nodes, len(folded), dropped)


def _scope_territory(links: list[Link], territory: Any, directory: Directory) -> list[Link]:
    inside = {
        pk for pk, (_, _, path) in directory.territories.items() if path.startswith(territory.path)
    }
    orgs = {org for org, ids in directory.org_territories.items() if inside.intersection(ids)}
    persons = {pk for pk, org in directory.main_organization.items() if org in orgs}
    persons |= person_ids_living_or_working_in(inside)

    def within(node: str) -> bool:
        kind, pk = node.split(":", 1)
        key = int(pk)
        return key in {"person": persons, "organization": orgs, "territory": inside}[kind]

    return [link for link in links if within(link.source) or within(link.target)]
