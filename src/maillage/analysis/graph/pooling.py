"""Pooling versus co-production, per organization and over time.

The seed warns that pooling does not necessarily develop cooperation: an organization that
lends and borrows but never co-produces is pooling, not cooperating. Both are kept apart here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import COPRODUCTION, ORGANIZATION, POOLING, CooperationGraph, period_index


@dataclass(frozen=True)
class OrganizationBalance:
    """One organization's pooling (given, received) and co-production with others."""

    organization: str
    pooling_given: float
    pooling_received: float
    coproduction: float
    coproduction_share: float


@dataclass(frozen=True)
class PeriodBalance:
    """The whole graph's pooling and co-production in one period (edge counts and weights)."""

    period: str
    pooling_edges: int
    coproduction_edges: int
    pooling_weight: float
    coproduction_weight: float
    organizations_pooling_only: int


@dataclass(frozen=True)
class PoolingBalance:
    """Per organization and per period, pooling and co-production side by side.

    ``table`` has one row per (organization, period) with at least one of either: columns
    organization node index, period index, pooling given, pooling received, co-production weight.
    """

    organizations: int
    pooling_only: int
    coproducing: int
    top: tuple[OrganizationBalance, ...]
    by_period: tuple[PeriodBalance, ...]
    periods: tuple[str, ...]
    table: np.ndarray
    explanation: str | None = None


def pooling_balance(
    graph: CooperationGraph, *, period: str = "year", top: int = 20
) -> PoolingBalance:
    """Return pooling and co-production per organization and period.

    A co-production edge counts for the organization of each end (a person's main
    organization) when the other end belongs to another organization or to none: co-writing
    inside one organization is its own work, not cooperation between organizations. Pooling
    counts for its giver and its receiver. ``coproduction_share`` is
    co-production / (co-production + pooling given + pooling received), by weight.
    """
    # Compact numbering of organizations keeps the (organization, period) arrays small.
    org_nodes = np.flatnonzero(graph.node_kind == ORGANIZATION)
    # One extra slot, read by index -1, maps "no organization" to -1.
    compact = np.full(graph.node_count + 1, -1, dtype=np.int64)
    compact[org_nodes] = np.arange(len(org_nodes))
    organization = compact[graph.main_organization()]
    index, labels = period_index(graph.edge_time, period)
    # Undated edges count in the totals but in no period: give them a slot of their own.
    slot = np.where(index >= 0, index, len(labels))
    slots = len(labels) + 1
    n = len(org_nodes)

    pooling = np.flatnonzero(graph.edge_kind == POOLING)
    giver = organization[graph.edge_source[pooling]]
    receiver = organization[graph.edge_target[pooling]]
    copro = np.flatnonzero(graph.edge_kind == COPRODUCTION)
    left = organization[graph.edge_source[copro]]
    right = organization[graph.edge_target[copro]]
    between = left != right
    copro, left, right = copro[between], left[between], right[between]
    credited = np.concatenate((left, right))
    credited_edges = np.concatenate((copro, copro))
    has_org = credited >= 0
    credited, credited_edges = credited[has_org], credited_edges[has_org]

    def accumulate(owner: np.ndarray, edges: np.ndarray) -> np.ndarray:
        keep = owner >= 0
        key = owner[keep] * slots + slot[edges[keep]]
        weights = graph.edge_weight[edges[keep]]
        return np.bincount(key, weights=weights, minlength=n * slots).reshape(n, slots)

    given = accumulate(giver, pooling)
    received = accumulate(receiver, pooling)
    coproduced = accumulate(credited, credited_edges)
    pooled_total = given.sum(axis=1) + received.sum(axis=1)
    copro_total = coproduced.sum(axis=1)
    active = np.flatnonzero((pooled_total > 0) | (copro_total > 0))
    pooling_only = (pooled_total > 0) & (copro_total == 0)
    coproducing = copro_total > 0

    cells = (given > 0) | (received > 0) | (coproduced > 0)
    rows, columns = np.nonzero(cells)
    dated = columns < len(labels)
    rows, columns = rows[dated], columns[dated]
    table = np.column_stack(
        (
            org_nodes[rows],
            columns,
            given[rows, columns],
            received[rows, columns],
            coproduced[rows, columns],
        )
    )
    ranked = active[np.lexsort((active, -(pooled_total[active] + copro_total[active])))][:top]
    period_pooling_only = ((given + received > 0) & (coproduced == 0)).sum(axis=0)
    pooling_edges = np.bincount(slot[pooling], minlength=slots)
    copro_edges = np.bincount(slot[graph.edge_kind == COPRODUCTION], minlength=slots)
    all_copro = graph.edge_kind == COPRODUCTION
    return PoolingBalance(
        organizations=len(active),
        pooling_only=int(pooling_only.sum()),
        coproducing=int(coproducing.sum()),
        top=tuple(
            OrganizationBalance(
                organization=str(graph.node_ids[org_nodes[o]]),
                pooling_given=float(given[o].sum()),
                pooling_received=float(received[o].sum()),
                coproduction=float(copro_total[o]),
                coproduction_share=float(copro_total[o] / (copro_total[o] + pooled_total[o])),
            )
            for o in ranked
        ),
        by_period=tuple(
            PeriodBalance(
                period=label,
                pooling_edges=int(pooling_edges[i]),
                coproduction_edges=int(copro_edges[i]),
                pooling_weight=float(graph.edge_weight[pooling][slot[pooling] == i].sum()),
                coproduction_weight=float(graph.edge_weight[all_copro & (slot == i)].sum()),
                organizations_pooling_only=int(period_pooling_only[i]),
            )
            for i, label in enumerate(labels)
        ),
        periods=tuple(labels),
        table=table,
        explanation=None if len(active) else "no pooling or co-production by organizations here",
    )
