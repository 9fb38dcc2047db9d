"""Benchmark: cooperation-graph measures on a synthetic region, ours (igraph) vs networkx.

    .venv/bin/python bench/graph.py                # 200,000 nodes, 2,000,000 edges, 5 years
    .venv/bin/python bench/graph.py --scale 0.05   # 10,000 nodes, 100,000 edges
    .venv/bin/python bench/graph.py --quick        # scale 0.05, one repetition

Each side runs in its own child process so that its peak RSS (ru_maxrss) is its own. The
networkx side computes the same measures the way a Python analyst would (nx graphs plus plain
loops); its betweenness is timed on a few pivots and scaled linearly to the same pivot count,
and Louvain (networkx has no native Leiden) is timed on two subsampled regions and
extrapolated with the fitted power law, both because the full runs would take hours. The
last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from maillage.analysis.graph import CooperationGraph, analyze  # noqa: E402
from maillage.analysis.graph.model import (  # noqa: E402
    BELONGING,
    COPRODUCTION,
    ENCOUNTER,
    INVITATION,
    ORGANIZATION,
    PERSON,
    POOLING,
    TERRITORY,
    period_index,
)

FULL_NODES, FULL_EDGES, YEARS = 200_000, 2_000_000, 5
PIVOTS = 256
LOOPS_BUDGET_S = 600.0  # the networkx cycle count is stopped there (its time is then a floor)


def synthetic_region(scale: float, seed: int = 0) -> CooperationGraph:
    """Return a region with heavy-tailed activity and territorial homophily.

    Activity weights are Pareto (shape 1.5, so degrees have a power-law tail of exponent
    about 2.5, as in collaboration networks; Newman 2001); 80 % of links stay within a
    territory (Chung-Lu sampling inside the territory), organizations belong to a territory,
    70 % of persons to an organization, and activity grows over the five years.
    """
    rng = np.random.default_rng(seed)
    n, m = int(FULL_NODES * scale), int(FULL_EDGES * scale)
    territories = max(5, int(60 * math.sqrt(scale)))
    organizations = n // 10
    persons = n - organizations - territories
    kind = np.concatenate(
        (
            np.full(persons, PERSON),
            np.full(organizations, ORGANIZATION),
            np.full(territories, TERRITORY),
        )
    ).astype(np.int8)
    popularity = 1 / np.arange(1, territories + 1) ** 0.8
    territory = rng.choice(territories, size=n, p=popularity / popularity.sum()).astype(np.int32)
    territory[kind == TERRITORY] = np.arange(territories)
    sector = np.full(n, -1, dtype=np.int8)
    sector[kind == ORGANIZATION] = rng.choice(
        [0, 1, 2, 3], size=organizations, p=[0.05, 0.4, 0.15, 0.4]
    )
    citizens = (kind == PERSON) & (rng.random(n) < 0.5)
    sector[citizens] = 4
    activity = rng.pareto(1.5, n) + 1
    start = np.datetime64("2020-01-01T00:00:00", "s")
    span = np.int64(YEARS * 365 * 86400)

    def sample(members: np.ndarray, count: int, local: float) -> tuple[np.ndarray, np.ndarray]:
        order = members[np.argsort(territory[members], kind="stable")]
        cumulative = np.cumsum(activity[order])
        bounds = np.searchsorted(territory[order], np.arange(territories + 1))
        low = np.concatenate(([0.0], cumulative))[bounds[:-1]]
        high = np.concatenate(([0.0], cumulative))[bounds[1:]]
        source = order[np.searchsorted(cumulative, rng.random(count) * cumulative[-1])]
        target = order[np.searchsorted(cumulative, rng.random(count) * cumulative[-1])]
        within = rng.random(count) < local
        t = territory[source[within]]
        draw = low[t] + rng.random(within.sum()) * (high[t] - low[t])
        target[within] = order[np.minimum(np.searchsorted(cumulative, draw), len(order) - 1)]
        keep = source != target
        return source[keep], target[keep]

    person_ids = np.flatnonzero(kind == PERSON)
    org_ids = np.flatnonzero(kind == ORGANIZATION)
    members = person_ids[rng.random(persons) < 0.7]
    member_org = np.empty(len(members), dtype=np.int64)
    # A person joins an organization of their own territory, chosen by its activity.
    for t in range(territories):
        here = members[territory[members] == t]
        local_orgs = org_ids[territory[org_ids] == t]
        if len(local_orgs) == 0:
            local_orgs = org_ids
        p = activity[local_orgs] / activity[local_orgs].sum()
        member_org[territory[members] == t] = rng.choice(local_orgs, size=len(here), p=p)
    actors = np.flatnonzero(kind != TERRITORY)
    rest = m - len(members) - organizations
    parts = [
        (members, member_org, BELONGING),
        (org_ids, n - territories + territory[org_ids], BELONGING),
        (*sample(actors, int(rest * 0.55), 0.8), COPRODUCTION),
        (*sample(person_ids, int(rest * 0.20), 0.8), ENCOUNTER),
        (*sample(org_ids, int(rest * 0.10), 0.7), POOLING),
        (
            *sample(person_ids, rest - int(rest * 0.55) - int(rest * 0.20) - int(rest * 0.10), 0.8),
            INVITATION,
        ),
    ]
    source = np.concatenate([p[0] for p in parts]).astype(np.int64)
    target = np.concatenate([p[1] for p in parts]).astype(np.int64)
    edge_kind = np.concatenate([np.full(len(p[0]), p[2]) for p in parts]).astype(np.int8)
    seconds = (span * np.sqrt(rng.random(len(source)))).astype(np.int64)
    node_ids = np.array([f"n{i}" for i in range(n)], dtype=object)
    node_ids[kind == TERRITORY] = [f"territory-{t}" for t in range(territories)]
    return CooperationGraph(
        node_ids=node_ids,
        node_kind=kind,
        node_sector=sector,
        node_territory=territory,
        territories=tuple(f"territory-{t}" for t in range(territories)),
        edge_source=source,
        edge_target=target,
        edge_kind=edge_kind,
        edge_weight=np.round(rng.exponential(1.0, len(source)) + 0.5, 2),
        edge_time=start + seconds.astype("timedelta64[s]"),
    )


def cpu_seconds() -> float:
    """Return user + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(scale: float, repeats: int) -> dict[str, object]:
    """Return median seconds per step of ``analyze`` over ``repeats`` runs."""
    graph = synthetic_region(scale)
    runs = []
    for _ in range(repeats):
        fresh = graph.subgraph(np.arange(graph.edge_count))  # no cached derived arrays
        start, cpu = time.perf_counter(), cpu_seconds()
        result = analyze(fresh, pivots=PIVOTS)
        total = time.perf_counter() - start
        runs.append({**result.seconds, "total": total, "cpu_total": cpu_seconds() - cpu})
    steps = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return {
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "seconds": steps,
        "epsilon": result.bridges.betweenness.epsilon,
        "epsilon_per_node": result.bridges.betweenness.epsilon_per_node,
        "communities": result.communities.count,
        "modularity": result.communities.modularity,
        "peak_rss_mb": peak_rss_mb(),
    }


