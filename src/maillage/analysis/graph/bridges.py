"""Bridges: who carries the links between worlds (sampled betweenness, articulation points)."""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import igraph as ig
import numpy as np

from .model import NODE_KINDS, SECTORS, UNKNOWN, CooperationGraph

# Below this many pivot-edge visits, forking a worker costs more than it saves.
_PARALLEL_MIN_WORK = 20_000_000
_FORKED_GRAPH: ig.Graph | None = None


@dataclass(frozen=True)
class BetweennessEstimate:
    """Normalized betweenness of every social-graph vertex and the error it carries.

    With probability at least 1 - ``delta``, every value is within ``epsilon`` of the exact
    normalized betweenness (and any single vertex's within ``epsilon_per_node``); both are 0
    when ``exact``.
    """

    values: np.ndarray
    pivots: int
    exact: bool
    epsilon: float
    epsilon_per_node: float
    delta: float


@dataclass(frozen=True)
class Bridge:
    """A person or organization that links worlds."""

    node_id: str
    kind: str
    sector: str | None
    territory: str | None
    betweenness: float
    articulation_point: bool
    separated_nodes: int
    sectors_reached: int


@dataclass(frozen=True)
class Bridges:
    """The top bridges by betweenness and by what their removal cuts off."""

    by_betweenness: tuple[Bridge, ...]
    by_separation: tuple[Bridge, ...]
    articulation_points: int
    components: int
    largest_component: int
    betweenness: BetweennessEstimate
    explanation: str | None = None


def pivot_count(nodes: int, epsilon: float, delta: float) -> int:
    """Return how many pivots make every estimate ``epsilon``-close with probability 1 - delta.

    From Hoeffding's inequality for sampling without replacement (Hoeffding 1963, section 6)
    and a union bound over the ``nodes`` vertices: k = ln(2n/delta) / (2 epsilon^2), capped at
    n (then the computation is exact).
    """
    if nodes <= 2:
        return nodes
    return min(nodes, math.ceil(math.log(2 * nodes / delta) / (2 * epsilon**2)))


def sampling_error(nodes: int, pivots: int, delta: float) -> tuple[float, float]:
    """Return the (uniform, per-vertex) error bounds of ``pivots`` sampled sources.

    Each sampled source s contributes X = delta_s(v) / (n - 2) in [0, 1] (Brandes 2001
    dependency), whose mean over the n sources is b(v) (n - 1) / n, b being the betweenness
    normalized by (n - 1)(n - 2) over ordered pairs. Hoeffding gives
    P(|mean - E| >= t) <= 2 exp(-2 k t^2), hence t = sqrt(ln(2/delta') / (2k)) with
    delta' = delta / n for all vertices at once (union bound) or delta for one vertex; the
    error on b is n / (n - 1) times t.
    """
    if pivots >= nodes or nodes <= 2:
        return 0.0, 0.0
    scale = nodes / (nodes - 1)
    uniform = scale * math.sqrt(math.log(2 * nodes / delta) / (2 * pivots))
    single = scale * math.sqrt(math.log(2 / delta) / (2 * pivots))
    return min(uniform, 1.0), min(single, 1.0)


def approximate_betweenness(
    g: ig.Graph,
    *,
    pivots: int | None = None,
    epsilon: float | None = None,
    delta: float = 0.05,
    seed: int = 0,
    workers: int | None = None,
) -> BetweennessEstimate:
    """Return the normalized betweenness of an undirected graph estimated from sampled pivots.

    Brandes & Pich (2007), "Centrality estimation in large networks": run Brandes' dependency
    accumulation from k sources drawn uniformly without replacement and scale by n / k, which
    is unbiased. Give either ``pivots`` or a target ``epsilon`` (see :func:`pivot_count`);
    the bound actually reached is reported. Paths are unweighted: a link is a link, however
    heavy. Pivots are split over ``workers`` forked processes (default: the CPU count, at
    most 2) when the graph is large enough for it to pay.
    """
    n = g.vcount()
    if pivots is None:
        pivots = pivot_count(n, epsilon if epsilon is not None else 0.1, delta)
    pivots = max(0, min(pivots, n))
    if n <= 2 or pivots == 0:
        return BetweennessEstimate(np.zeros(n), 0, n <= 2, 0.0, 0.0, delta)
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(n, size=pivots, replace=False))
    half_dependencies = _sum_dependencies(g, sources, workers)
    # igraph halves undirected dependencies (each unordered pair once): double them back.
    ordered_sum = 2.0 * half_dependencies * (n / pivots)
    values = ordered_sum / ((n - 1) * (n - 2))
    uniform, single = sampling_error(n, pivots, delta)
    return BetweennessEstimate(values, pivots, pivots == n, uniform, single, delta)


