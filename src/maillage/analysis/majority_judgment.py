"""Majority judgment (jugement majoritaire) and approval polls.

Majority judgment is Balinski & Laraki's method (*Majority Judgment: Measuring, Ranking, and
Electing*, MIT Press 2011; "A theory of measuring, electing, and ranking", PNAS 104(21), 2007):
every voter grades every option on a common scale of words, an option's **majority grade** is
the median of its grades, and options are ranked by their **majority values**.

Conventions used here, all from Balinski & Laraki (2007; 2011):

* With an even number of grades the median is the **lower** middlemost grade.
* The **majority value** of an option is the sequence of majority grades obtained by taking the
  majority grade, removing one grade of that value, taking the majority grade of what is left,
  and so on until no grade is left. Options are ranked by comparing majority values
  lexicographically (the *majority ranking*); equal majority values are exact ties.
* The **majority gauge** ``(p, α, q)`` (p = share of grades above α, q = share below) is reported
  for display: the majority grade α is written α+ when p > q and α− otherwise. Whenever two
  options' gauges differ in sign or in the deciding share, the gauge order agrees with the
  majority ranking (Balinski & Laraki 2007, "majority gauge"), so it explains the result to a reader; the ranking
  itself always uses the full majority value, which also settles the cases the gauge leaves
  open (equal p and q, or a different next grade). MieuxVoter's libraries compute the same
  ranking; their cross-library fixtures are among this module's tests.

Grades are integers ``0 .. n_grades - 1``, worst first. The default scale is :data:`GRADES`,
stable English keys of the seven French ballot grades (À rejeter … Excellent); the caller
translates them for display (the Django layer does, in ``maillage.decisions``). Tallies (merit profiles) are counts per grade, worst first, so arbitrary
large electorates are ranked exactly in ``O(n_grades)`` per comparison, never expanded.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key, reduce
from typing import Literal

GRADES: tuple[str, ...] = (
    "reject",
    "insufficient",
    "passable",
    "fairly_good",
    "good",
    "very_good",
    "excellent",
)

MissingPolicy = Literal["error", "lowest", "normalize"]


@dataclass(frozen=True)
class OptionResult:
    """One option's merit profile, majority grade, gauge and rank (1 = best, ties share)."""

    option: str
    rank: int
    tally: tuple[int, ...]
    shares: tuple[float, ...]
    majority_grade: int
    majority_grade_label: str
    above: int
    below: int
    gauge_sign: Literal["+", "-"]


@dataclass(frozen=True)
class MajorityJudgmentResult:
    """The options ordered best first (ties keep the input order) and the grade labels."""

    grades: tuple[str, ...]
    ranking: tuple[OptionResult, ...]

    @property
    def winners(self) -> tuple[str, ...]:
        """Return the options ranked first (several when tied)."""
        return tuple(result.option for result in self.ranking if result.rank == 1)

    def result_for(self, option: str) -> OptionResult:
        """Return the result of ``option``; raise KeyError when it is not in the poll."""
        for result in self.ranking:
            if result.option == option:
                return result
        raise KeyError(option)


@dataclass(frozen=True)
class ApprovalResult:
    """Approval counts and shares per option, ranked by count (ties share a rank)."""

    voters: int
    counts: dict[str, int]
    shares: dict[str, float]
    ranks: dict[str, int]
    ranking: tuple[str, ...]


def majority_grade(tally: Sequence[int]) -> int:
    """Return the lower median grade of a tally (counts per grade, worst first).

    With ``n`` grades sorted from worst to best, the grade at position ``(n - 1) // 2``
    (Balinski & Laraki 2011: the lower middlemost grade).
    """
    total = _checked_total(tally)
    if total == 0:
        raise ValueError("an empty tally has no majority grade")
    position = (total - 1) // 2
    seen = 0
    for grade, count in enumerate(tally):
        seen += count
        if seen > position:
            return grade
    raise AssertionError("unreachable: position is below the total")


def majority_value(tally: Sequence[int]) -> list[int]:
    """Return the full majority value: the successive lower medians, one grade removed each time.

    Expands the tally, so use it for display and small polls; ranking never expands.
    """
    remaining = list(tally)
    _checked_total(remaining)
    sequence: list[int] = []
    while sum(remaining):
        grade = majority_grade(remaining)
        sequence.append(grade)
        remaining[grade] -= 1
    return sequence


