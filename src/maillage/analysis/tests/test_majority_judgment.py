"""Majority judgment: Balinski & Laraki's definitions, MieuxVoter's fixtures, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.analysis.majority_judgment import (
    GRADES,
    approval_poll,
    compare_tallies,
    majority_grade,
    majority_judgment,
    majority_value,
    rank_tallies,
)

# The seven grades as worded on French ballots; the module itself knows only English keys.
FRENCH_GRADES = (
    "À rejeter",
    "Insuffisant",
    "Passable",
    "Assez bien",
    "Bien",
    "Très bien",
    "Excellent",
)

# Fixtures re-expressed from MieuxVoter's cross-library tests (tallies worst grade first,
# expected competition ranks): majority-judgment-library-java assertions.json "Few judgments",
# and majority-judgment-library-php MajorityJudgmentDeliberatorTest (mvapi election1).
FEW_JUDGMENTS = ([[1, 1, 1], [1, 0, 2], [3, 0, 0], [2, 0, 1], [0, 3, 0]], [3, 1, 5, 4, 2])
ELECTION1_TALLIES = [
    [0, 2, 0, 7, 5, 4], [1, 1, 1, 7, 4, 4], [2, 4, 2, 1, 5, 4], [1, 2, 4, 6, 2, 3],
    [1, 2, 5, 4, 3, 3], [1, 4, 3, 2, 5, 3], [1, 1, 2, 4, 4, 6], [1, 3, 1, 4, 3, 6],
    [1, 2, 2, 6, 3, 4], [2, 2, 1, 5, 2, 6], [0, 0, 0, 0, 1, 17], [1, 0, 2, 3, 7, 5],
    [0, 2, 1, 1, 4, 10], [1, 1, 3, 1, 5, 7], [1, 1, 0, 1, 11, 4], [1, 2, 3, 6, 5, 1],
    [1, 0, 2, 0, 3, 12],
]  # fmt: skip
ELECTION1_ORDER = [10, 16, 12, 13, 14, 11, 6, 7, 0, 2, 9, 1, 8, 15, 3, 5, 4]
SCALE3 = ("bad", "fair", "good")
SCALE6 = tuple(f"g{i}" for i in range(6))


def _ranks(tallies, grades):
    result = rank_tallies({str(i): t for i, t in enumerate(tallies)}, grades=grades)
    return [result.result_for(str(i)).rank for i in range(len(tallies))]


def test_few_judgments_fixture_gives_mieuxvoter_ranks():
    tallies, ranks = FEW_JUDGMENTS
    assert _ranks(tallies, SCALE3) == ranks


def test_election1_fixture_orders_the_seventeen_proposals_like_mieuxvoter():
    result = rank_tallies({str(i): t for i, t in enumerate(ELECTION1_TALLIES)}, grades=SCALE6)
    assert [int(r.option) for r in result.ranking] == ELECTION1_ORDER
    assert [r.rank for r in result.ranking] == list(range(1, 18))


def test_php_fixture_ties_share_a_rank_and_the_next_rank_is_skipped():
    tallies = {
        "a": [1, 1, 4, 3, 7, 4, 1],
        "b": [0, 2, 4, 3, 7, 4, 1],
        "c": [1, 1, 4, 3, 7, 4, 1],
        "d": [1, 0, 4, 3, 7, 4, 1],  # 20 judgments of 21: the missing one counts as lowest
    }
    result = rank_tallies(tallies, missing="lowest", voters=21)
    assert [(r.option, r.rank) for r in result.ranking] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]


def test_billions_of_voters_are_ranked_exactly_without_expansion():
    result = rank_tallies(
        {
            "a": [11312415004, 21153652410, 24101523299, 18758623562],
            "b": [11312415004, 21153652400, 24101523299, 18758623572],
        },
        grades=("r", "p", "g", "e"),
    )
    assert result.winners == ("b",)


def test_missing_grades_count_as_lowest_like_mieuxvoter_static_default():
    result = rank_tallies(
        {"x": [0, 0, 1], "y": [0, 3, 0]}, grades=SCALE3, missing="lowest", voters=3
    )
    assert result.result_for("x").tally == (2, 0, 1)
    assert [r.option for r in result.ranking] == ["y", "x"]


def test_normalized_tallies_rank_like_mieuxvoter_normalized_fixture():
    tallies = {"a": [2, 2, 2], "b": [1, 1, 1], "c": [0, 1, 0], "d": [0, 0, 1]}
    result = rank_tallies(tallies, grades=SCALE3, missing="normalize")
    assert {r.option: r.rank for r in result.ranking} == {"a": 3, "b": 3, "c": 2, "d": 1}


def test_python_library_readme_example_ranks_chips_pasta_pizza_bread():
    data = {
        "Pizza": [0, 0, 0, 1, 1, 2, 2, 3, 3, 3],
        "Chips": [0, 0, 1, 1, 2, 2, 2, 2, 3, 3],
        "Pasta": [0, 0, 1, 1, 1, 2, 2, 3, 3, 3],
        "Bread": [0, 0, 1, 1, 1, 1, 2, 2, 2, 3],
    }
    ballots = [{option: grades[i] for option, grades in data.items()} for i in range(10)]
    result = majority_judgment(ballots, list(data), grades=("a", "b", "c", "d"))
    assert [r.option for r in result.ranking] == ["Chips", "Pasta", "Pizza", "Bread"]


def test_lower_median_is_the_majority_grade_for_even_counts():
    assert majority_grade([1, 1]) == 0
    assert majority_grade([2, 2, 7]) == 2
    assert majority_grade([2, 3, 5, 7, 11, 13]) == 4
    assert majority_grade([0, 0, 1, 0, 1, 0]) == 2


def test_majority_value_removes_one_median_grade_at_a_time():
    # Grades 0, 1, 1, 3, 4 -> medians 1, then 1 (of 0,1,3,4), then 3 (of 0,3,4), 0, 4.
    assert majority_value([1, 2, 0, 1, 1]) == [1, 1, 3, 0, 4]


def test_orsay_2007_profiles_give_bayrou_good_plus_above_sarkozy_good_minus():
    # Balinski & Laraki's Orsay experiment (1,752 voters, 6 grades, no grade = "À rejeter"),
    # shares in per mille as transcribed on MieuxVoter's forum; B&L report Bayrou first with
    # "Assez bien +" (Good+) and Sarkozy with "Assez bien −".
    grades = FRENCH_GRADES[:6]
    tallies = {
        "Bayrou": [45 + 29, 84, 148, 251, 307, 136],
        "Sarkozy": [265 + 17, 71, 115, 143, 198, 191],
        "Voynet": [162 + 43, 261, 237, 175, 93, 29],
    }
    result = rank_tallies(tallies, grades=grades)
    bayrou, sarkozy = result.result_for("Bayrou"), result.result_for("Sarkozy")
    assert result.winners == ("Bayrou",)
    assert (bayrou.majority_grade_label, bayrou.gauge_sign) == ("Assez bien", "+")
    assert (sarkozy.majority_grade_label, sarkozy.gauge_sign) == ("Assez bien", "-")
    assert bayrou.above == 443 and bayrou.below == 306
    assert result.result_for("Voynet").majority_grade_label == "Passable"


def test_french_labels_are_accepted_on_ballots():
    ballots = [{"Parc": "Très bien", "Halle": "Passable"}, {"Parc": "Bien", "Halle": "Excellent"}]
    result = majority_judgment(ballots, ["Parc", "Halle"], grades=FRENCH_GRADES)
    assert result.result_for("Parc").majority_grade_label == "Bien"
    assert result.winners == ("Parc",)


def test_the_default_scale_is_seven_english_keys_worst_first():
    ballots = [{"Parc": "very_good", "Halle": "passable"}, {"Parc": 4, "Halle": "excellent"}]
    result = majority_judgment(ballots, ["Parc", "Halle"])
    assert len(GRADES) == 7 and GRADES[0] == "reject" and GRADES[-1] == "excellent"
    assert result.result_for("Parc").majority_grade_label == "good"


def test_unequal_numbers_of_grades_are_refused_by_default():
    with pytest.raises(ValueError, match="different numbers of voters"):
        rank_tallies({"a": [1, 0, 0], "b": [0, 2, 0]}, grades=SCALE3)


def test_unknown_grade_and_unknown_option_are_named():
    with pytest.raises(ValueError, match="'Moyen'"):
        majority_judgment([{"Parc": "Moyen"}], ["Parc"])
    with pytest.raises(ValueError, match="'Gare', which is not an option"):
        majority_judgment([{"Gare": 1}], ["Parc"])
    with pytest.raises(ValueError, match="outside 0..6"):
        majority_judgment([{"Parc": 7}], ["Parc"])


def test_negative_counts_and_mismatched_scales_are_refused():
    with pytest.raises(ValueError, match="negative"):
        rank_tallies({"a": [1, -1, 2]}, grades=SCALE3)
    with pytest.raises(ValueError, match="the scale has 3"):
        rank_tallies({"a": [1, 2]}, grades=SCALE3)


def test_approval_poll_counts_and_shares_ranks_with_ties():
    result = approval_poll([{"a", "b"}, {"b"}, {"c", "a"}, set()], ["a", "b", "c"])
    assert result.counts == {"a": 2, "b": 2, "c": 1}
    assert result.shares["c"] == 0.25
    assert result.ranks == {"a": 1, "b": 1, "c": 3}
    with pytest.raises(ValueError, match="'z', which is not an option"):
        approval_poll([{"z"}], ["a"])


# Property-based tests: ballots are lists of grade lists (one list per voter).
OPTIONS = ["A", "B", "C"]
ballot = st.lists(st.integers(0, 6), min_size=3, max_size=3)
electorate = st.lists(ballot, min_size=1, max_size=25)


def _result(voters):
    return majority_judgment([dict(zip(OPTIONS, v, strict=True)) for v in voters], OPTIONS)


@settings(max_examples=150, deadline=None)
@given(electorate, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_the_order_of_voters(voters, rnd):
    shuffled = list(voters)
    rnd.shuffle(shuffled)
    first, second = _result(voters), _result(shuffled)
    assert [(r.option, r.rank) for r in first.ranking] == [
        (r.option, r.rank) for r in second.ranking
    ]


@settings(max_examples=150, deadline=None)
@given(electorate, st.integers(0, 24), st.sampled_from(OPTIONS))
def test_raising_one_grade_never_worsens_that_options_rank(voters, who, option):
    who %= len(voters)
    column = OPTIONS.index(option)
    raised = [list(v) for v in voters]
    raised[who][column] = min(6, raised[who][column] + 1)
    assert _result(raised).result_for(option).rank <= _result(voters).result_for(option).rank


@settings(max_examples=150, deadline=None)
@given(electorate)
def test_an_option_graded_at_least_as_well_by_every_voter_is_not_ranked_below(voters):
    dominated = [[v[0], v[1], min(v[0], v[1])] for v in voters]
    result = _result(dominated)
    assert result.result_for("A").rank <= result.result_for("C").rank


@settings(max_examples=150, deadline=None)
@given(electorate)
def test_removing_an_option_keeps_the_order_of_the_others(voters):
    full = _result(voters)
    reduced = majority_judgment([{"A": v[0], "B": v[1]} for v in voters], ["A", "B"])
    expected = compare_tallies(full.result_for("A").tally, full.result_for("B").tally)
    ranks = reduced.result_for("A").rank, reduced.result_for("B").rank
    assert (ranks[1] > ranks[0]) - (ranks[1] < ranks[0]) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=30),
    st.lists(st.integers(0, 6), min_size=1, max_size=30),
)
def test_tally_comparison_matches_expanded_majority_values(a, b):
    size = min(len(a), len(b))
    ta, tb = [0] * 7, [0] * 7
    for grade in a[:size]:
        ta[grade] += 1
    for grade in b[:size]:
        tb[grade] += 1
    va, vb = majority_value(ta), majority_value(tb)
    assert compare_tallies(ta, tb) == (va > vb) - (va < vb)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(1, 20))
def test_unanimous_grades_decide_and_equal_unanimity_ties(grade_a, grade_b, n):
    result = _result([[grade_a, grade_b, grade_a]] * n)
    assert result.result_for("A").majority_grade == grade_a
    assert result.result_for("A").rank == result.result_for("C").rank
    assert (result.result_for("A").rank < result.result_for("B").rank) == (grade_a > grade_b)
