"""``maillage graph analyze``: the cooperation-graph measures of any CSV edge list.

Django-free: reads CSV, computes with ``maillage.analysis.graph``, writes an HTML report,
the measures as JSON and the graph as GEXF, GraphML and CSV lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``graph`` group and its ``analyze`` command."""
    group = subparsers.add_parser("graph", help="cooperation graph measures")
    commands = group.add_subparsers(dest="graph_command", metavar="COMMAND", required=True)
    analyze = commands.add_parser(
        "analyze", help="measure hybridization, bridges, communities, loops and snowball"
    )
    analyze.add_argument(
        "edges", type=Path, help="CSV edge list: source,target[,kind,weight,time,record]"
    )
    analyze.add_argument(
        "--nodes", type=Path, help="CSV node list: id[,kind,sector,territory,label]"
    )
    analyze.add_argument("--out", type=Path, default=Path("graph-report"), help="output folder")
    analyze.add_argument("--from", dest="start", type=_date, help="first day kept (ISO 8601)")
    analyze.add_argument("--to", dest="end", type=_date, help="last day kept (ISO 8601)")
    analyze.add_argument("--period", choices=("year", "quarter", "month"), default="year")
    analyze.add_argument(
        "--pivots", type=int, default=256, help="betweenness pivots (default 256; 0 skips it)"
    )
    analyze.add_argument("--seed", type=int, default=0)
    analyze.set_defaults(func=analyze_command)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def analyze_command(args: argparse.Namespace) -> int:
    """Run the analysis; return 0, or 2 with one line on stderr when the input is unusable."""
    from maillage.analysis.graph import (
        EdgeListError,
        analyze,
        read_edge_list,
        to_jsonable,
        write_csv,
        write_gexf,
        write_graphml,
    )
    from maillage.analysis.graph.analyze import STEPS
    from maillage.analysis.graph.report import render_report

    if args.start and args.end and args.end < args.start:
        print(f"graph analyze: --to {args.end} is before --from {args.start}", file=sys.stderr)
        return 2
    if args.pivots < 0:
        print("graph analyze: --pivots must be 0 or more", file=sys.stderr)
        return 2
    columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    with Progress(*columns, transient=True) as progress:
        progress.add_task("Lecture des listes", total=None)
        try:
            edge_list = read_edge_list(args.edges, args.nodes)
        except EdgeListError as error:
            edge_list = None
            problem = str(error)
    if edge_list is None:
        print(f"graph analyze: {problem}", file=sys.stderr)
        return 2
    for warning in edge_list.warnings:
        print(f"graph analyze: {warning}", file=sys.stderr)
    with Progress(*columns, transient=True) as progress:
        end = args.end + dt.timedelta(days=1) if args.end else None
        graph = edge_list.graph.window(args.start, end)
        measuring = progress.add_task("Mesures", total=len(STEPS))
        analysis = analyze(
            graph,
            period=args.period,
            pivots=args.pivots,
            seed=args.seed,
            on_step=lambda name: progress.update(
                measuring, advance=1, description=f"Mesures ({name})"
            ),
        )
        writing = progress.add_task("Écriture", total=5)
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        payload = to_jsonable(analysis)
        payload["input"] = {  # type: ignore[index]
            "edges_file": str(args.edges),
            "nodes_file": str(args.nodes) if args.nodes else None,
            "skipped_edge_lines": edge_list.skipped_edges,
            "skipped_node_lines": edge_list.skipped_nodes,
            "warnings": list(edge_list.warnings),
            "from": args.start.isoformat() if args.start else None,
            "to": args.end.isoformat() if args.end else None,
        }
        (out / "graph.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        progress.advance(writing)
        (out / "report.html").write_text(render_report(analysis), encoding="utf-8")
        progress.advance(writing)
        with (out / "graph.gexf").open("w", encoding="utf-8") as handle:
            write_gexf(graph, handle)
        progress.advance(writing)
        with (out / "graph.graphml").open("w", encoding="utf-8") as handle:
            write_graphml(graph, handle)
        progress.advance(writing)
        with (
            (out / "nodes.csv").open("w", encoding="utf-8", newline="") as nodes,
            (out / "edges.csv").open("w", encoding="utf-8", newline="") as edges,
        ):
            write_csv(graph, nodes, edges)
        progress.advance(writing)
    summary = analysis.explanation or (
        f"{analysis.nodes} nodes, {analysis.edges} edges; "
        f"{edge_list.skipped_edges} edge lines skipped"
    )
    print(f"graph analyze: {summary}; report in {out / 'report.html'}")
    return 0
