"""Polis's two-level clustering: 100 base clusters, then 2..5 opinion groups chosen by silhouette.

Source: ``compdemocracy/polis`` ``math/src/polismath/math/clusters.clj`` (k-means, warm start,
silhouette) and ``conversation.clj`` (``base-clusters``, ``group-clusterings``,
``group-k-smoother``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

BASE_K = 100
BASE_ITERATIONS = 100
MAX_GROUPS = 5
# ``group-clusterings`` passes ``:cluster-iters``, which ``kmeans`` ignores, so groups get the
# default 20 iterations (delphi ``docs/CLOJURE_QUIRKS.md`` Q3).
GROUP_ITERATIONS = 20
GROUP_K_BUFFER = 4
# ``same-clustering?``: k-means stops once every centre moved less than this.
CENTER_TOLERANCE = 0.01


@dataclass(frozen=True)
class Clustering:
    """Cluster centres (k × 2), each point's cluster index, and the cluster weights."""

    centers: np.ndarray
    labels: np.ndarray
    counts: np.ndarray


def nearest_center(points: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each point's nearest centre index and its distance to it."""
    distances, labels = cKDTree(centers).query(points, k=1)
    return np.asarray(labels, dtype=np.int64), np.asarray(distances)


def first_distinct_rows(points: np.ndarray, k: int) -> np.ndarray:
    """Return the first ``k`` distinct rows of ``points`` in their order (``init-clusters``)."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]]


def kmeans(
    points: np.ndarray,
    init: np.ndarray,
    weights: np.ndarray | None = None,
    max_iterations: int = BASE_ITERATIONS,
) -> Clustering:
    """Return Lloyd's k-means from ``init`` with optional point weights (``clusters.clj`` ``kmeans``).

    Each step assigns points to their nearest centre and moves every centre to the weighted mean
    of its points; clusters left empty are dropped. It stops when every centre moved less than
    0.01 or after ``max_iterations`` steps.
    """
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    centers = np.asarray(init, dtype=float)
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(max_iterations):
        labels, _ = nearest_center(points, centers)
        counts = np.bincount(labels, weights=weights, minlength=len(centers))
        sums = np.stack(
            [
                np.bincount(labels, weights=weights * points[:, d], minlength=len(centers))
                for d in (0, 1)
            ],
            axis=1,
        )
        alive = counts > 0
        moved = sums[alive] / counts[alive][:, None]
        converged = alive.all() and bool(np.all(np.hypot(*(moved - centers).T) < CENTER_TOLERANCE))
        centers = moved
        if converged:
            break
    labels, _ = nearest_center(points, centers)
    counts = np.bincount(labels, weights=weights, minlength=len(centers))
    alive = counts > 0
    remap = np.cumsum(alive) - 1
    return Clustering(centers=centers[alive], labels=remap[labels], counts=counts[alive])


def warm_start_centers(
    points: np.ndarray,
    previous_labels: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Return k-means starting centres carried over from the previous update (``clean-start-clusters``).

    Previous clusters are recentred on their members' current positions (``previous_labels``,
    −1 for points new since then), empty ones dropped and identical centres merged; then, while
    there are fewer than ``min(k, distinct points)`` centres, the point farthest from its nearest
    centre becomes a new singleton centre.
    """
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    known = previous_labels >= 0
    centers = np.zeros((0, 2))
    if known.any():
        labels = previous_labels[known]
        size = int(labels.max()) + 1
        counts = np.bincount(labels, weights=weights[known], minlength=size)
        sums = np.stack(
            [
                np.bincount(labels, weights=weights[known] * points[known, d], minlength=size)
                for d in (0, 1)
            ],
            axis=1,
        )
        centers = sums[counts > 0] / counts[counts > 0][:, None]
        _, first = np.unique(centers, axis=0, return_index=True)
        centers = centers[np.sort(first)]
    target = min(k, len(np.unique(points, axis=0)))
    if len(centers) == 0 and target:
        centers = points[:1].astype(float)
    while len(centers) < target:
        _, distances = nearest_center(points, centers)
        centers = np.vstack([centers, points[np.argmax(distances)]])
    return centers[:target] if target else centers


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Return the unweighted mean silhouette of ``points`` (``clusters.clj`` ``silhouette``).

    For point i, ``a`` is its mean distance to the other members of its cluster and ``b`` the
    smallest mean distance to another cluster's members; ``s = (b − a) / max(a, b)``. Members of
    singleton clusters score 0. Computed densely: it only ever sees the ≤ 100 base centres.
    """
    clusters, labels = np.unique(labels, return_inverse=True)
    if len(clusters) < 2 or len(clusters) >= len(points):
        return -1.0
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    membership = np.eye(len(clusters))[labels]
    sizes = membership.sum(axis=0)
    totals = distances @ membership
    own_size = sizes[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = totals[np.arange(len(points)), labels] / (own_size - 1)
        means = totals / sizes
    means[np.arange(len(points)), labels] = np.inf
    b = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = (b - a) / np.maximum(a, b)
    scores[own_size == 1] = 0.0
    return float(np.mean(np.nan_to_num(scores)))


def max_group_count(n_base_clusters: int) -> int:
    """Return the largest k tried for groups: ``min(5, 2 + n_base // 12)`` (``max-k-fn``)."""
    return min(MAX_GROUPS, 2 + n_base_clusters // 12)


@dataclass
class KSmoother:
    """Hold the published number of groups until a new k wins 4 updates in a row.

    ``conversation.clj`` ``group-k-smoother`` with ``group-k-buffer`` 4; the first update
    publishes its own best k.
    """

    buffer: int = GROUP_K_BUFFER
    smoothed_k: int | None = None
    last_k: int | None = None
    last_k_count: int = 0
    history: list[int] = field(default_factory=list)

    def update(self, this_k: int) -> int:
        """Record this update's best k and return the published k."""
        self.last_k_count = self.last_k_count + 1 if this_k == self.last_k else 1
        self.last_k = this_k
        if self.smoothed_k is None or self.last_k_count >= self.buffer:
            self.smoothed_k = this_k
        self.history.append(this_k)
        return self.smoothed_k


@dataclass(frozen=True)
class GroupClustering:
    """The chosen opinion groups over base clusters, with the silhouette of each k tried."""

    k: int
    base_labels: np.ndarray
    centers: np.ndarray
    silhouettes: dict[int, float]
    clusterings: dict[int, Clustering]


def cluster_groups(
    base: Clustering,
    previous: dict[int, Clustering] | None = None,
    smoother: KSmoother | None = None,
) -> GroupClustering:
    """Return the groups: weighted k-means on base centres for each k, best silhouette wins.

    Cold starts take the first k distinct base centres; warm starts reuse the previous update's
    clustering for the same k. With a ``smoother`` the published k follows ``KSmoother``.
    """
    n_base = len(base.centers)
    clusterings: dict[int, Clustering] = {}
    scores: dict[int, float] = {}
    for k in range(2, max_group_count(n_base) + 1):
        if k >= n_base:
            break
        if previous and k in previous:
            init = _carry_over(base, previous[k], k)
        else:
            init = first_distinct_rows(base.centers, k)
        clustering = kmeans(base.centers, init, base.counts, GROUP_ITERATIONS)
        clusterings[k] = clustering
        scores[k] = silhouette(base.centers, clustering.labels)
    if not clusterings:
        single = Clustering(
            centers=np.average(base.centers, axis=0, weights=base.counts)[None, :]
            if n_base
            else np.zeros((0, 2)),
            labels=np.zeros(n_base, dtype=np.int64),
            counts=np.array([base.counts.sum()]) if n_base else np.zeros(0),
        )
        return GroupClustering(1, single.labels, single.centers, {}, {1: single})
    # Ties go to the smallest k, the first one tried.
    best_k = max(scores, key=lambda key: (scores[key], -key))
    k = smoother.update(best_k) if smoother else best_k
    if k not in clusterings:
        k = best_k
    chosen = clusterings[k]
    return GroupClustering(k, chosen.labels, chosen.centers, scores, clusterings)


def _carry_over(base: Clustering, previous: Clustering, k: int) -> np.ndarray:
    """Return starting group centres: the previous centres, completed if clusters were lost."""
    centers = previous.centers[:k]
    while len(centers) < min(k, len(base.centers)):
        _, distances = nearest_center(base.centers, centers)
        centers = np.vstack([centers, base.centers[np.argmax(distances)]])
    return centers
