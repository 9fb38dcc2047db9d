"""Streamed exports for the tools analysts use: GEXF 1.3 and GraphML (Gephi), CSV lists.

Rows are written in blocks so that memory stays flat whatever the graph's size. Pooling,
belonging and invitation edges are written as directed, the others as undirected; every edge
keeps its kind, so pooling and co-production stay apart in Gephi too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO
from xml.sax.saxutils import quoteattr

import numpy as np

from maillage.analysis.spreadsheet import safe_writer

from .model import DIRECTED_KINDS, EDGE_KINDS, NODE_KINDS, SECTORS, UNKNOWN, CooperationGraph

_BLOCK = 20_000
_DIRECTED = np.array([kind in DIRECTED_KINDS for kind in EDGE_KINDS])
_DIRECTED_ATTRIBUTE = ("", ' directed="true"')


def _node_columns(graph: CooperationGraph) -> Iterator[tuple[str, str, str, str, str]]:
    sector = graph.effective_sector()
    territory = graph.effective_territory()
    for start in range(0, graph.node_count, _BLOCK):
        stop = min(start + _BLOCK, graph.node_count)
        for i in range(start, stop):
            yield (
                str(graph.node_ids[i]),
                "" if graph.node_label is None else str(graph.node_label[i] or ""),
                str(NODE_KINDS[graph.node_kind[i]]),
                "" if sector[i] == UNKNOWN else str(SECTORS[sector[i]]),
                "" if territory[i] == UNKNOWN else graph.territories[territory[i]],
            )


def _edge_blocks(
    graph: CooperationGraph,
) -> Iterator[list[tuple[str, str, str, str, str, str, bool]]]:
    ids = graph.node_ids
    for start in range(0, graph.edge_count, _BLOCK):
        block = slice(start, min(start + _BLOCK, graph.edge_count))
        times = np.datetime_as_string(graph.edge_time[block], unit="s")
        records = (
            [""] * len(times) if graph.edge_record is None else graph.edge_record[block].tolist()
        )
        yield list(
            zip(
                ids[graph.edge_source[block]].tolist(),
                ids[graph.edge_target[block]].tolist(),
                [str(EDGE_KINDS[k]) for k in graph.edge_kind[block].tolist()],
                [repr(float(w)) for w in graph.edge_weight[block].tolist()],
                ["" if t == "NaT" else t for t in times.tolist()],
                [str(r or "") for r in records],
                _DIRECTED[graph.edge_kind[block]].tolist(),
                strict=True,
            )
        )


def write_csv(graph: CooperationGraph, nodes: TextIO, edges: TextIO) -> None:
    """Write the node list (id, label, kind, sector, territory) and the edge list.

    Edge columns: source, target, kind, weight, time (ISO 8601, UTC), record, the same that
    ``maillage graph analyze`` reads back.
    """
    node_writer = safe_writer(nodes, lineterminator="\n")
    node_writer.writerow(("id", "label", "kind", "sector", "territory"))
    node_writer.writerows(_node_columns(graph))
    edge_writer = safe_writer(edges, lineterminator="\n")
    edge_writer.writerow(("source", "target", "kind", "weight", "time", "record"))
    for block in _edge_blocks(graph):
        edge_writer.writerows(row[:6] for row in block)


def write_gexf(graph: CooperationGraph, out: TextIO) -> None:
    """Write GEXF 1.3 (gexf.net/1.3): node kind, sector, territory; edge kind, time, record.

    The graph is static with edge weights; dates travel as an attribute so every Gephi reads
    them, and per-edge ``type`` keeps pooling directed in a mixed graph.
    """
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
        "<meta><creator>Maillage</creator><description>Cooperation graph</description></meta>\n"
        '<graph mode="static" defaultedgetype="undirected">\n'
        '<attributes class="node">'
        '<attribute id="kind" title="kind" type="string"/>'
        '<attribute id="sector" title="sector" type="string"/>'
        '<attribute id="territory" title="territory" type="string"/>'
        "</attributes>\n"
        '<attributes class="edge">'
        '<attribute id="kind" title="kind" type="string"/>'
        '<attribute id="time" title="time" type="string"/>'
        '<attribute id="record" title="record" type="string"/>'
        "</attributes>\n<nodes>\n"
    )
    lines: list[str] = []
    for node_id, label, kind, sector, territory in _node_columns(graph):
        lines.append(
            f"<node id={quoteattr(node_id)} label={quoteattr(label or node_id)}><attvalues>"
            f'<attvalue for="kind" value="{kind}"/>'
            f'<attvalue for="sector" value="{sector}"/>'
            f'<attvalue for="territory" value={quoteattr(territory)}/>'
            "</attvalues></node>\n"
        )
        if len(lines) >= _BLOCK:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
    out.write("</nodes>\n<edges>\n")
    position = 0
    for block in _edge_blocks(graph):
        out.write(
            "".join(
                f'<edge id="{position + i}" source={quoteattr(s)} target={quoteattr(t)} '
                f'type="{"directed" if directed else "undirected"}" weight="{w}"><attvalues>'
                f'<attvalue for="kind" value="{k}"/><attvalue for="time" value="{when}"/>'
                f'<attvalue for="record" value={quoteattr(r)}/></attvalues></edge>\n'
                for i, (s, t, k, w, when, r, directed) in enumerate(block)
            )
        )
        position += len(block)
    out.write("</edges>\n</graph>\n</gexf>\n")


def write_graphml(graph: CooperationGraph, out: TextIO) -> None:
    """Write GraphML (graphml.graphdrawing.org) with the same attributes as the GEXF.

    Edges carry ``directed`` per edge in an undirected default, as the format allows.
    """
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        '<key id="label" for="node" attr.name="label" attr.type="string"/>\n'
        '<key id="nkind" for="node" attr.name="kind" attr.type="string"/>\n'
        '<key id="sector" for="node" attr.name="sector" attr.type="string"/>\n'
        '<key id="territory" for="node" attr.name="territory" attr.type="string"/>\n'
        '<key id="ekind" for="edge" attr.name="kind" attr.type="string"/>\n'
        '<key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n'
        '<key id="time" for="edge" attr.name="time" attr.type="string"/>\n'
        '<key id="record" for="edge" attr.name="record" attr.type="string"/>\n'
        '<graph id="cooperation" edgedefault="undirected">\n'
    )
    lines: list[str] = []
    for node_id, label, kind, sector, territory in _node_columns(graph):
        lines.append(
            f'<node id={quoteattr(node_id)}><data key="label">{_text(label or node_id)}</data>'
            f'<data key="nkind">{kind}</data><data key="sector">{sector}</data>'
            f'<data key="territory">{_text(territory)}</data></node>\n'
        )
        if len(lines) >= _BLOCK:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
    for block in _edge_blocks(graph):
        out.write(
            "".join(
                f"<edge source={quoteattr(s)} target={quoteattr(t)}{_DIRECTED_ATTRIBUTE[directed]}>"
                f'<data key="ekind">{k}</data><data key="weight">{w}</data>'
                f'<data key="time">{when}</data><data key="record">{_text(r)}</data></edge>\n'
                for s, t, k, w, when, r, directed in block
            )
        )
    out.write("</graph>\n</graphml>\n")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
