"""What the observatory pages draw and publish of a mesh: canvas, tables, exported graph."""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter, defaultdict
from operator import itemgetter
from typing import Any

from maillage.analysis.charts.palette import MUTED, SERIES
from maillage.analysis.graph import CooperationGraph, NodeKind, Sector
from maillage.mesh.visibility import Mesh

# The network canvas draws at most this many nodes (the heaviest); tables and files hold all.
CANVAS_NODES = 300
CANVAS_EDGES = 1500
# Only the most linked nodes are named on the drawing; the others on hover or tap, and in the
# tables, so that names do not pile up into an unreadable ball.
NAMED_NODES = 8
# One colour per sector, drawn on the canvas and shown in the legend from this one mapping.
SECTOR_COLOURS: dict[str, str] = {
    Sector.PUBLIC_BODY: SERIES[0],
    Sector.BUSINESS: SERIES[1],
    Sector.ASSOCIATION: SERIES[2],
    Sector.ACADEMIC: SERIES[3],
    Sector.CITIZENS: SERIES[6],
}
NO_SECTOR_COLOUR = MUTED


def sector_colour(sector: str | None) -> str:
    """Return the colour of ``sector`` on the network drawing (grey without a sector)."""
    return SECTOR_COLOURS.get(sector, NO_SECTOR_COLOUR) if sector else NO_SECTOR_COLOUR


def network_payload(mesh: Mesh) -> dict[str, list]:
    """Return the heaviest nodes and their links for the network canvas."""
    # Weights are floats, which typing's Counter (int counts) does not hold; nlargest is what
    # Counter.most_common does, ties kept in first-seen order.
    degree: dict[str, float] = defaultdict(float)
    for link in mesh.links:
        degree[link.source] += link.weight
        degree[link.target] += link.weight
    top = [node for node, _ in heapq.nlargest(CANVAS_NODES, degree.items(), key=itemgetter(1))]
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
                "colour": sector_colour(infos[raw].sector),
                "number": rank + 1 if rank < NAMED_NODES else None,
                "weight": round(degree[raw], 3),
            }
            for rank, raw in enumerate(top)
        ],
        "edges": [
            {"source": infos[s].id, "target": infos[t].id, "kind": k, "weight": round(w, 3)}
            for (s, t, k), w in edges
        ],
    }


def node_table(mesh: Mesh) -> list[dict[str, Any]]:
    """Return every node with its links counted per kind, heaviest first (the canvas' text)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    weight: dict[str, float] = defaultdict(float)
    for link in mesh.links:
        for end in (link.source, link.target):
            counts[end][str(link.kind)] += 1
            weight[end] += link.weight
    rows: list[dict[str, Any]] = [
        {
            "node": mesh.nodes[raw],
            "counts": dict(counts[raw]),
            "weight": round(weight.get(raw, 0), 2),
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
