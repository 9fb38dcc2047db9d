"""Reads of the mesh: the derived graph as others may see it, its measures, one's own place.

Visibility rules, applied in this order:

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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from maillage.analysis.graph import (
    CooperationGraph,
    Edge,
    EdgeKind,
    GraphAnalysis,
    Node,
    NodeKind,
    Snowball,
    analyze,
    snowball,
)
from maillage.mesh import derivation
from maillage.mesh.derivation import Link
from maillage.mesh.models import MeshConsent

# The sectors of organizations' kinds, in the analysis' vocabulary.
SECTOR_OF = {
    "public": "public_body",
    "business": "business",
    "academic": "academic",
    "association": "association",
    "citizens": "citizens",
}
PERIODS = ("year", "quarter", "month")
# The network canvas draws at most this many nodes (the heaviest); tables and files hold all.
CANVAS_NODES = 300
CANVAS_EDGES = 1500


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
    organizations: dict[int, tuple[str, str, str]]
    territories: dict[int, tuple[str, str, str]]
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


def consent_of(person: Any) -> bool:
    """Return whether ``person`` appears in the mesh by name."""
    return MeshConsent.objects.filter(person=person, visible=True).exists()


def _directory(links: list[Link], consenting: set[int]) -> Directory:
    from maillage.organizations.models import Organization
    from maillage.people.models import Person
    from maillage.territories.models import Territory

    person_ids = {
        int(end.split(":")[1])
        for link in links
        for end in (link.source, link.target)
        if end.startswith("person:")
    }
    persons = {
        pk: (pseudonym_ or name, pk in consenting and deleted_at is None)
        for pk, name, pseudonym_, deleted_at in Person.objects.filter(
            pk__in=person_ids
        ).values_list("pk", "display_name", "pseudonym", "deleted_at")
    }
    organizations = {
        pk: (name, slug, Organization.SECTOR_OF_KIND.get(kind, ""))
        for pk, name, slug, kind in Organization.objects.values_list("pk", "name", "slug", "kind")
    }
    territories = {
        pk: (name, slug, path)
        for pk, name, slug, path in Territory.objects.values_list("pk", "name", "slug", "path")
    }
    org_territories: dict[int, list[int]] = defaultdict(list)
    memberships: dict[int, list[tuple]] = defaultdict(list)
    for link in links:
        if link.kind != EdgeKind.BELONGING:
            continue
        if link.source.startswith("organization:"):
            org_territories[_pk(link.source)].append(_pk(link.target))
        else:
            active = link.until is None or link.until >= timezone.localdate()
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
    return derivation.organization(org) if org is not None else None


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


def _in_window(link: Link, filters: MeshFilters) -> bool:
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
    derived = derivation.derive_links() if derived is None else derived
    links = [link for link in derived if link.public]
    directory = _directory(links, consenting_person_ids())

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
        own = derivation.organization(organization.pk)
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
        if not _in_window(link, filters):
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
    from maillage.people.models import Person

    inside = {
        pk for pk, (_, _, path) in directory.territories.items() if path.startswith(territory.path)
    }
    orgs = {org for org, ids in directory.org_territories.items() if inside.intersection(ids)}
    persons = {pk for pk, org in directory.main_organization.items() if org in orgs}
    for through in (Person.residence_territories.through, Person.work_territories.through):
        persons |= set(
            through.objects.filter(territory_id__in=inside).values_list("person_id", flat=True)
        )

    def within(node: str) -> bool:
        kind, pk = node.split(":", 1)
        key = int(pk)
        return key in {"person": persons, "organization": orgs, "territory": inside}[kind]

    return [link for link in links if within(link.source) or within(link.target)]


# ---------------------------------------------------------------- measures and presentation


@dataclass
class Observatory:
    """Everything an observatory page shows."""

    mesh: Mesh
    analysis: GraphAnalysis
    campaign_snowballs: list[tuple[str, Snowball]]
    labels: dict[str, str]


def observatory(
    *, filters: MeshFilters, territory: Any = None, organization: Any = None
) -> Observatory:
    """Return the mesh of a territory or an organization with all its measures."""
    derived = derivation.derive_links()
    mesh = mesh_build(
        filters=filters, territory=territory, organization=organization, derived=derived
    )
    events = []
    snowballs: list[tuple[str, Snowball]] = []
    if territory is not None:
        sites = [
            pk for pk, (_, _, path) in _territory_paths().items() if path.startswith(territory.path)
        ]
        events = [
            e
            for e in derivation.participation_events(site_ids=sites)
            if _event_in_window(e.time, filters)
        ]
        snowballs = _campaign_snowballs(derived, territory, filters)
    result = analyze(mesh.graph, events=events, period=filters.period, pivots=256)
    return Observatory(mesh, result, snowballs, _labels(mesh, events))


def _territory_paths() -> dict[int, tuple[str, str, str]]:
    from maillage.territories.models import Territory

    return {
        pk: (name, slug, path)
        for pk, name, slug, path in Territory.objects.values_list("pk", "name", "slug", "path")
    }


def _event_in_window(time: Any, filters: MeshFilters) -> bool:
    moment = derivation.as_datetime(time)
    if moment is None:
        return False
    day = timezone.localtime(moment).date()
    return (filters.start is None or day >= filters.start) and (
        filters.end is None or day <= filters.end
    )


def _campaign_snowballs(
    derived: list[Link], territory: Any, filters: MeshFilters
) -> list[tuple[str, Snowball]]:
    """Return the invitation trees of each campaign of the territory (works attached to it).

    Only counts leave this function, so every invited person counts, with consent or not:
    folding persons into organizations would cut the trees.
    """
    if not apps.is_installed("maillage.consultations"):
        return []
    from maillage.consultations.models import Campaign

    per_campaign: dict[int, list[Link]] = defaultdict(list)
    for link in derived:
        if (
            link.public
            and link.kind == EdgeKind.INVITATION
            and link.context.startswith("consultations.campaign:")
            and _in_window(link, filters)
        ):
            per_campaign[_pk(link.context)].append(link)
    titles = dict(
        Campaign.objects.filter(
            pk__in=per_campaign, territory__path__startswith=territory.path
        ).values_list("pk", "title")
    )
    result = []
    for pk, links in sorted(per_campaign.items()):
        if pk not in titles:
            continue
        ends = sorted({end for link in links for end in (link.source, link.target)})
        graph = CooperationGraph.from_records(
            [Node(end, NodeKind.PERSON) for end in ends],
            [Edge(link.source, link.target, link.kind, link.weight, link.time) for link in links],
        )
        result.append((titles[pk], snowball(graph, period=filters.period)))
    return result


def _labels(mesh: Mesh, events: Iterable[Any]) -> dict[str, str]:
    """Return display names of node ids, sites and campaigns of the participation events."""
    labels = {node.id: node.label for node in mesh.nodes.values()}
    territories = _territory_paths()
    campaign_ids = {int(e.campaign) for e in events if e.campaign}
    if campaign_ids and apps.is_installed("maillage.consultations"):
        from maillage.consultations.models import Campaign

        for pk, title in Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "title"):
            labels[f"campaign:{pk}"] = title
    for event in events:
        labels[f"site:{event.site}"] = territories.get(int(event.site), ("?",))[0]
    return labels


def network_payload(mesh: Mesh) -> dict[str, list]:
    """Return the heaviest nodes and their links for the network canvas."""
    degree: Counter[str] = Counter()
    for link in mesh.links:
        degree[link.source] += link.weight
        degree[link.target] += link.weight
    top = [node for node, _ in degree.most_common(CANVAS_NODES)]
    keep = set(top)
    pairs: dict[tuple[str, str, str], float] = defaultdict(float)
    for link in mesh.links:
        if link.source in keep and link.target in keep:
            pairs[(link.source, link.target, str(link.kind))] += link.weight
    infos = {raw: mesh.nodes[raw] for raw in top}
    edges = sorted(pairs.items(), key=lambda item: -item[1])[:CANVAS_EDGES]
    return {
        "nodes": [
            {
                "id": infos[raw].id,
                "label": infos[raw].label,
                "kind": str(infos[raw].kind),
                "sector": infos[raw].sector or "",
                "weight": round(degree[raw], 3),
            }
            for raw in top
        ],
        "edges": [
            {"source": infos[s].id, "target": infos[t].id, "kind": k, "weight": round(w, 3)}
            for (s, t, k), w in edges
        ],
    }


def node_table(mesh: Mesh) -> list[dict[str, Any]]:
    """Return every node with its links counted per kind, heaviest first (the canvas' text)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    weight: Counter[str] = Counter()
    for link in mesh.links:
        for end in (link.source, link.target):
            counts[end][str(link.kind)] += 1
            weight[end] += link.weight
    rows = [
        {
            "node": mesh.nodes[raw],
            "counts": dict(counts[raw]),
            "weight": round(weight[raw], 2),
            "links": sum(counts[raw].values()),
        }
        for raw in mesh.nodes
    ]
    rows.sort(key=lambda row: (-row["weight"], row["node"].label))
    return rows


def strongest_links(mesh: Mesh, limit: int = 50) -> list[dict[str, Any]]:
    """Return the heaviest pairs per kind (parallel links summed), for the table of links."""
    pairs: dict[tuple[str, str, str], list] = {}
    for link in mesh.links:
        key = (link.source, link.target, str(link.kind))
        row = pairs.setdefault(key, [0.0, 0, None])
        row[0] += link.weight
        row[1] += 1
        if link.time is not None and (row[2] is None or link.time > row[2]):
            row[2] = link.time
    ranked = sorted(pairs.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [
        {
            "source": mesh.nodes[s],
            "target": mesh.nodes[t],
            "kind": k,
            "weight": round(w, 2),
            "records": n,
            "last": last,
        }
        for (s, t, k), (w, n, last) in ranked
    ]


def export_graph(mesh: Mesh) -> CooperationGraph:
    """Return the graph to publish: persons keep only their pseudonymous id, never a name."""
    graph = mesh.graph
    labels = graph.node_label.copy() if graph.node_label is not None else None
    if labels is not None:
        labels[graph.node_kind == list(NodeKind).index(NodeKind.PERSON)] = ""
    return dataclasses.replace(graph, node_label=labels, _cache={})


@dataclass(frozen=True)
class OwnLink:
    """One of a person's links as they see it."""

    kind: str
    outgoing: bool
    other: str
    other_kind: str
    weight: float
    time: dt.datetime | None
    record_type: str
    private: bool


RECORD_TYPES = {
    "cowriting.sharedwork": gettext_lazy("shared work"),
    "cowriting.participant": gettext_lazy("invitation to a shared work"),
    "decisions.decision": gettext_lazy("decision"),
    "decisions.facilitationturn": gettext_lazy("facilitation"),
    "decisions.circlemember": gettext_lazy("circle membership"),
    "workshops.workshop": gettext_lazy("workshop"),
    "pooling.exchange": gettext_lazy("exchange"),
    "journeys.journey": gettext_lazy("journey"),
    "organizations.membership": gettext_lazy("membership"),
    "organizations.organization": gettext_lazy("place of activity"),
}


def place_of(person: Any) -> list[OwnLink]:
    """Return ``person``'s own links, public or private; the others as the public sees them.

    Another person is named only if they opted in; otherwise they show as a member of their
    organization, or as "a person".
    """
    from django.utils.translation import gettext as _

    me = derivation.person(person.pk)
    derived = derivation.derive_links()
    links = [link for link in derived if me in (link.source, link.target)]
    directory = _directory(derived, consenting_person_ids())
    rows = []
    for link in links:
        other = link.target if link.source == me else link.source
        kind, pk = other.split(":", 1)
        key = int(pk)
        if kind == "person":
            name, visible = directory.persons.get(key, ("", False))
            org = directory.main_organization.get(key)
            if visible:
                label = name
            elif org is not None:
                label = _("a member of %(organization)s") % {
                    "organization": directory.organizations[org][0]
                }
            else:
                label = _("a person")
        elif kind == "organization":
            label = directory.organizations[key][0]
        else:
            label = directory.territories[key][0]
        rows.append(
            OwnLink(
                kind=str(link.kind),
                outgoing=link.source == me,
                other=label,
                other_kind=kind,
                weight=round(link.weight, 3),
                time=link.time,
                record_type=str(RECORD_TYPES.get(link.record.split(":")[0], "")),
                private=not link.public,
            )
        )
    rows.sort(key=lambda row: (row.time is None, -(row.time.timestamp() if row.time else 0)))
    return rows


def territory_section(territory: Any, ids: list[int]) -> dict | None:
    """Return the territory page's section: a way into its cooperation mesh."""
    return {
        "title": "mesh",
        "template": "mesh/territory_section.html",
        "context": {"url": reverse("mesh:territory", args=[territory.slug])},
    }


def consent_export_for_person(person: Any) -> dict[str, Any]:
    """Return the person's mesh consent, for their data export."""
    consent = MeshConsent.objects.filter(person=person).values("visible", "updated_at").first()
    return consent or {"visible": False}
