"""Hybridization: how much co-production joins different sectors, and how that evolves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import COPRODUCTION, EDGE_KINDS, POOLING, SECTORS, CooperationGraph, period_index


@dataclass(frozen=True)
class PeriodShare:
    """Cross-sector share of one period's edges of the measured kind."""

    period: str
    edges: int
    cross_sector_edges: int
    cross_sector_share: float
    weighted_cross_sector_share: float


@dataclass(frozen=True)
class Hybridization:
    """Sector mix of one edge kind; ``explanation`` says why it is empty when it is.

    ``weight_matrix[a, b]`` sums the weights of edges between sectors a and b. For the
    undirected co-production it is symmetric (a cross-sector edge appears at [a, b] and [b, a],
    a same-sector edge once on the diagonal); for pooling, rows give and columns receive.
    """

    kind: str
    sectors: tuple[str, ...]
    edges: int
    unknown_sector_edges: int
    cross_sector_edges: int
    cross_sector_share: float
    weighted_cross_sector_share: float
    weight_matrix: np.ndarray
    count_matrix: np.ndarray
    trend: tuple[PeriodShare, ...]
    explanation: str | None = None


def hybridization(
    graph: CooperationGraph, *, kind: int = COPRODUCTION, period: str = "year"
) -> Hybridization:
    """Return the share of ``kind`` edges between different sectors, the matrix and the trend.

    The share is (edges whose two ends have known, different effective sectors) / (edges whose
    two ends have a known sector), by count and by weight; persons without a sector take their
    main organization's (see ``CooperationGraph.effective_sector``). This is the
    "cross-fertilization" the Liberty Living Lab values, measured as the proportion of
    heterophilous ties (McPherson, Smith-Lovin & Cook 2001, "Birds of a feather").
    """
    sectors = graph.effective_sector()
    mask = graph.edge_kind == kind
    a = sectors[graph.edge_source[mask]].astype(np.int64)
    b = sectors[graph.edge_target[mask]].astype(np.int64)
    weight = graph.edge_weight[mask]
    times = graph.edge_time[mask]
    known = (a >= 0) & (b >= 0)
    unknown = int((~known).sum())
    a, b, weight, times = a[known], b[known], weight[known], times[known]
    size = len(SECTORS)
    counts = np.bincount(a * size + b, minlength=size * size).reshape(size, size).astype(float)
    weights = np.bincount(a * size + b, weights=weight, minlength=size * size).reshape(size, size)
    if kind != POOLING:
        counts = _symmetrize(counts)
        weights = _symmetrize(weights)
    cross = a != b
    name = str(EDGE_KINDS[kind])
    explanation = None
    if len(a) == 0:
        explanation = f"no {name} edge with known sectors in this window" + (
            f" ({unknown} edges have an end without sector)" if unknown else ""
        )
    return Hybridization(
        kind=name,
        sectors=tuple(str(s) for s in SECTORS),
        edges=len(a),
        unknown_sector_edges=unknown,
        cross_sector_edges=int(cross.sum()),
        cross_sector_share=_share(cross.sum(), len(a)),
        weighted_cross_sector_share=_share(weight[cross].sum(), weight.sum()),
        weight_matrix=weights,
        count_matrix=counts,
        trend=_trend(cross, weight, times, period),
        explanation=explanation,
    )


def _symmetrize(matrix: np.ndarray) -> np.ndarray:
    return matrix + matrix.T - np.diag(np.diag(matrix))


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole > 0 else 0.0


def _trend(
    cross: np.ndarray, weight: np.ndarray, times: np.ndarray, period: str
) -> tuple[PeriodShare, ...]:
    index, labels = period_index(times, period)
    dated = index >= 0
    index, cross, weight = index[dated], cross[dated], weight[dated]
    periods = len(labels)
    edges = np.bincount(index, minlength=periods)
    crossing = np.bincount(index[cross], minlength=periods)
    total_weight = np.bincount(index, weights=weight, minlength=periods)
    cross_weight = np.bincount(index[cross], weights=weight[cross], minlength=periods)
    return tuple(
        PeriodShare(
            period=label,
            edges=int(edges[i]),
            cross_sector_edges=int(crossing[i]),
            cross_sector_share=_share(crossing[i], edges[i]),
            weighted_cross_sector_share=_share(cross_weight[i], total_weight[i]),
        )
        for i, label in enumerate(labels)
    )
