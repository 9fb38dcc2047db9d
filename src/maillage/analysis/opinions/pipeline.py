"""The opinion-mapping pipeline: cold, replay and groups-from-export modes.

Source: ``compdemocracy/polis`` ``math/src/polismath/math/conversation.clj`` (the update graph).
Every mode builds the vote matrix, zeroes mod-out columns, runs the 2-component PCA and projects
participants; the modes differ in how the groups are found:

* ``cold``: one computation on the final votes (like Polis's cold-start re-run);
* ``replay``: the votes are replayed in timestamp order, one Polis update per tick, with warm
  starts (PCA, base and group k-means), the persistent in-conversation set and the k-smoother;
* ``groups_from_export``: groups are given (e.g. the ``group-id`` column of an export).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from maillage.analysis.opinions.clustering import (
    BASE_ITERATIONS,
    BASE_K,
    Clustering,
    KSmoother,
    cluster_groups,
    first_distinct_rows,
    kmeans,
    warm_start_centers,
)
from maillage.analysis.opinions.matrix import VoteMatrix, VoteTable, build_vote_matrix
from maillage.analysis.opinions.pca import (
    PCAResult,
    power_iteration_components,
    principal_components,
    project,
    rating_matrix,
    rating_vote_counts,
)
from maillage.analysis.opinions.statistics import (
    CommentStats,
    ConsensusStatement,
    GroupVotes,
    RepresentativeStatement,
    comment_stats,
    group_informed_consensus,
    group_votes,
    rating_group_votes,
    select_consensus,
    select_representative,
    statement_priority,
)

MODES = ("cold", "replay")
IN_CONV_MIN_VOTES = 7
IN_CONV_GREEDY = 15
# Replay: one Polis update per window of this many seconds that holds votes, merged down to at
# most ``DEFAULT_MAX_TICKS`` updates of similar vote counts.
DEFAULT_TICK_SECONDS = 60.0
DEFAULT_MAX_TICKS = 100


@dataclass(frozen=True)
class OpinionAnalysis:
    """Everything computed for one conversation, aligned on ``participant_ids`` / ``statement_ids``.

    ``group`` holds each participant's index into ``group_ids`` (−1: not clustered); the
    per-group arrays (``group_votes``, ``stats``) follow ``group_ids`` order.
    """

    mode: str
    seed: int
    participant_ids: np.ndarray
    statement_ids: np.ndarray
    n_votes: np.ndarray
    in_conv: np.ndarray
    group: np.ndarray
    group_ids: list[int]
    pca: PCAResult
    mod_out: np.ndarray
    is_meta: np.ndarray
    base: Clustering | None
    silhouettes: dict[int, float]
    group_votes: GroupVotes
    stats: CommentStats
    representative: dict[int, list[RepresentativeStatement]]
    consensus: dict[str, list[ConsensusStatement]]
    group_informed_consensus: np.ndarray
    priority: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    k_history: list[int] = field(default_factory=list)
    n_ticks: int = 1

    def group_of(self, participant_id: int) -> int | None:
        """Return the participant's group id, or None when they are not clustered."""
        row = int(np.flatnonzero(self.participant_ids == participant_id)[0])
        index = int(self.group[row])
        return None if index < 0 else self.group_ids[index]

    def group_sizes(self) -> dict[int, int]:
        """Return the number of participants in each group."""
        counts = np.bincount(self.group[self.group >= 0], minlength=len(self.group_ids))
        return {gid: int(count) for gid, count in zip(self.group_ids, counts, strict=True)}


def in_conversation(
    vote_counts: np.ndarray, n_statements: int, previous: np.ndarray | None = None
) -> np.ndarray:
    """Return the mask of participants who are clustered (``conversation.clj`` ``:in-conv``).

    A participant enters with ``≥ min(7, n_statements)`` votes (passes and votes on mod-out
    statements included) and never leaves (``previous``, aligned on the first rows); if fewer than
    15 are in, the most active others are added until there are 15 (ties: earliest first).
    """
    mask = vote_counts >= min(IN_CONV_MIN_VOTES, n_statements)
    if previous is not None:
        mask[: len(previous)] |= previous
    missing = IN_CONV_GREEDY - int(mask.sum())
    if missing > 0:
        outside = np.flatnonzero(~mask)
        order = outside[np.argsort(-vote_counts[outside], kind="stable")]
        mask[order[:missing]] = True
    return mask


