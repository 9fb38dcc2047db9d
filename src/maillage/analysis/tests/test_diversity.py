"""Workshop diversity: Shannon evenness, Gini–Simpson, small counts suppressed."""

from __future__ import annotations

import math

import pytest

from maillage.analysis.diversity import dimension_diversity, workshop_diversity


def test_equal_categories_have_evenness_one_and_known_simpson():
    result = dimension_diversity(["a"] * 5 + ["b"] * 5 + ["c"] * 5 + ["d"] * 5, "sector")
    assert result.evenness == pytest.approx(1.0)
    assert result.shannon == pytest.approx(math.log(4))
    assert result.simpson == pytest.approx(0.75)


def test_one_dominant_category_gives_low_evenness():
    result = dimension_diversity(["asso"] * 18 + ["entreprise"] * 2, "sector", min_count=1)
    shannon = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert result.shannon == pytest.approx(shannon)
    assert result.evenness == pytest.approx(shannon / math.log(2))
    assert result.simpson == pytest.approx(1 - 0.81 - 0.01)


def test_one_small_category_suppresses_every_count_and_measure_of_its_dimension():
    result = dimension_diversity(["Mulhouse"] * 6 + ["Illzach"] * 2 + ["Kingersheim"], "territory")
    assert result.suppressed is True
    assert result.counts == {}
    assert result.shannon is None and result.evenness is None and result.simpson is None
    assert result.registrants == 9 and result.categories == 3


def test_nothing_published_lets_one_solve_for_a_small_cell():
    # Nine and ten people: one more person in a small category must change nothing published
    # but the total.
    nine = dimension_diversity(["a"] * 6 + ["b"] * 3, "sector")
    ten = dimension_diversity(["a"] * 6 + ["b"] * 4, "sector")
    assert {**nine.__dict__, "registrants": 0} == {**ten.__dict__, "registrants": 0}


def test_a_single_category_has_no_evenness_and_zero_simpson():
    result = dimension_diversity(["étudiant"] * 7, "public")
    assert result.evenness is None and result.simpson == 0.0 and not result.suppressed


def test_unknown_values_are_counted_apart_across_dimensions():
    people = [{"sector": "public", "age": "18-25"}, {"sector": None, "age": "26-40"}, {"age": ""}]
    result = workshop_diversity(people, ["sector", "age"], min_count=1)
    assert result["sector"].unknown == 2 and result["sector"].counts == {"public": 1}
    assert result["age"].unknown == 1 and result["age"].evenness == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 1"):
        workshop_diversity(people, ["age"], min_count=0)
