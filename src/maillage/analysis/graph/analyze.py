"""Every measure of the cooperation graph in one call, and its plain-JSON form."""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .bridges import Bridges, bridges
from .communities import Communities, communities
from .hybridization import Hybridization, hybridization
from .loops import Loops, loops
from .model import EDGE_KINDS, POOLING, CooperationGraph
from .participation import LoopEvent, ParticipationLoops, participation_loops
from .pooling import PoolingBalance, pooling_balance
from .snowball import Snowball, snowball

STEPS: tuple[str, ...] = (
    "hybridization",
    "bridges",
    "communities",
    "loops",
    "snowball",
    "pooling",
    "participation",
)


@dataclass(frozen=True)
class GraphAnalysis:
    """All measures of one window of the graph; ``explanation`` is set when it is empty."""

    nodes: int
    edges: int
    edges_by_kind: dict[str, int]
    hybridization: Hybridization
    pooling_hybridization: Hybridization
    bridges: Bridges
    communities: Communities
    loops: Loops
    snowball: Snowball
    pooling: PoolingBalance
    participation: ParticipationLoops
    seconds: dict[str, float]
    explanation: str | None = None


def analyze(
    graph: CooperationGraph,
    *,
    events: Iterable[LoopEvent] = (),
    period: str = "year",
    pivots: int | None = 256,
    epsilon: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> GraphAnalysis:
    """Return every measure of ``graph`` (already windowed) and of the participation events.

    ``pivots`` (or ``epsilon``) sets the betweenness sampling, see ``bridges.bridges``.
    ``on_step`` is called with each step's name once it is done (for progress bars). An empty
    graph gives empty measures, each saying why.
    """
    seconds: dict[str, float] = {}

    def timed(name: str, compute: Callable[[], object]) -> object:
        start = time.perf_counter()
        result = compute()
        seconds[name] = time.perf_counter() - start
        if on_step is not None:
            on_step(name)
        return result

    hybrid = timed("hybridization", lambda: hybridization(graph, period=period))
    pooled_mix = hybridization(graph, kind=POOLING, period=period)
    bridge = timed(
        "bridges",
        lambda: bridges(graph, pivots=pivots, epsilon=epsilon, seed=seed, workers=workers),
    )
    community = timed("communities", lambda: communities(graph, seed=seed))
    loop = timed("loops", lambda: loops(graph))
    snow = timed("snowball", lambda: snowball(graph, period=period))
    balance = timed("pooling", lambda: pooling_balance(graph, period=period))
    participation = timed("participation", lambda: participation_loops(events))
    counts = np.bincount(graph.edge_kind, minlength=len(EDGE_KINDS))
    return GraphAnalysis(
        nodes=graph.node_count,
        edges=graph.edge_count,
        edges_by_kind={str(kind): int(counts[i]) for i, kind in enumerate(EDGE_KINDS)},
        hybridization=hybrid,  # type: ignore[arg-type]
        pooling_hybridization=pooled_mix,
        bridges=bridge,  # type: ignore[arg-type]
        communities=community,  # type: ignore[arg-type]
        loops=loop,  # type: ignore[arg-type]
        snowball=snow,  # type: ignore[arg-type]
        pooling=balance,  # type: ignore[arg-type]
        participation=participation,  # type: ignore[arg-type]
        seconds=seconds,
        explanation=None if graph.edge_count else "no edge in this window: nothing to measure",
    )


# Per-node arrays are for callers that store them; the JSON keeps the readable summaries.
_BULKY = {"membership", "nodes", "parent", "table", "values"}


def to_jsonable(value: object) -> object:
    """Return ``value`` (dataclasses, numpy, enums) as plain JSON types, skipping per-node arrays."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _BULKY
        }
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