def networkx_measures(graph: CooperationGraph, pivots: int, louvain: bool) -> dict[str, float]:
    """Return seconds per step of the same measures written with networkx and plain Python."""
    import networkx as nx

    seconds: dict[str, float] = {}
    ids = graph.node_ids.tolist()
    kind = graph.node_kind.tolist()
    edges = list(
        zip(
            graph.edge_source.tolist(),
            graph.edge_target.tolist(),
            graph.edge_kind.tolist(),
            graph.edge_weight.tolist(),
            graph.edge_time.astype(np.int64).tolist(),
            strict=True,
        )
    )
    year = (graph.edge_time.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()

    start = time.perf_counter()
    member_of: dict[int, int] = {}
    best: dict[int, float] = {}
    for u, v, k, w, _ in edges:
        if k == BELONGING and kind[u] == PERSON and kind[v] == ORGANIZATION and w > best.get(u, -1):
            member_of[u], best[u] = v, w
    sector = graph.node_sector.tolist()
    effective = [
        s if s >= 0 or i not in member_of else sector[member_of[i]] for i, s in enumerate(sector)
    ]
    matrix = np.zeros((5, 5))
    trend: dict[int, list[int]] = {}
    for (u, v, k, w, _), y in zip(edges, year, strict=True):
        if k == COPRODUCTION and effective[u] >= 0 and effective[v] >= 0:
            a, b = effective[u], effective[v]
            matrix[a, b] += w
            if a != b:
                matrix[b, a] += w
            counts = trend.setdefault(y, [0, 0])
            counts[0] += 1
            counts[1] += a != b
    seconds["hybridization"] = time.perf_counter() - start

    start = time.perf_counter()
    social = nx.Graph()
    social.add_nodes_from(i for i in range(len(ids)) if kind[i] != TERRITORY)
    for u, v, _, w, _ in edges:
        if kind[u] != TERRITORY and kind[v] != TERRITORY:
            if social.has_edge(u, v):
                social[u][v]["weight"] += w
            else:
                social.add_edge(u, v, weight=w)
    build = time.perf_counter() - start
    sample = min(4, pivots)
    start = time.perf_counter()
    nx.betweenness_centrality(social, k=sample, seed=0)
    per_pivot = (time.perf_counter() - start) / sample
    start = time.perf_counter()
    list(nx.articulation_points(social))
    articulation = time.perf_counter() - start
    seconds["bridges"] = build + per_pivot * pivots + articulation
    if louvain:
        start = time.perf_counter()
        nx.community.louvain_communities(social, weight="weight", seed=0)
        seconds["communities"] = time.perf_counter() - start

    start = time.perf_counter()
    pooling = nx.DiGraph()
    for u, v, k, w, _ in edges:
        if k == POOLING:
            pooling.add_edge(u, v, weight=w)
    nx.reciprocity(pooling)
    list(itertools.islice(nx.simple_cycles(pooling, length_bound=5), 1000))
    # Counting every 3-cycle can take hours at full scale: past LOOPS_BUDGET_S the count stops
    # and the step's time (then at least the budget) is reported as a lower bound.
    for _ in nx.simple_cycles(pooling, length_bound=3):
        if time.perf_counter() - start > LOOPS_BUDGET_S:
            break
    seconds["loops"] = time.perf_counter() - start

    start = time.perf_counter()
    tree = nx.DiGraph()
    joined: set[int] = set()
    for u, v, _, _, _ in sorted((e for e in edges if e[2] == INVITATION), key=lambda e: e[4]):
        if u not in joined:
            joined.add(u)
            tree.add_node(u)
        if v not in joined:
            joined.add(v)
            tree.add_edge(u, v)
    roots = [v for v, d in tree.in_degree() if d == 0]
    depth = 0
    for root in roots:
        depth = max(depth, max(nx.single_source_shortest_path_length(tree, root).values()))
    seconds["snowball"] = time.perf_counter() - start

    start = time.perf_counter()
    balance: dict[tuple[int, int], list[float]] = {}
    for (u, v, k, w, _), y in zip(edges, year, strict=True):
        if k == POOLING:
            balance.setdefault((u, y), [0.0, 0.0, 0.0])[0] += w
            balance.setdefault((v, y), [0.0, 0.0, 0.0])[1] += w
        elif k == COPRODUCTION:
            a, b = (
                member_of.get(u, u if kind[u] == ORGANIZATION else -1),
                member_of.get(v, v if kind[v] == ORGANIZATION else -1),
            )
            if a != b:
                for o in (a, b):
                    if o >= 0:
                        balance.setdefault((o, y), [0.0, 0.0, 0.0])[2] += w
    period_index(graph.edge_time, "year")
    seconds["pooling"] = time.perf_counter() - start
    return seconds


def run_networkx(scale: float, sub_scales: tuple[float, float]) -> dict[str, object]:
    """Return networkx seconds per step at ``scale``; Louvain extrapolated from sub-scales."""
    graph = synthetic_region(scale)
    seconds = networkx_measures(graph, PIVOTS, louvain=False)
    small = [
        networkx_measures(synthetic_region(s), 1, louvain=True)["communities"] for s in sub_scales
    ]
    exponent = math.log(small[1] / small[0]) / math.log(sub_scales[1] / sub_scales[0])
    seconds["communities"] = small[1] * (scale / sub_scales[1]) ** exponent
    seconds["total"] = sum(seconds.values())
    return {
        "seconds": seconds,
        "louvain_measured": dict(zip(map(str, sub_scales), small, strict=True)),
        "louvain_exponent": exponent,
        "peak_rss_mb": peak_rss_mb(),
    }


def child(side: str, scale: float, repeats: int) -> dict[str, object]:
    """Run one side in a fresh interpreter and return its JSON result."""
    command = [
        sys.executable,
        __file__,
        "--side",
        side,
        "--scale",
        str(scale),
        "--repeats",
        str(repeats),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the {side} side failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse options, run both sides in children, print lines then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="scale 0.05, one repetition")
    parser.add_argument("--side", choices=("ours", "networkx"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.scale, args.repeats = 0.05, 1
    if args.side == "ours":
        print(json.dumps(run_ours(args.scale, args.repeats)))
        return
    if args.side == "networkx":
        print(json.dumps(run_networkx(args.scale, (args.scale / 20, args.scale / 10))))
        return
    ours = child("ours", args.scale, args.repeats)
    print(f"ours (igraph): {ours['nodes']} nodes, {ours['edges']} edges, {args.repeats} runs")
    print("ours, median seconds:", json.dumps(ours["seconds"]), flush=True)
    peer = child("networkx", args.scale, 1)
    print(f"{'step':15} {'ours s':>9} {'networkx s':>11} {'ratio':>8}")
    stopped = peer["seconds"]["loops"] >= LOOPS_BUDGET_S
    for step in [s for s in ours["seconds"] if s != "cpu_total"]:
        mine, theirs = ours["seconds"][step], peer["seconds"].get(step, float("nan"))
        floor = ">" if stopped and step in ("loops", "total") else " "
        print(f"{step:15} {mine:9.2f} {floor}{theirs:10.1f} {floor}{theirs / max(mine, 1e-9):7.1f}")
    if stopped:
        print(f"networkx 3-cycle count stopped after {LOOPS_BUDGET_S:.0f} s: its times are floors")
    print(
        f"peak RSS: ours {ours['peak_rss_mb']:.0f} MB, networkx {peer['peak_rss_mb']:.0f} MB; "
        f"betweenness: {PIVOTS} pivots, epsilon {ours['epsilon']:.3f} (all nodes) / "
        f"{ours['epsilon_per_node']:.3f} (one node) at 95 %; networkx betweenness scaled from "
        f"4 pivots, Louvain extrapolated (exponent {peer['louvain_exponent']:.2f})"
    )
    ratio = peer["seconds"]["total"] / ours["seconds"]["total"]
    floor = ">" if stopped else ""
    print(
        f"total: ours {ours['seconds']['total']:.1f} s, "
        f"networkx {floor}{peer['seconds']['total']:.0f} s, {floor}x{ratio:.0f}"
    )
    print(f"ours CPU time (user + system, workers included): {ours['seconds']['cpu_total']:.1f} s")
    print(json.dumps({"scale": args.scale, "ours": ours, "networkx": peer, "ratio": ratio}))


if __name__ == "__main__":
    main()
