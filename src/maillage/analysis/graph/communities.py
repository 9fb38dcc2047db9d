"""Leiden communities of the social graph and how they cross territories and sectors."""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np

from .model import ORGANIZATION, PERSON, SECTORS, UNKNOWN, CooperationGraph


@dataclass(frozen=True)
class Community:
    """One community: its size, its mix of sectors and territories."""

    index: int
    size: int
    persons: int
    organizations: int
    sectors: dict[str, int]
    territories: dict[str, int]
    sector_diversity: float
    territory_diversity: float


@dataclass(frozen=True)
class Communities:
    """The partition, its quality and how much it crosses territories and sectors.

    ``membership[i]`` is the community of social-graph vertex i, i.e. of node
    ``nodes[i]``; communities are numbered by decreasing size.
    """

    membership: np.ndarray
    nodes: np.ndarray
    count: int
    modularity: float
    share_in_multi_territory: float
    share_in_multi_sector: float
    largest: tuple[Community, ...]
    explanation: str | None = None


def communities(
    graph: CooperationGraph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    iterations: int = 2,
    top: int = 20,
) -> Communities:
    """Return the Leiden modularity communities of the social graph (weights summed).

    Leiden: Traag, Waltman & van Eck (2019), "From Louvain to Leiden: guaranteeing
    well-connected communities", run by igraph's C implementation. Diversities are Shannon
    entropies normalized by the log of the number of categories present in the whole graph
    (Pielou's evenness): 0 when one territory (or sector) makes the whole community, 1 when
    all are evenly mixed. Shares count nodes in communities that span at least two known
    territories (sectors).
    """
    g, nodes = graph.social_graph()
    if g.ecount() == 0:
        return Communities(
            np.zeros(g.vcount(), dtype=np.int64), nodes, 0, 0.0, 0.0, 0.0, (), _EMPTY
        )
    membership = _leiden(g, resolution=resolution, seed=seed, iterations=iterations)
    modularity = g.modularity(membership.tolist(), weights="weight", resolution=resolution)
    count = int(membership.max()) + 1
    sector = graph.effective_sector()[nodes].astype(np.int64)
    territory = graph.effective_territory()[nodes].astype(np.int64)
    sector_table = _crosstab(membership, sector, count, len(SECTORS))
    territory_table = _crosstab(membership, territory, count, len(graph.territories))
    size = np.bincount(membership, minlength=count)
    kind = graph.node_kind[nodes]
    persons = np.bincount(membership[kind == PERSON], minlength=count)
    organizations = np.bincount(membership[kind == ORGANIZATION], minlength=count)
    multi_territory = (territory_table > 0).sum(axis=1) >= 2
    multi_sector = (sector_table > 0).sum(axis=1) >= 2
    sector_evenness = _evenness(sector_table)
    territory_evenness = _evenness(territory_table)

    def describe(c: int) -> Community:
        territories = {
            graph.territories[t]: int(territory_table[c, t])
            for t in np.argsort(-territory_table[c], kind="stable")[:10]
            if territory_table[c, t] > 0
        }
        return Community(
            index=c,
            size=int(size[c]),
            persons=int(persons[c]),
            organizations=int(organizations[c]),
            sectors={str(s): int(sector_table[c, i]) for i, s in enumerate(SECTORS)},
            territories=territories,
            sector_diversity=float(sector_evenness[c]),
            territory_diversity=float(territory_evenness[c]),
        )

    return Communities(
        membership=membership,
        nodes=nodes,
        count=count,
        modularity=float(modularity),
        share_in_multi_territory=float(size[multi_territory].sum() / size.sum()),
        share_in_multi_sector=float(size[multi_sector].sum() / size.sum()),
        largest=tuple(describe(c) for c in range(min(top, count))),
    )


_EMPTY = "no link between persons or organizations in this window"


def _leiden(g: ig.Graph, *, resolution: float, seed: int, iterations: int) -> np.ndarray:
    # igraph draws from the RNG installed globally: install a seeded one, then restore.
    previous = ig.set_random_number_generator(random.Random(seed))
    try:
        clustering = g.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        ig.set_random_number_generator(previous or random)
    raw = np.asarray(clustering.membership, dtype=np.int64)
    sizes = np.bincount(raw)
    # Renumber by decreasing size (then by first member) so that results are stable to read.
    first = np.full(len(sizes), len(raw))
    np.minimum.at(first, raw, np.arange(len(raw)))
    order = np.lexsort((first, -sizes))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[raw]


def _crosstab(rows: np.ndarray, columns: np.ndarray, nrows: int, ncolumns: int) -> np.ndarray:
    known = columns != UNKNOWN
    if ncolumns == 0:
        return np.zeros((nrows, 0), dtype=np.int64)
    flat = rows[known] * ncolumns + columns[known]
    return np.bincount(flat, minlength=nrows * ncolumns).reshape(nrows, ncolumns)


def _evenness(table: np.ndarray) -> np.ndarray:
    present = (table.sum(axis=0) > 0).sum()
    if present < 2:
        return np.zeros(len(table))
    totals = table.sum(axis=1, keepdims=True)
    p = np.divide(table, totals, out=np.zeros(table.shape), where=totals > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    # Clip the -0.0 that one-category rows produce.
    return np.maximum(entropy / np.log(present), 0.0)