def analyze(
    votes: VoteTable,
    *,
    mod_out_ids: Iterable[int] = (),
    meta_ids: Iterable[int] = (),
    mode: str = "cold",
    seed: int = 0,
    groups: Mapping[int, int | None] | None = None,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
    max_ticks: int = DEFAULT_MAX_TICKS,
) -> OpinionAnalysis:
    """Return the opinion analysis of ``votes`` (re-votes allowed: the latest per cell wins).

    ``mod_out_ids`` are rejected statements and ``meta_ids`` meta statements; both have their
    column zeroed. ``groups`` (participant id → group id or None) skips clustering and uses the
    given groups (``mode`` is then ignored). Same input and seed give the same output.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    if len(votes) == 0:
        raise ValueError("no votes: nothing to analyse")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    matrix = build_vote_matrix(votes)
    meta = np.isin(matrix.statement_ids, np.fromiter(meta_ids, dtype=np.int64))
    mod_out = meta | np.isin(matrix.statement_ids, np.fromiter(mod_out_ids, dtype=np.int64))
    timings["matrix"] = time.perf_counter() - started
    if groups is not None:
        return _with_export_groups(matrix, mod_out, meta, groups, seed, timings)
    if mode == "replay":
        return _replay(votes, matrix, mod_out, meta, seed, tick_seconds, max_ticks, timings)
    step = time.perf_counter()
    pca = _pca(matrix, mod_out, seed, start=None)
    timings["pca"] = time.perf_counter() - step
    step = time.perf_counter()
    in_conv = in_conversation(matrix.votes_per_participant(), matrix.shape[1])
    points = pca.participant_projection[in_conv]
    base = kmeans(points, first_distinct_rows(points, BASE_K), None, BASE_ITERATIONS)
    timings["base_clusters"] = time.perf_counter() - step
    step = time.perf_counter()
    grouping = cluster_groups(base)
    labels = np.full(matrix.shape[0], -1, dtype=np.int64)
    labels[in_conv] = grouping.base_labels[base.labels]
    timings["groups"] = time.perf_counter() - step
    return _finish(
        matrix,
        mod_out,
        meta,
        pca,
        in_conv,
        labels,
        list(range(grouping.k)),
        base,
        grouping.silhouettes,
        "cold",
        seed,
        timings,
        started,
        [grouping.k],
        1,
    )


def _pca(matrix: VoteMatrix, mod_out: np.ndarray, seed: int, start: np.ndarray | None) -> PCAResult:
    centred, center = rating_matrix(matrix, mod_out)
    if start is None:
        components = principal_components(centred, seed)
    else:
        components = power_iteration_components(centred, start)
    participants, statements = project(
        centred, center, components, rating_vote_counts(matrix, mod_out)
    )
    return PCAResult(center, components, participants, statements)


def _with_export_groups(
    matrix: VoteMatrix,
    mod_out: np.ndarray,
    meta: np.ndarray,
    groups: Mapping[int, int | None],
    seed: int,
    timings: dict[str, float],
) -> OpinionAnalysis:
    started = time.perf_counter() - timings["matrix"]
    step = time.perf_counter()
    pca = _pca(matrix, mod_out, seed, start=None)
    timings["pca"] = time.perf_counter() - step
    given = np.array(
        [
            -1 if groups.get(int(pid)) is None else int(groups[int(pid)])  # type: ignore[arg-type]
            for pid in matrix.participant_ids
        ],
        dtype=np.int64,
    )
    group_ids = sorted({int(g) for g in given if g >= 0})
    labels = np.searchsorted(np.array(group_ids, dtype=np.int64), given)
    labels[given < 0] = -1
    return _finish(
        matrix,
        mod_out,
        meta,
        pca,
        given >= 0,
        labels,
        group_ids,
        None,
        {},
        "groups_from_export",
        seed,
        timings,
        started,
        [len(group_ids)],
        1,
    )


def _finish(
    matrix: VoteMatrix,
    mod_out: np.ndarray,
    meta: np.ndarray,
    pca: PCAResult,
    in_conv: np.ndarray,
    labels: np.ndarray,
    group_ids: list[int],
    base: Clustering | None,
    silhouettes: dict[int, float],
    mode: str,
    seed: int,
    timings: dict[str, float],
    started: float,
    k_history: list[int],
    n_ticks: int,
) -> OpinionAnalysis:
    step = time.perf_counter()
    n_groups = len(group_ids)
    counts = group_votes(matrix, labels, n_groups)
    sizes = np.bincount(labels[labels >= 0], minlength=n_groups)
    stats = comment_stats(rating_group_votes(counts, sizes, mod_out))
    representative = select_representative(stats, matrix.statement_ids, mod_out)
    consensus = select_consensus(matrix, mod_out)
    gic = group_informed_consensus(counts)
    priority = statement_priority(counts, pca.statement_extremity, meta)
    timings["statistics"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return OpinionAnalysis(
        mode=mode,
        seed=seed,
        participant_ids=matrix.participant_ids,
        statement_ids=matrix.statement_ids,
        n_votes=matrix.votes_per_participant(),
        in_conv=in_conv,
        group=labels,
        group_ids=group_ids,
        pca=pca,
        mod_out=mod_out,
        is_meta=meta,
        base=base,
        silhouettes=silhouettes,
        group_votes=counts,
        stats=stats,
        representative=dict(zip(group_ids, representative, strict=True)),
        consensus=consensus,
        group_informed_consensus=gic,
        priority=priority,
        timings=timings,
        k_history=k_history,
        n_ticks=n_ticks,
    )


def replay_ticks(timestamps: np.ndarray, tick_seconds: float, max_ticks: int) -> np.ndarray:
    """Return the end index (exclusive) of each replay tick over time-sorted ``timestamps`` (ms).

    Polis recomputes shortly after new votes arrive, so a tick gathers the votes of one window of
    ``tick_seconds`` that holds votes; when that gives more than ``max_ticks`` updates, windows are
    merged into ``max_ticks`` ticks of similar vote counts (each still ending on a window edge),
    which bounds the cost on long conversations.
    """
    if len(timestamps) == 0:
        return np.zeros(0, dtype=np.int64)
    window = np.floor(timestamps / (tick_seconds * 1000.0)).astype(np.int64)
    ends = np.flatnonzero(np.diff(window)) + 1
    ends = np.append(ends, len(timestamps))
    if len(ends) > max_ticks:
        targets = np.linspace(0, len(timestamps), max_ticks + 1)[1:]
        chosen = np.unique(ends[np.minimum(np.searchsorted(ends, targets), len(ends) - 1)])
        ends = chosen
    return ends


def _replay(
    votes: VoteTable,
    final_matrix: VoteMatrix,
    mod_out_final: np.ndarray,
    meta_final: np.ndarray,
    seed: int,
    tick_seconds: float,
    max_ticks: int,
    timings: dict[str, float],
) -> OpinionAnalysis:
    """Replay the votes tick by tick with Polis's warm starts; return the last update's analysis.

    Carried from one update to the next, as in ``conversation.clj``: the PCA components (start of
    the power iteration, new statements padded with 1), the in-conversation set, the base clusters
    (``clean-start-clusters``), each k's group clustering, and the k-smoother. Final moderation is
    applied from the first tick, since exports do not date moderation decisions.
    """
    started = time.perf_counter() - timings["matrix"]
    step = time.perf_counter()
    ordered = votes.sorted_by_time()
    ends = replay_ticks(ordered.timestamps.astype(float), tick_seconds, max_ticks)
    mod_out_ids = final_matrix.statement_ids[mod_out_final]
    meta_ids = final_matrix.statement_ids[meta_final]
    rng = np.random.default_rng(seed)
    components_by_id: dict[int, np.ndarray] = {}
    in_conv_previous: np.ndarray | None = None
    base_labels_previous: np.ndarray | None = None
    groups_previous: dict[int, Clustering] = {}
    smoother = KSmoother()
    state = None
    for end in ends:
        matrix = build_vote_matrix(ordered.take(slice(0, int(end))))
        mod_out = np.isin(matrix.statement_ids, mod_out_ids)
        meta = np.isin(matrix.statement_ids, meta_ids)
        start = np.stack(
            [
                np.array(
                    [components_by_id.get(int(s), (1.0, 1.0))[k] for s in matrix.statement_ids]
                )
                if components_by_id
                else rng.standard_normal(matrix.shape[1])
                for k in range(2)
            ]
        )
        pca = _pca(matrix, mod_out, seed, start=start)
        components_by_id = {
            int(s): pca.components[:, j] for j, s in enumerate(matrix.statement_ids)
        }
        in_conv = in_conversation(matrix.votes_per_participant(), matrix.shape[1], in_conv_previous)
        in_conv_previous = in_conv
        points = pca.participant_projection[in_conv]
        if base_labels_previous is None:
            init = first_distinct_rows(points, BASE_K)
        else:
            previous = np.full(matrix.shape[0], -1, dtype=np.int64)
            previous[: len(base_labels_previous)] = base_labels_previous
            init = warm_start_centers(points, previous[in_conv], BASE_K)
        base = kmeans(points, init, None, BASE_ITERATIONS)
        base_labels_previous = np.full(matrix.shape[0], -1, dtype=np.int64)
        base_labels_previous[in_conv] = base.labels
        grouping = cluster_groups(base, groups_previous, smoother)
        groups_previous = grouping.clusterings
        state = (matrix, mod_out, meta, pca, in_conv, base, grouping)
    timings["replay"] = time.perf_counter() - step
    assert state is not None
    matrix, mod_out, meta, pca, in_conv, base, grouping = state
    labels = np.full(matrix.shape[0], -1, dtype=np.int64)
    labels[in_conv] = grouping.base_labels[base.labels]
    return _finish(
        matrix,
        mod_out,
        meta,
        pca,
        in_conv,
        labels,
        list(range(grouping.k)),
        base,
        grouping.silhouettes,
        "replay",
        seed,
        timings,
        started,
        smoother.history,
        len(ends),
    )