def compare_tallies(first: Sequence[int], second: Sequence[int]) -> int:
    """Return 1 when ``first`` ranks above ``second``, -1 when below, 0 for an exact tie.

    Compares majority values lexicographically without expanding them. For ``n = 2h + r``
    grades sorted worst first, the majority value is the middle grade (when ``r = 1``) then
    the pairs (``h-1-i``-th, ``h+r+i``-th) for ``i = 0, 1, …``: each removal takes the lower
    middlemost grade, which alternately sits just below and just above the removed block.
    Both halves are run-length encoded by grade, so a comparison costs ``O(n_grades)``.
    """
    if len(first) != len(second):
        raise ValueError(f"tallies must use the same scale ({len(first)} and {len(second)} grades)")
    if _checked_total(first) != _checked_total(second):
        raise ValueError(
            f"tallies must count the same number of grades ({sum(first)} and {sum(second)}): "
            "fill or normalize missing grades first"
        )
    head_a, pairs_a = _majority_value_runs(first)
    head_b, pairs_b = _majority_value_runs(second)
    if head_a != head_b:
        return 1 if head_a > head_b else -1  # type: ignore[operator]
    i = j = 0
    left_a = pairs_a[0][1] if pairs_a else 0
    left_b = pairs_b[0][1] if pairs_b else 0
    while i < len(pairs_a) and j < len(pairs_b):
        pair_a, pair_b = pairs_a[i][0], pairs_b[j][0]
        if pair_a != pair_b:
            return 1 if pair_a > pair_b else -1
        step = min(left_a, left_b)
        left_a -= step
        left_b -= step
        if left_a == 0:
            i += 1
            left_a = pairs_a[i][1] if i < len(pairs_a) else 0
        if left_b == 0:
            j += 1
            left_b = pairs_b[j][1] if j < len(pairs_b) else 0
    return 0


def rank_tallies(
    tallies: Mapping[str, Sequence[int]],
    *,
    grades: Sequence[str] = GRADES,
    missing: MissingPolicy = "error",
    voters: int | None = None,
) -> MajorityJudgmentResult:
    """Return the majority ranking of options given their merit profiles (counts, worst first).

    Options graded by fewer voters than others are handled by ``missing``:

    * ``"error"`` — refuse unequal totals (a ValueError naming the options);
    * ``"lowest"`` — count each missing grade as the lowest grade, as Balinski & Laraki did in
      their 2007 Orsay experiment ("no grade" = "À rejeter"); ``voters`` sets the electorate
      size (default: the largest total);
    * ``"normalize"`` — scale every tally to the least common multiple of the totals, which
      ranks the options by their grade distributions alone (MieuxVoter's "normalized" tally).
    """
    if not tallies:
        raise ValueError("a poll needs at least one option")
    n_grades = len(grades)
    if n_grades < 2:
        raise ValueError("a grading scale needs at least two grades")
    counted: dict[str, tuple[int, ...]] = {}
    for option, tally in tallies.items():
        if len(tally) != n_grades:
            raise ValueError(
                f"option {option!r} has {len(tally)} grade counts, the scale has {n_grades}"
            )
        _checked_total(tally)
        counted[option] = tuple(int(count) for count in tally)
    counted = _complete(counted, missing=missing, voters=voters)

    def best_first(a: str, b: str) -> int:
        return compare_tallies(counted[b], counted[a])

    order = sorted(counted, key=cmp_to_key(best_first))
    results: list[OptionResult] = []
    for position, option in enumerate(order):
        if position and compare_tallies(counted[order[position - 1]], counted[option]) == 0:
            rank = results[-1].rank
        else:
            rank = position + 1
        results.append(_option_result(option, rank, counted[option], grades))
    return MajorityJudgmentResult(grades=tuple(grades), ranking=tuple(results))


def merit_profiles(
    ballots: Iterable[Mapping[str, int | str]],
    options: Sequence[str],
    *,
    grades: Sequence[str] = GRADES,
) -> dict[str, tuple[int, ...]]:
    """Return each option's tally from ballots mapping option → grade (index or label).

    An option absent from a ballot is not counted (see ``missing`` in :func:`rank_tallies`);
    an option not in ``options`` or a grade outside the scale raises ValueError.
    """
    index = {label: position for position, label in enumerate(grades)}
    counts = {option: [0] * len(grades) for option in options}
    for number, ballot in enumerate(ballots, start=1):
        for option, grade in ballot.items():
            if option not in counts:
                raise ValueError(f"ballot {number} grades {option!r}, which is not an option")
            if isinstance(grade, str):
                if grade not in index:
                    raise ValueError(
                        f"ballot {number} gives {option!r} the grade {grade!r}, "
                        f"not one of {', '.join(grades)}"
                    )
                position = index[grade]
            elif isinstance(grade, int) and 0 <= grade < len(grades):
                position = grade
            else:
                raise ValueError(
                    f"ballot {number} gives {option!r} the grade {grade!r}, "
                    f"outside 0..{len(grades) - 1}"
                )
            counts[option][position] += 1
    return {option: tuple(tally) for option, tally in counts.items()}


def majority_judgment(
    ballots: Iterable[Mapping[str, int | str]],
    options: Sequence[str],
    *,
    grades: Sequence[str] = GRADES,
    missing: MissingPolicy = "lowest",
) -> MajorityJudgmentResult:
    """Return the majority ranking of ``options`` from individual ballots.

    A grade a voter left blank counts as the lowest grade by default (Balinski & Laraki's
    practice); every ballot counts as one voter, so ``voters`` is the number of ballots.
    """
    ballot_list = list(ballots)
    tallies = merit_profiles(ballot_list, options, grades=grades)
    return rank_tallies(
        tallies,
        grades=grades,
        missing=missing,
        voters=len(ballot_list) if missing == "lowest" else None,
    )


