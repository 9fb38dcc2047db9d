"""Loops of pooling: reciprocity (A gives to B and B to A) and longer cycles of exchange."""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
from scipy import sparse

from .model import POOLING, CooperationGraph, collapse_directed


@dataclass(frozen=True)
class ReciprocalPair:
    """Two nodes that pool towards each other, with the weight given each way."""

    first: str
    second: str
    first_to_second: float
    second_to_first: float


@dataclass(frozen=True)
class Cycle:
    """A directed cycle of pooling, in giving order (the last node gives to the first)."""

    nodes: tuple[str, ...]
    weakest_weight: float


@dataclass(frozen=True)
class Loops:
    """Reciprocity and cycles of the pooling graph.

    ``reciprocity`` is the share of directed pooling pairs whose reverse pair also exists
    (Garlaschelli & Loffredo 2004, the "default" reciprocity of igraph). ``three_cycles`` is
    the exact number of directed 3-cycles; ``cycles`` lists cycles of length 3 to
    ``max_length``, up to the caps; ``complete`` says whether the listing is exhaustive.
    """

    pooling_pairs: int
    reciprocated_pairs: int
    reciprocity: float
    reciprocal_pairs: tuple[ReciprocalPair, ...]
    three_cycles: int
    cycles: tuple[Cycle, ...]
    cycles_by_length: dict[int, int]
    complete: bool
    max_length: int
    nodes_in_exchange_loops: int
    explanation: str | None = None


def loops(
    graph: CooperationGraph,
    *,
    max_length: int = 5,
    max_cycles: int = 1000,
    max_steps: int = 2_000_000,
    top: int = 20,
) -> Loops:
    """Return reciprocity and cycles of exchange of the directed pooling graph.

    Cycles can only live inside a strongly connected component (Tarjan 1972), so the search
    runs on each non-trivial one; it enumerates each simple cycle once, from its smallest
    vertex, by depth-first search bounded by ``max_length``, and stops after ``max_cycles``
    cycles or ``max_steps`` explored arcs (then ``complete`` is False). The number of
    3-cycles is always exact: trace(A^3) / 3 for the 0/1 adjacency matrix A without loops.
    """
    source, target, weight, n = collapse_directed(graph, POOLING)
    if len(source) == 0:
        return Loops(0, 0, 0.0, (), 0, (), {}, True, max_length, 0, _EMPTY)
    key = source * n + target
    reverse = np.isin(target * n + source, key)
    forward = source < target
    pairs = np.flatnonzero(reverse & forward)
    reverse_weight = dict(zip(key.tolist(), weight.tolist(), strict=True))
    ranked = pairs[np.argsort(-(weight[pairs]), kind="stable")][:top]
    reciprocal = tuple(
        ReciprocalPair(
            first=str(graph.node_ids[source[i]]),
            second=str(graph.node_ids[target[i]]),
            first_to_second=float(weight[i]),
            second_to_first=float(reverse_weight[int(target[i] * n + source[i])]),
        )
        for i in ranked
    )
    g = ig.Graph(n=n, edges=np.column_stack((source, target)), directed=True)
    scc = np.asarray(g.connected_components(mode="strong").membership, dtype=np.int64)
    inside = scc[source] == scc[target]
    three = _three_cycles(source[inside], target[inside], n)
    cycles, complete = _list_cycles(
        source[inside], target[inside], weight[inside], scc, max_length, max_cycles, max_steps
    )
    by_length: dict[int, int] = {}
    for nodes, _ in cycles:
        by_length[len(nodes)] = by_length.get(len(nodes), 0) + 1
    in_loops = np.zeros(n, dtype=bool)
    in_loops[source[inside]] = True
    return Loops(
        pooling_pairs=len(source),
        reciprocated_pairs=int(reverse.sum()),
        reciprocity=float(reverse.sum() / len(source)),
        reciprocal_pairs=reciprocal,
        three_cycles=three,
        cycles=tuple(
            Cycle(tuple(str(graph.node_ids[v]) for v in nodes), low) for nodes, low in cycles
        ),
        cycles_by_length=dict(sorted(by_length.items())),
        complete=complete,
        max_length=max_length,
        nodes_in_exchange_loops=int(in_loops.sum()),
    )


_EMPTY = "no pooling edge in this window"


def _three_cycles(source: np.ndarray, target: np.ndarray, n: int) -> int:
    if len(source) == 0:
        return 0
    a = sparse.csr_matrix((np.ones(len(source)), (source, target)), shape=(n, n))
    at = a.T.tocsr()
    total = 0.0
    # Row blocks keep A @ A from materializing whole when hubs make it dense.
    for start in range(0, n, 20_000):
        block = a[start : start + 20_000] @ a
        total += block.multiply(at[start : start + 20_000]).sum()
    return int(round(total / 3))


def _list_cycles(
    source: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    scc: np.ndarray,
    max_length: int,
    max_cycles: int,
    max_steps: int,
) -> tuple[list[tuple[tuple[int, ...], float]], bool]:
    adjacency: dict[int, list[tuple[int, float]]] = {}
    for u, v, w in zip(source.tolist(), target.tolist(), weight.tolist(), strict=True):
        adjacency.setdefault(u, []).append((v, w))
    for neighbours in adjacency.values():
        neighbours.sort()
    found: list[tuple[tuple[int, ...], float]] = []
    component_of = scc.tolist()
    steps = 0
    for start in sorted(adjacency):
        component = component_of[start]
        path = [start]
        lows = [np.inf]
        on_path = {start}
        stack = [iter(adjacency[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                on_path.discard(path.pop())
                lows.pop()
                continue
            steps += 1
            if steps > max_steps:
                return found, False
            v, w = step
            if v == start:
                if len(path) >= 3:
                    found.append((tuple(path), float(min(lows[-1], w))))
                    if len(found) >= max_cycles:
                        return found, False
                continue
            # Canonical start: only vertices above it, in its component, not on the path.
            if v < start or v in on_path or component_of[v] != component or len(path) >= max_length:
                continue
            path.append(v)
            lows.append(min(lows[-1], w))
            on_path.add(v)
            stack.append(iter(adjacency.get(v, ())))
    return found, True
