"""Open data: the cooperation mesh as CSV node and edge lists (for Gephi and the like).

Persons appear only if they opted in, under a pseudonymous id and without a name; the others
are folded into their organization. Links derived from private records are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.analysis.graph.model import EDGE_KINDS, NODE_KINDS, SECTORS
from maillage.core.opendata import Dataset, Field

PSEUDONYMIZATION = _(
    "Persons appear only if they chose to, under a pseudonymous identifier (a keyed hash) and "
    "never by name; the others count for their organization. Links derived from private works, "
    "circles or journeys are left out."
)


def _node_rows() -> Iterator[dict[str, Any]]:
    from maillage.mesh.presentation import export_graph, node_table
    from maillage.mesh.visibility import mesh_build

    mesh = mesh_build()
    graph = export_graph(mesh)
    names = graph.node_label.tolist() if graph.node_label is not None else [""] * graph.node_count
    labels = dict(zip(graph.node_ids.tolist(), names, strict=True))
    for row in node_table(mesh):
        node = row["node"]
        yield {
            "id": node.id,
            "label": labels[node.id],
            "kind": str(node.kind),
            "sector": node.sector or "",
            "territory": node.territory or "",
            "links": row["links"],
        }


def _edge_rows() -> Iterator[dict[str, Any]]:
    from maillage.mesh.visibility import mesh_build

    mesh = mesh_build()
    for index, link in enumerate(mesh.links, start=1):
        time = link.time.astimezone(dt.UTC).replace(microsecond=0) if link.time else None
        yield {
            "id": index,
            "source": mesh.nodes[link.source].id,
            "target": mesh.nodes[link.target].id,
            "kind": str(link.kind),
            "weight": round(link.weight, 6),
            "time": time,
            "record": link.record,
        }


DATASETS = (
    Dataset(
        name="mesh_nodes",
        title=_("Cooperation mesh: nodes"),
        description=_(
            "The persons (with their consent), organizations and territories of the cooperation "
            "graph derived from what they did together, with their sector and territory."
        ),
        fields=(
            Field("id", "string", _("Pseudonymous identifier"), required=True),
            Field("label", "string", _("Name (organizations and territories only)")),
            Field(
                "kind",
                "string",
                _("Kind of node"),
                required=True,
                enum=tuple(str(k) for k in NODE_KINDS),
            ),
            Field("sector", "string", _("Sector"), enum=tuple(str(s) for s in SECTORS)),
            Field("territory", "string", _("Territory where active")),
            Field("links", "integer", _("Number of links"), required=True),
        ),
        rows=_node_rows,
        pseudonymization=PSEUDONYMIZATION,
        keywords=("coopération", "réseau", "graphe"),
    ),
    Dataset(
        name="mesh_edges",
        title=_("Cooperation mesh: links"),
        description=_(
            "Who did what with whom: co-production, pooling (directed), encounters, belonging "
            "and invitations, each with its weight, date and the record it comes from."
        ),
        fields=(
            Field("id", "integer", _("Row number"), required=True),
            Field(
                "source",
                "string",
                _("Source node (giver, member or inviter when directed)"),
                required=True,
            ),
            Field("target", "string", _("Target node"), required=True),
            Field(
                "kind",
                "string",
                _("Kind of link"),
                required=True,
                enum=tuple(str(k) for k in EDGE_KINDS),
            ),
            Field("weight", "number", _("Weight"), required=True),
            Field("time", "datetime", _("When (UTC)")),
            Field("record", "string", _("Record the link is derived from"), required=True),
        ),
        rows=_edge_rows,
        pseudonymization=PSEUDONYMIZATION,
        keywords=("coopération", "réseau", "mutualisation"),
    ),
)
