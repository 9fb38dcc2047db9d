"""Edge lists in, GEXF / GraphML / CSV / HTML / JSON out, and the ``graph analyze`` command."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import pytest

from maillage.analysis.graph import (
    EdgeListError,
    read_edge_list,
    write_csv,
    write_gexf,
    write_graphml,
)
from maillage.analysis.tests.test_graph_measures import region
from maillage.cli import main

NODES = """id,kind,sector,territory,label
uha,organization,academic,Mulhouse,Université
lab,organization,business,Mulhouse,Living lab
asso1,organization,association,Colmar,
u1,person,,,
u2,person,,,
a1,person,,,
a2,person,,,
"""
GOOD_EDGES = """source,target,kind,weight,time
u1,uha,belonging,1,2022-01-01
u2,uha,belonging,1,2022-01-01
a1,asso1,belonging,1,2022-01-01
a2,asso1,belonging,1,2022-01-01
u1,u2,co-production,1,2023-01-01
a1,a2,co-production,1,2023-01-01
lab,u1,co-production,2,2024-01-01
lab,a1,co-production,1,2024-02-01
"""
BAD_EDGES = """a1,a1,co-production,1,2024-02-01
zz,a1,co-production,1,2024-02-01
a1,a2,co-production,-3,2024-02-01
a1,a2,friendship,1,2024-02-01
a1,a2,pooling,1,2024-13-01
a1,a2,pooling,1,2024-03-01T10:00:00+02:00
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(NODES, encoding="utf-8")
    edges = tmp_path / "edges.csv"
    edges.write_text(GOOD_EDGES + BAD_EDGES, encoding="utf-8")
    return edges, nodes


def test_bad_lines_are_skipped_counted_and_named(files: tuple[Path, Path]) -> None:
    edges, nodes = files
    read = read_edge_list(edges, nodes)
    assert read.skipped_edges == 5
    assert read.graph.edge_count == 9
    messages = "\n".join(read.warnings)
    assert "edges.csv: 1 line skipped with a self-loop: line 10" in messages
    assert "an unknown node id: line 11" in messages
    assert "a negative weight: line 12" in messages
    assert "an unknown kind" in messages and "line 13" in messages
    assert "a time that is not ISO 8601: line 14" in messages


def test_many_bad_lines_are_listed_by_their_first_few(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text("source,target\n" + "a,b\n" + "x,x\n" * 12, encoding="utf-8")
    read = read_edge_list(path)
    assert read.warnings == (
        "edges.csv: 12 lines skipped with a self-loop: lines 3, 4, 5, 6, 7 and 7 more",
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text("from,to\na,b\n", encoding="utf-8")
    with pytest.raises(EdgeListError, match=r"missing columns source, target \(found: from, to\)"):
        read_edge_list(path)


def test_a_file_without_any_usable_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text("source,target,weight\na,a,1\nb,c,-1\n", encoding="utf-8")
    with pytest.raises(EdgeListError, match="edges.csv: no usable line"):
        read_edge_list(path)


def test_without_node_list_pooling_ends_are_organizations(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text("source,target,kind\na,b,pooling\nc,d\n", encoding="utf-8")
    graph = read_edge_list(path).graph
    kinds = dict(zip(graph.node_ids.tolist(), graph.node_kind.tolist(), strict=True))
    assert kinds == {"a": 1, "c": 0, "b": 1, "d": 0}


def test_gexf_parses_back_with_kinds_and_directions() -> None:
    out = io.StringIO()
    write_gexf(region(), out)
    root = ET.fromstring(out.getvalue())  # noqa: S314 -- our own output, not untrusted input
    ns = {"g": "http://gexf.net/1.3"}
    assert root.get("version") == "1.3"
    nodes = root.findall(".//g:nodes/g:node", ns)
    edges = root.findall(".//g:edges/g:edge", ns)
    assert len(nodes) == 17 and len(edges) == 25
    pooling = [
        e
        for e in edges
        if e.find("g:attvalues/g:attvalue[@for='kind']", ns).get("value") == "pooling"
    ]
    assert len(pooling) == 4 and all(e.get("type") == "directed" for e in pooling)
    lab = next(n for n in nodes if n.get("id") == "lab")
    assert lab.find("g:attvalues/g:attvalue[@for='sector']", ns).get("value") == "business"


def test_graphml_parses_back_with_igraph(tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    with path.open("w", encoding="utf-8") as handle:
        write_graphml(region(), handle)
    g = ig.Graph.Read_GraphML(str(path))
    assert g.vcount() == 17 and g.ecount() == 25
    assert sorted(set(g.es["kind"])) == ["belonging", "co-production", "invitation", "pooling"]
    assert sum(g.es["weight"]) == pytest.approx(7 + 6 + 4 + 4 + 6)
    assert g.vs.find(id="u1")["sector"] == "academic"  # inherited from the university


def test_csv_export_reads_back_as_the_same_graph(tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    with nodes.open("w", newline="") as n_out, edges.open("w", newline="") as e_out:
        write_csv(region(), n_out, e_out)
    again = read_edge_list(edges, nodes)
    assert again.warnings == ()
    assert again.graph.edge_count == 25 and again.graph.node_count == 17


def test_cli_writes_report_json_and_graph_files(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges, nodes = files
    out = tmp_path / "out"
    code = main(["graph", "analyze", str(edges), "--nodes", str(nodes), "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "5 edge lines skipped" in captured.out
    assert "a self-loop: line 10" in captured.err
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in report and "<svg" in report and "<table>" in report
    assert "http" not in report.replace('xmlns="http://www.w3.org/2000/svg"', "")
    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert data["bridges"]["by_betweenness"][0]["node_id"] == "lab"
    assert data["hybridization"]["cross_sector_share"] == pytest.approx(2 / 4)
    assert data["input"]["skipped_edge_lines"] == 5
    for name in ("graph.gexf", "graph.graphml", "nodes.csv", "edges.csv"):
        assert (out / name).stat().st_size > 0


def test_cli_window_that_is_empty_is_explained(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges, nodes = files
    out = tmp_path / "out"
    code = main(
        [
            "graph",
            "analyze",
            str(edges),
            "--nodes",
            str(nodes),
            "--out",
            str(out),
            "--from",
            "2030-01-01",
        ]
    )
    assert code == 0
    assert "no edge in this window" in capsys.readouterr().out
    assert json.loads((out / "graph.json").read_text())["edges"] == 0


def test_cli_refuses_missing_columns_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "edges.csv"
    path.write_text("from,to\na,b\n", encoding="utf-8")
    assert main(["graph", "analyze", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "graph analyze: edges.csv: missing columns source, target (found: from, to)"


def test_cli_refuses_a_missing_file_and_reversed_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "analyze", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    path = tmp_path / "edges.csv"
    path.write_text("source,target\na,b\n", encoding="utf-8")
    assert main(["graph", "analyze", str(path), "--from", "2024-02-01", "--to", "2024-01-01"]) == 2
    assert "is before" in capsys.readouterr().err
