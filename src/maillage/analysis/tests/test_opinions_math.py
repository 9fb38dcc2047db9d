"""Opinion math on tiny hand-made matrices whose values are computed by hand."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from maillage.analysis.opinions import VoteTable, analyze, build_vote_matrix, in_conversation
from maillage.analysis.opinions.clustering import (
    KSmoother,
    first_distinct_rows,
    kmeans,
    max_group_count,
    silhouette,
    warm_start_centers,
)
from maillage.analysis.opinions.pca import (
    principal_components,
    project,
    rating_matrix,
    rating_vote_counts,
)
from maillage.analysis.opinions.statistics import (
    GroupVotes,
    comment_stats,
    group_informed_consensus,
    group_votes,
    prop_test,
    select_consensus,
    select_representative,
    statement_priority,
    two_prop_test,
)


def table(rows: list[tuple[int, int, int]], timestamps: list[int] | None = None) -> VoteTable:
    """Return a VoteTable from (participant, statement, vote) rows, timestamps in row order."""
    array = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return VoteTable(
        participant_ids=array[:, 0],
        statement_ids=array[:, 1],
        values=array[:, 2].astype(np.int8),
        timestamps=np.array(timestamps or list(range(len(rows))), dtype=np.int64),
    )


# p0: agree s0, disagree s1; p1: agree s0, pass s1; p2: disagree s0.
SMALL = [(0, 0, 1), (0, 1, -1), (1, 0, 1), (1, 1, 0), (2, 0, -1)]


def test_prop_test_matches_hand_value() -> None:
    assert prop_test(3, 4) == pytest.approx(2 * math.sqrt(5) * (4 / 5 - 0.5), abs=1e-15)


def test_two_prop_test_matches_hand_value_and_is_zero_when_everyone_succeeds() -> None:
    # (3+1)/(4+1) = 0.8 vs (1+1)/(4+1) = 0.4, pooled 0.6.
    expected = 0.4 / math.sqrt(0.6 * 0.4 * (1 / 5 + 1 / 5))
    assert two_prop_test(3, 1, 4, 4) == pytest.approx(expected, abs=1e-14)
    assert two_prop_test(4, 4, 4, 4) == 0.0


def test_latest_vote_replaces_earlier_one_and_passes_are_stored() -> None:
    votes = table([(7, 1, 1), (7, 1, -1), (8, 1, 0)], timestamps=[10, 20, 15])
    matrix = build_vote_matrix(votes)
    assert matrix.participant_ids.tolist() == [7, 8]
    assert matrix.matrix.toarray().tolist() == [[-1.0], [0.0]]
    assert matrix.votes_per_participant().tolist() == [1, 1]


def test_rows_follow_first_vote_and_seconds_order_is_by_timestamp() -> None:
    votes = table([(5, 0, 1), (3, 1, 1), (3, 0, 1)], timestamps=[30, 10, 20])
    assert build_vote_matrix(votes).participant_ids.tolist() == [3, 5]


def test_centred_matrix_is_sparse_with_column_means_of_voted_cells() -> None:
    matrix = build_vote_matrix(table(SMALL))
    centred, center = rating_matrix(matrix, np.zeros(2, dtype=bool))
    assert center.tolist() == pytest.approx([1 / 3, -0.5])
    assert centred.nnz == 5
    assert centred.toarray() == pytest.approx(
        np.array([[2 / 3, -0.5], [2 / 3, 0.5], [-4 / 3, 0.0]])
    )


def test_components_and_projections_match_hand_values() -> None:
    matrix = build_vote_matrix(table(SMALL))
    mod_out = np.zeros(2, dtype=bool)
    centred, center = rating_matrix(matrix, mod_out)
    # C^T C = [[24/9, 0], [0, 1/2]]: the components are the two axes.
    components = principal_components(centred, seed=0)
    assert components == pytest.approx(np.eye(2), abs=1e-12)
    participants, statements = project(
        centred, center, components, rating_vote_counts(matrix, mod_out)
    )
    # p2 voted once out of two statements: scaled by sqrt(2 / 1).
    assert participants == pytest.approx(
        np.array([[2 / 3, -0.5], [2 / 3, 0.5], [-4 / 3 * math.sqrt(2), 0.0]])
    )
    assert statements == pytest.approx(
        np.array([[math.sqrt(2) * 2 / 3, 0.0], [0.0, math.sqrt(2) * 1.5]])
    )


def test_meta_statements_have_their_column_zeroed() -> None:
    matrix = build_vote_matrix(table(SMALL))
    mod_out = np.array([False, True])
    centred, center = rating_matrix(matrix, mod_out)
    assert center.tolist() == pytest.approx([1 / 3, 0.0])
    assert centred.toarray()[:, 1].tolist() == [0.0, 0.0, 0.0]
    # The zeroed column counts as voted for everyone: p2 now has 2 of 2 cells.
    assert rating_vote_counts(matrix, mod_out).tolist() == [2, 2, 2]
    result = analyze(table(SMALL), meta_ids=[1])
    assert result.is_meta.tolist() == [False, True]
    assert result.priority[1] == 49.0
    assert all(e.statement_id != 1 for g in result.representative.values() for e in g)


def test_in_conversation_threshold_is_seven_or_the_number_of_statements() -> None:
    counts = np.array([7, 6, 3, 2] + [9] * 20)
    assert in_conversation(counts, 100)[:4].tolist() == [True, False, False, False]
    assert in_conversation(counts, 3)[:4].tolist() == [True, True, True, False]


def test_in_conversation_keeps_earlier_members_and_fills_to_fifteen() -> None:
    counts = np.array([9] * 10 + [1, 5, 2, 4, 3, 0, 0, 0])
    mask = in_conversation(counts, 50)
    assert mask.sum() == 15
    # The five most active of the rest join: 5, 4, 3, 2, 1 votes.
    assert mask[10:15].tolist() == [True] * 5
    previous = np.zeros(18, dtype=bool)
    previous[15] = True
    assert in_conversation(counts, 50, previous)[15]


def test_group_informed_consensus_is_the_product_over_groups() -> None:
    matrix = build_vote_matrix(table(SMALL))
    counts = group_votes(matrix, np.array([0, 0, 1]), 2)
    assert counts.agree.tolist() == [[2, 0], [0, 0]]
    assert counts.seen.tolist() == [[2, 2], [1, 0]]
    gic = group_informed_consensus(counts)
    assert gic.tolist() == pytest.approx([3 / 4 * 1 / 3, 1 / 4 * 1 / 2])


def polarised_counts() -> GroupVotes:
    """Return two groups of 20 split on s0 and s1, undecided on s2."""
    return GroupVotes(
        agree=np.array([[18, 2, 10], [2, 18, 10]]),
        disagree=np.array([[1, 17, 10], [17, 1, 10]]),
        seen=np.array([[20, 20, 20], [20, 20, 20]]),
    )


def test_representativeness_statistics_match_hand_values() -> None:
    stats = comment_stats(polarised_counts())
    assert stats.pa[0, 0] == pytest.approx(19 / 22, abs=1e-15)
    assert stats.pat[0, 0] == pytest.approx(2 * math.sqrt(21) * (19 / 21 - 0.5), abs=1e-14)
    assert stats.ra[0, 0] == pytest.approx((19 / 22) / (3 / 22), abs=1e-14)
    pooled = (19 + 3) / (21 + 21)
    z = (19 / 21 - 3 / 21) / math.sqrt(pooled * (1 - pooled) * (2 / 21))
    assert stats.rat[0, 0] == pytest.approx(z, abs=1e-13)


def test_representative_statements_put_best_agree_first_then_disagrees() -> None:
    stats = comment_stats(polarised_counts())
    selection = select_representative(stats, np.array([10, 11, 12]), np.zeros(3, dtype=bool))
    first = [(e.statement_id, e.repful_for, e.best_agree) for e in selection[0]]
    assert first == [(10, "agree", True), (11, "disagree", False)]
    assert selection[0][0].n_agree == 18
    assert selection[0][0].repness_test == float(np.float32(stats.rat[0, 0]))
    second = [(e.statement_id, e.repful_for) for e in selection[1]]
    assert second == [(11, "agree"), (10, "disagree")]


def test_mod_out_statements_are_never_representative() -> None:
    stats = comment_stats(polarised_counts())
    selection = select_representative(stats, np.array([10, 11, 12]), np.array([True, False, False]))
    assert [e.statement_id for e in selection[0]] == [11]


def test_a_group_with_no_significant_statement_gets_its_best_one() -> None:
    counts = GroupVotes(
        agree=np.array([[1, 1], [1, 1]]),
        disagree=np.array([[0, 1], [1, 0]]),
        seen=np.array([[2, 2], [2, 2]]),
    )
    selection = select_representative(comment_stats(counts), np.array([0, 1]), np.zeros(2, bool))
    assert [len(group) for group in selection] == [1, 1]


def test_consensus_needs_a_majority_and_significance() -> None:
    rows = [(p, 0, 1) for p in range(10)] + [(p, 1, 1 if p < 5 else -1) for p in range(10)]
    consensus = select_consensus(build_vote_matrix(table(rows)), np.zeros(2, dtype=bool))
    assert [e.statement_id for e in consensus["agree"]] == [0]
    assert consensus["agree"][0].p_success == pytest.approx(11 / 12)
    assert consensus["agree"][0].p_test == pytest.approx(math.sqrt(11))
    assert consensus["disagree"] == []


def test_priority_matches_hand_value() -> None:
    counts = GroupVotes(agree=np.array([[2]]), disagree=np.array([[0]]), seen=np.array([[2]]))
    importance = (1 - 1 / 4) * (0.5 + 1) * (3 / 4)
    expected = (importance * (1 + 8 * 2 ** (-2 / 5))) ** 2
    assert statement_priority(counts, np.array([0.5]), np.array([False]))[0] == pytest.approx(
        expected, abs=1e-14
    )


def test_kmeans_finds_separated_blobs_and_drops_empty_clusters() -> None:
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    result = kmeans(points, np.array([[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]]))
    assert result.labels.tolist() == [0, 0, 1, 1]
    assert result.centers == pytest.approx(np.array([[0.05, 0.0], [5.05, 5.0]]))
    assert result.counts.tolist() == [2, 2]


def test_cold_start_takes_the_first_distinct_rows_in_order() -> None:
    points = np.array([[3.0, 0.0], [3.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert first_distinct_rows(points, 2).tolist() == [[3.0, 0.0], [1.0, 0.0]]


def test_warm_start_recentres_and_splits_off_the_most_distal_point() -> None:
    points = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    centers = warm_start_centers(points, np.array([0, 0, -1]), 2)
    assert centers.tolist() == [[1.0, 0.0], [10.0, 0.0]]


def test_silhouette_matches_hand_value_and_singletons_score_zero() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [4.0, 0.0]])
    # Point 0: a = 1, b = 4 -> 0.75; point 1: a = 1, b = 3 -> 2/3; point 2 is alone -> 0.
    assert silhouette(points, np.array([0, 0, 1])) == pytest.approx((0.75 + 2 / 3) / 3)


def test_max_group_count_grows_with_base_clusters() -> None:
    assert [max_group_count(n) for n in (10, 12, 36, 100)] == [2, 3, 5, 5]


def test_k_smoother_changes_k_only_after_four_consecutive_wins() -> None:
    smoother = KSmoother()
    published = [smoother.update(k) for k in (2, 3, 3, 3, 4, 3, 3, 3, 3)]
    assert published == [2, 2, 2, 2, 2, 2, 2, 2, 3]


def planted_conversation(seed: int = 3) -> tuple[VoteTable, np.ndarray]:
    """Return 90 participants in 3 planted groups voting on 24 statements, with their groups."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(3), 30)
    stance = rng.choice([-1, 1], size=(3, 24))
    rows = []
    for p in range(90):
        for s in rng.choice(24, size=16, replace=False):
            vote = stance[group[p], s] if rng.random() < 0.9 else -stance[group[p], s]
            rows.append((p, int(s), int(vote)))
    return table(rows), group