def _sum_dependencies(g: ig.Graph, sources: np.ndarray, workers: int | None) -> np.ndarray:
    global _FORKED_GRAPH
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    work = len(sources) * (g.vcount() + g.ecount())
    if (
        workers <= 1
        or work < _PARALLEL_MIN_WORK
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return np.asarray(g.betweenness(sources=sources.tolist(), directed=False))
    chunks = [chunk.tolist() for chunk in np.array_split(sources, workers)]
    # Forked workers read the graph from this module global without pickling it.
    _FORKED_GRAPH = g
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = list(pool.map(_worker_dependencies, chunks))
    finally:
        _FORKED_GRAPH = None
    return np.sum(parts, axis=0)


def _worker_dependencies(sources: list[int]) -> np.ndarray:
    assert _FORKED_GRAPH is not None
    return np.asarray(_FORKED_GRAPH.betweenness(sources=sources, directed=False))


def separated_nodes(g: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Return the articulation points and how many nodes each one's removal cuts off.

    A vertex's removal splits its component into pieces; the count is the component size
    minus one minus the largest piece, i.e. the nodes no longer reachable from the bulk of the
    component. Pieces come from subtree sizes in the block-cut tree of the biconnected
    components (Hopcroft & Tarjan 1973), so the whole computation is linear.
    """
    n = g.vcount()
    blocks, points = g.biconnected_components(return_articulation_points=True)
    points = np.asarray(sorted(points), dtype=np.int64)
    if len(points) == 0:
        return points, np.zeros(0, dtype=np.int64)
    block_list = [np.asarray(b, dtype=np.int64) for b in blocks]
    nb, npnt = len(block_list), len(points)
    point_slot = np.full(n, -1, dtype=np.int64)
    point_slot[points] = np.arange(npnt)
    members = np.concatenate(block_list)
    owner = np.repeat(np.arange(nb), [len(b) for b in block_list])
    is_point = point_slot[members] >= 0
    # Tree vertices: blocks 0..nb-1, articulation points nb..nb+npnt-1, a super-root last.
    block_weight = np.bincount(owner[~is_point], minlength=nb).astype(np.int64)
    weight = np.concatenate((block_weight, np.ones(npnt, dtype=np.int64), [0]))
    tree_edges = np.column_stack((owner[is_point], nb + point_slot[members[is_point]]))
    membership = np.asarray(g.connected_components().membership, dtype=np.int64)
    component_size = np.bincount(membership)
    block_component = membership[np.array([b[0] for b in block_list])]
    _, first_block = np.unique(block_component, return_index=True)
    root = nb + npnt
    root_edges = np.column_stack((np.full(len(first_block), root), first_block))
    tree = ig.Graph(n=root + 1, edges=np.vstack((tree_edges, root_edges)), directed=False)
    order, _, parent = tree.bfs(root)
    order = np.asarray(order, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    subtree = weight.copy()
    for vertex in order[::-1][:-1]:
        subtree[parent[vertex]] += subtree[vertex]
    child_max = np.zeros(root + 1, dtype=np.int64)
    np.maximum.at(child_max, parent[order[1:]], subtree[order[1:]])
    point_vertices = nb + np.arange(npnt)
    size = component_size[membership[points]]
    parent_piece = size - subtree[point_vertices]
    largest = np.maximum(parent_piece, child_max[point_vertices])
    return points, size - 1 - largest


def bridges(
    graph: CooperationGraph,
    *,
    top: int = 20,
    pivots: int | None = None,
    epsilon: float | None = None,
    delta: float = 0.05,
    seed: int = 0,
    workers: int | None = None,
) -> Bridges:
    """Return who links the worlds: top betweenness, top articulation points, sectors reached.

    Computed on the social graph (persons and organizations, all edge kinds merged, see
    ``CooperationGraph.social_graph``). ``sectors_reached`` counts the distinct effective
    sectors among a node's neighbours, a brokerage signal (Gould & Fernandez 1989).
    """
    g, nodes = graph.social_graph()
    estimate = approximate_betweenness(
        g, pivots=pivots, epsilon=epsilon, delta=delta, seed=seed, workers=workers
    )
    if g.ecount() == 0:
        return Bridges((), (), 0, g.vcount(), min(g.vcount(), 1), estimate, _EMPTY)
    points, separated = separated_nodes(g)
    separation = np.zeros(g.vcount(), dtype=np.int64)
    separation[points] = separated
    is_point = np.zeros(g.vcount(), dtype=bool)
    is_point[points] = True
    sector = graph.effective_sector()[nodes].astype(np.int64)
    reached = _sectors_reached(graph.social_pairs(), sector, g.vcount())
    territory = graph.effective_territory()[nodes]

    def describe(v: int) -> Bridge:
        node = int(nodes[v])
        return Bridge(
            node_id=str(graph.node_ids[node]),
            kind=str(NODE_KINDS[graph.node_kind[node]]),
            sector=None if sector[v] == UNKNOWN else str(SECTORS[sector[v]]),
            territory=None if territory[v] == UNKNOWN else graph.territories[territory[v]],
            betweenness=float(estimate.values[v]),
            articulation_point=bool(is_point[v]),
            separated_nodes=int(separation[v]),
            sectors_reached=int(reached[v]),
        )

    by_betweenness = np.lexsort((np.arange(g.vcount()), -estimate.values))[:top]
    by_betweenness = by_betweenness[estimate.values[by_betweenness] > 0]
    ranked_points = points[np.lexsort((points, -separated))][:top]
    components = g.connected_components()
    return Bridges(
        by_betweenness=tuple(describe(int(v)) for v in by_betweenness),
        by_separation=tuple(describe(int(v)) for v in ranked_points),
        articulation_points=len(points),
        components=len(components),
        largest_component=max(components.sizes()),
        betweenness=estimate,
    )


_EMPTY = "no link between persons or organizations in this window"


def _sectors_reached(pairs: np.ndarray, sector: np.ndarray, n: int) -> np.ndarray:
    ends = np.concatenate((pairs, pairs[:, ::-1]))
    ends = ends[sector[ends[:, 1]] >= 0]
    size = len(SECTORS)
    distinct = np.unique(ends[:, 0] * size + sector[ends[:, 1]])
    return np.bincount(distinct // size, minlength=n)