def approval_poll(ballots: Iterable[Collection[str]], options: Sequence[str]) -> ApprovalResult:
    """Return approval counts, shares of voters and competition ranks (1, 2, 2, 4).

    Approval voting (Brams & Fishburn 1978): each voter approves any subset of the options;
    the most approved wins. An approval of an unknown option raises ValueError; approving the
    same option twice on one ballot counts once.
    """
    if not options:
        raise ValueError("a poll needs at least one option")
    counts = dict.fromkeys(options, 0)
    voters = 0
    for number, ballot in enumerate(ballots, start=1):
        voters += 1
        for option in set(ballot):
            if option not in counts:
                raise ValueError(f"ballot {number} approves {option!r}, which is not an option")
            counts[option] += 1
    ranking = tuple(sorted(options, key=lambda option: -counts[option]))
    ranks = {
        option: 1 + sum(other > counts[option] for other in counts.values()) for option in options
    }
    shares = {option: (counts[option] / voters if voters else 0.0) for option in options}
    return ApprovalResult(voters=voters, counts=counts, shares=shares, ranks=ranks, ranking=ranking)


def _checked_total(tally: Sequence[int]) -> int:
    """Return the number of grades in a tally; raise ValueError on a negative count."""
    if any(count < 0 for count in tally):
        raise ValueError(f"a tally cannot hold a negative count: {list(tally)}")
    return int(sum(tally))


def _complete(
    tallies: dict[str, tuple[int, ...]], *, missing: MissingPolicy, voters: int | None
) -> dict[str, tuple[int, ...]]:
    """Return tallies with equal totals according to the ``missing`` policy."""
    totals = {option: sum(tally) for option, tally in tallies.items()}
    if missing == "lowest":
        electorate = max(totals.values()) if voters is None else voters
        short = [option for option, total in totals.items() if total > electorate]
        if short:
            raise ValueError(f"options {short} have more grades than the {electorate} voters")
        return {
            option: (tally[0] + electorate - totals[option], *tally[1:])
            for option, tally in tallies.items()
        }
    if missing == "normalize":
        if any(total == 0 for total in totals.values()):
            empty = [option for option, total in totals.items() if total == 0]
            raise ValueError(f"options {empty} have no grade to normalize")
        common = reduce(math.lcm, totals.values())
        return {
            option: tuple(count * (common // totals[option]) for count in tally)
            for option, tally in tallies.items()
        }
    if len(set(totals.values())) > 1:
        raise ValueError(
            "options were graded by different numbers of voters "
            f"({', '.join(f'{o}: {t}' for o, t in totals.items())}); "
            "choose missing='lowest' or missing='normalize'"
        )
    if next(iter(totals.values())) == 0:
        raise ValueError("no grade was given to any option")
    return tallies


def _majority_value_runs(
    tally: Sequence[int],
) -> tuple[int | None, list[tuple[tuple[int, int], int]]]:
    """Return the middle grade (odd totals) and the run-length encoded (lower, upper) pairs."""
    total = sum(tally)
    half, odd = divmod(total, 2)
    head: int | None = None
    lower: list[tuple[int, int]] = []  # descending grades over sorted positions [0, half)
    upper: list[tuple[int, int]] = []  # ascending grades over sorted positions [half+odd, total)
    start = 0
    for grade, count in enumerate(tally):
        end = start + count
        below = min(end, half) - start
        if below > 0:
            lower.append((grade, below))
        if odd and start <= half < end:
            head = grade
        above = end - max(start, half + odd)
        if above > 0:
            upper.append((grade, above))
        start = end
    lower.reverse()
    pairs: list[tuple[tuple[int, int], int]] = []
    i = j = 0
    left_lower = lower[0][1] if lower else 0
    left_upper = upper[0][1] if upper else 0
    while i < len(lower) and j < len(upper):
        step = min(left_lower, left_upper)
        pairs.append(((lower[i][0], upper[j][0]), step))
        left_lower -= step
        left_upper -= step
        if left_lower == 0:
            i += 1
            left_lower = lower[i][1] if i < len(lower) else 0
        if left_upper == 0:
            j += 1
            left_upper = upper[j][1] if j < len(upper) else 0
    return head, pairs


def _option_result(
    option: str, rank: int, tally: tuple[int, ...], grades: Sequence[str]
) -> OptionResult:
    """Return the display figures of one ranked option."""
    total = sum(tally)
    grade = majority_grade(tally)
    above = sum(tally[grade + 1 :])
    below = sum(tally[:grade])
    return OptionResult(
        option=option,
        rank=rank,
        tally=tally,
        shares=tuple(count / total for count in tally),
        majority_grade=grade,
        majority_grade_label=grades[grade],
        above=above,
        below=below,
        gauge_sign="+" if above > below else "-",
    )
