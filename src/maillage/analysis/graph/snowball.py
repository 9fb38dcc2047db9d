"""Snowball: invitation trees, their depth and breadth, and the reproduction of participation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import INVITATION, CooperationGraph, period_index


@dataclass(frozen=True)
class InvitationTree:
    """One tree grown from a root who was not invited."""

    root: str
    size: int
    depth: int
    breadth: int


@dataclass(frozen=True)
class PeriodReproduction:
    """Participants who joined in a period and how many new ones they brought (ever)."""

    period: str
    joined: int
    brought: int
    reproduction_number: float


@dataclass(frozen=True)
class Snowball:
    """The invitation forest and its reproduction number over time.

    ``parent[i]`` is the node index of whoever brought node i (i itself for a root, -1 for a
    node never involved in an invitation).
    """

    parent: np.ndarray
    participants: int
    trees: int
    max_depth: int
    max_breadth: int
    reproduction_number: float
    largest: tuple[InvitationTree, ...]
    by_period: tuple[PeriodReproduction, ...]
    explanation: str | None = None


def snowball(graph: CooperationGraph, *, period: str = "year", top: int = 20) -> Snowball:
    """Return the invitation trees and the reproduction number of participation.

    Reading invitations in time order (then input order), a node joins at its first
    appearance: if that is as an invitee, the inviter (already joined, or joining now as a
    root) becomes its parent; later invitations of someone already there are ignored, so the
    parents form a forest. Depth is the longest root-to-leaf path, breadth the largest number
    of nodes at one depth of one tree. The reproduction number R is the mean number of new
    participants brought per participant (Anderson & May 1991); per period it is the cohort R
    of those who joined then (Wallinga & Teunis 2004), right-censored for recent cohorts,
    who have had less time to bring anyone. Undated invitations come after dated ones.
    """
    mask = np.flatnonzero(graph.edge_kind == INVITATION)
    n = graph.node_count
    parent = np.full(n, -1, dtype=np.int64)
    if len(mask) == 0:
        return Snowball(parent, 0, 0, 0, 0, 0.0, (), (), "no invitation in this window")
    times = graph.edge_time[mask]
    order = mask[np.lexsort((mask, np.isnat(times), times))]
    stream = np.column_stack((graph.edge_source[order], graph.edge_target[order])).ravel()
    nodes, first = np.unique(stream, return_index=True)
    invited = first % 2 == 1
    parent[nodes] = nodes
    parent[nodes[invited]] = stream[first[invited] - 1]
    join_time = graph.edge_time[order][first // 2]

    root, depth = _roots_and_depths(parent, nodes)
    trees = nodes[parent[nodes] == nodes]
    tree_size = np.bincount(root[nodes], minlength=n)
    max_depth_per_tree = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_depth_per_tree, root[nodes], depth[nodes])
    level_key = root[nodes] * (int(depth.max()) + 1) + depth[nodes]
    levels, level_count = np.unique(level_key, return_counts=True)
    breadth = np.zeros(n, dtype=np.int64)
    np.maximum.at(breadth, levels // (int(depth.max()) + 1), level_count)

    children = np.bincount(parent[nodes[invited]], minlength=n)
    ranked = trees[np.lexsort((trees, -tree_size[trees]))][:top]
    index, labels = period_index(join_time, period)
    brought = children[nodes]
    joined_per = np.bincount(index[index >= 0], minlength=len(labels))
    brought_per = np.bincount(index[index >= 0], weights=brought[index >= 0], minlength=len(labels))
    return Snowball(
        parent=parent,
        participants=len(nodes),
        trees=len(trees),
        max_depth=int(depth.max()),
        max_breadth=int(breadth.max()),
        reproduction_number=float(invited.sum() / len(nodes)),
        largest=tuple(
            InvitationTree(
                root=str(graph.node_ids[r]),
                size=int(tree_size[r]),
                depth=int(max_depth_per_tree[r]),
                breadth=int(breadth[r]),
            )
            for r in ranked
        ),
        by_period=tuple(
            PeriodReproduction(
                period=label,
                joined=int(joined_per[i]),
                brought=int(brought_per[i]),
                reproduction_number=float(brought_per[i] / joined_per[i]) if joined_per[i] else 0.0,
            )
            for i, label in enumerate(labels)
        ),
    )


def _roots_and_depths(parent: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each node's root and depth by pointer jumping (Wyllie 1979), O(n log depth)."""
    pointer = parent.copy()
    outside = pointer < 0
    pointer[outside] = np.flatnonzero(outside)
    depth = (pointer != np.arange(len(pointer))).astype(np.int64)
    while True:
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            return pointer, depth
        depth = depth + depth[pointer]
        pointer = jumped
