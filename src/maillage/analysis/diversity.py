"""Diversity of a workshop's registrants: who is mixed with whom, measured before the day.

For each dimension (sectors, publics such as age bands or residents/workers/students,
disciplines, territories) the registrants' categories give proportions ``p_i`` over ``S``
observed categories, and:

* **Shannon entropy** ``H = -Σ p_i ln p_i`` (Shannon 1948) and **Pielou's evenness**
  ``J = H / ln S`` (Pielou 1966): 1 when every present category is equally represented, near 0
  when one dominates; undefined (None) with fewer than two categories;
* **Gini–Simpson index** ``1 - Σ p_i²`` (Simpson 1949): the probability that two registrants
  drawn at random (with replacement) belong to different categories.

Suppression is all or nothing, per dimension: when any category has fewer than ``min_count``
people, no count and no measure of that dimension is published (``suppressed`` is true).
Suppressing only the small cells would not do: the known total minus the published counts,
or the exact indices (computed on every count), let one solve for the hidden cells. A
registrant with no value for a dimension is counted as "unknown" there and left out of that
dimension's measures.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_COUNT = 5


@dataclass(frozen=True)
class DimensionDiversity:
    """Diversity of one dimension: measures, published counts and what was suppressed."""

    dimension: str
    registrants: int
    unknown: int
    categories: int
    shannon: float | None
    evenness: float | None
    simpson: float | None
    counts: Mapping[str, int]
    suppressed: bool


def workshop_diversity(
    registrants: Iterable[Mapping[str, str | None]],
    dimensions: Iterable[str],
    *,
    min_count: int = MIN_COUNT,
) -> dict[str, DimensionDiversity]:
    """Return each dimension's diversity over registrants (dicts dimension -> category)."""
    if min_count < 1:
        raise ValueError("the suppression threshold must be at least 1")
    people = list(registrants)
    return {
        dimension: dimension_diversity(
            [person.get(dimension) for person in people], dimension, min_count=min_count
        )
        for dimension in dimensions
    }


def dimension_diversity(
    values: Iterable[str | None], dimension: str, *, min_count: int = MIN_COUNT
) -> DimensionDiversity:
    """Return the diversity of one dimension's values (None or "" meaning unknown)."""
    all_values = list(values)
    counter = Counter(v for v in all_values if v)
    known = sum(counter.values())
    proportions = [count / known for count in counter.values()] if known else []
    shannon = -sum(p * math.log(p) for p in proportions)
    categories = len(counter)
    evenness = shannon / math.log(categories) if categories >= 2 else None
    simpson = 1.0 - sum(p * p for p in proportions) if known else 0.0
    if any(count < min_count for count in counter.values()):
        return DimensionDiversity(
            dimension=dimension,
            registrants=len(all_values),
            unknown=len(all_values) - known,
            categories=categories,
            shannon=None,
            evenness=None,
            simpson=None,
            counts={},
            suppressed=True,
        )
    return DimensionDiversity(
        dimension=dimension,
        registrants=len(all_values),
        unknown=len(all_values) - known,
        categories=categories,
        shannon=shannon,
        evenness=evenness,
        simpson=simpson,
        counts=dict(sorted(counter.items(), key=lambda item: (-item[1], item[0]))),
        suppressed=False,
    )
