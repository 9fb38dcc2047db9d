"""The measures of a mesh: the observatory of a territory or an organization."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from maillage.analysis.graph import (
    CooperationGraph,
    Edge,
    EdgeKind,
    GraphAnalysis,
    LoopEvent,
    Node,
    NodeKind,
    Snowball,
    analyze,
    snowball,
)
from maillage.analysis.graph.sources import Link, as_datetime
from maillage.mesh import derivation
from maillage.mesh.visibility import Mesh, MeshFilters, in_window, mesh_build
from maillage.territories.selectors import territory_directory


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
    territories = territory_directory()
    events: list[LoopEvent] = []
    campaigns: dict[str, str] = {}
    snowballs: list[tuple[str, Snowball]] = []
    if territory is not None:
        sites = [pk for pk, entry in territories.items() if entry.path.startswith(territory.path)]
        loop = derivation.participation(site_ids=sites)
        events = [e for e in loop.events if _event_in_window(e.time, filters)]
        campaigns = loop.campaigns
        snowballs = _invitation_snowballs(derived, territory, filters)
    result = analyze(mesh.graph, events=events, period=filters.period, pivots=256)
    labels = _labels(mesh, events, campaigns, {pk: e.name for pk, e in territories.items()})
    return Observatory(mesh, result, snowballs, labels)


def _event_in_window(time: Any, filters: MeshFilters) -> bool:
    moment = as_datetime(time)
    if moment is None:
        return False
    day = timezone.localtime(moment).date()
    return (filters.start is None or day >= filters.start) and (
        filters.end is None or day <= filters.end
    )


def _invitation_snowballs(
    derived: list[Link], territory: Any, filters: MeshFilters
) -> list[tuple[str, Snowball]]:
    """Return the invitation trees of each campaign of the territory (works attached to it).

    The sources say which invitation contexts are such campaigns (see ``MeshSource.contexts``).
    Only counts leave this function, so every invited person counts, with consent or not:
    folding persons into organizations would cut the trees.
    """
    per_context: dict[str, list[Link]] = defaultdict(list)
    for link in derived:
        if (
            link.public
            and link.kind == EdgeKind.INVITATION
            and link.context
            and in_window(link, filters)
        ):
            per_context[link.context].append(link)
    titles = derivation.invitation_contexts(set(per_context), territory.path)
    result = []
    for context, title in titles.items():
        links = per_context[context]
        ends = sorted({end for link in links for end in (link.source, link.target)})
        graph = CooperationGraph.from_records(
            [Node(end, NodeKind.PERSON) for end in ends],
            [Edge(link.source, link.target, link.kind, link.weight, link.time) for link in links],
        )
        result.append((title, snowball(graph, period=filters.period)))
    return result


def _labels(
    mesh: Mesh, events: Iterable[LoopEvent], campaigns: dict[str, str], sites: dict[int, str]
) -> dict[str, str]:
    """Return display names of node ids, sites and campaigns of the participation events."""
    labels = {node.id: node.label for node in mesh.nodes.values()}
    for event in events:
        if event.campaign in campaigns:
            labels[f"campaign:{event.campaign}"] = campaigns[event.campaign]
        labels[f"site:{event.site}"] = sites.get(int(event.site), "?")
    return labels