def test_planted_groups_are_recovered() -> None:
    from sklearn.metrics import adjusted_rand_score

    votes, group = planted_conversation()
    result = analyze(votes, seed=1)
    assert len(result.group_ids) == 3
    assert adjusted_rand_score(group[result.participant_ids], result.group) == 1.0


@pytest.mark.parametrize("mode", ["cold", "replay"])
def test_same_input_and_seed_give_the_same_output(mode: str) -> None:
    votes, _ = planted_conversation()
    first = analyze(votes, seed=5, mode=mode, tick_seconds=0.001, max_ticks=15)
    second = analyze(votes, seed=5, mode=mode, tick_seconds=0.001, max_ticks=15)
    assert np.array_equal(first.group, second.group)
    assert np.array_equal(first.pca.participant_projection, second.pca.participant_projection)
    assert first.representative == second.representative


def test_replay_runs_one_update_per_tick_and_records_each_best_k() -> None:
    votes, _ = planted_conversation()
    result = analyze(votes, mode="replay", tick_seconds=0.1, max_ticks=30)
    assert 1 < result.n_ticks <= 30
    assert len(result.k_history) == result.n_ticks


def test_given_groups_are_used_as_they_are() -> None:
    votes, group = planted_conversation()
    given = {p: (int(group[p]) * 10 if p % 7 else None) for p in range(90)}
    result = analyze(votes, groups=given)
    assert result.group_ids == [0, 10, 20]
    assert result.group_of(7) is None
    assert result.group_of(8) == 0
    assert result.in_conv.sum() == sum(v is not None for v in given.values())


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        table([(0, 0, 2)])
    with pytest.raises(ValueError, match="no votes"):
        analyze(table([]))
    with pytest.raises(ValueError, match="unknown mode"):
        analyze(table(SMALL), mode="warm")


def test_the_opinion_math_does_not_import_django() -> None:
    code = (
        "import sys, maillage.analysis.opinions, maillage.opinions.cli; "
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
