"""Self-observation along the seed's three dimensions: the je, the nous and the dans.

Persons and collectives answer the same questionnaire at several points in time (waves). Each
respondent sees their own evolution; a collective sees aggregates per wave only when at least
``min_respondents`` distinct people answered in that wave (5 by default, the issue's anonymity
floor, a k-anonymity threshold in Sweeney's sense, 2002), otherwise the figure is suppressed
with the reason. Aggregates are the mean and the median per dimension of each respondent's
mean answer over the dimension's questions, so that a respondent who answered more questions
does not weigh more.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DIMENSIONS: tuple[str, ...] = ("je", "nous", "dans")
MIN_RESPONDENTS = 5


@dataclass(frozen=True)
class Answer:
    """One answer: who, in which wave, to which question of which dimension, which value."""

    respondent: str
    wave: str
    question: str
    dimension: str
    value: int


@dataclass(frozen=True)
class Scale:
    """The answer scale, inclusive (e.g. 1..5)."""

    low: int = 1
    high: int = 5

    def check(self, answer: Answer) -> None:
        """Raise ValueError naming the allowed range when ``answer`` is off the scale."""
        if isinstance(answer.value, bool) or not isinstance(answer.value, int):
            raise ValueError(
                f"the answer to {answer.question!r} must be a whole number "
                f"from {self.low} to {self.high}"
            )
        if not self.low <= answer.value <= self.high:
            raise ValueError(
                f"the answer {answer.value} to {answer.question!r} is outside the scale: "
                f"allowed range {self.low} to {self.high}"
            )


@dataclass(frozen=True)
class WaveScores:
    """One respondent's (or collective's) score per dimension in one wave; None when unanswered."""

    wave: str
    scores: Mapping[str, float | None]


@dataclass(frozen=True)
class CollectiveWave:
    """A collective's aggregate for one wave, or its suppression with the reason."""

    wave: str
    respondents: int
    suppressed: bool
    reason: str
    mean: Mapping[str, float | None]
    median: Mapping[str, float | None]


def respondent_evolution(
    answers: Iterable[Answer],
    respondent: str,
    *,
    waves: list[str],
    scale: Scale | None = None,
) -> list[WaveScores]:
    """Return one respondent's mean answer per dimension for each wave, in ``waves`` order."""
    per_wave = _respondent_means(answers, waves=waves, scale=scale or Scale())
    return [
        WaveScores(
            wave=wave,
            scores={d: per_wave.get((wave, respondent, d)) for d in DIMENSIONS},
        )
        for wave in waves
    ]


def collective_aggregates(
    answers: Iterable[Answer],
    *,
    waves: list[str],
    scale: Scale | None = None,
    min_respondents: int = MIN_RESPONDENTS,
) -> list[CollectiveWave]:
    """Return a collective's aggregates per wave, suppressed below ``min_respondents`` people."""
    if min_respondents < 1:
        raise ValueError("the anonymity floor must be at least one respondent")
    means = _respondent_means(answers, waves=waves, scale=scale or Scale())
    results = []
    for wave in waves:
        people = {r for (w, r, _d) in means if w == wave}
        empty: dict[str, float | None] = dict.fromkeys(DIMENSIONS)
        if len(people) < min_respondents:
            results.append(
                CollectiveWave(
                    wave=wave,
                    respondents=len(people),
                    suppressed=True,
                    reason=(
                        f"only {len(people)} distinct respondents answered; "
                        f"at least {min_respondents} are needed for anonymity"
                    ),
                    mean=empty,
                    median=dict(empty),
                )
            )
            continue
        mean: dict[str, float | None] = {}
        median: dict[str, float | None] = {}
        for dimension in DIMENSIONS:
            values = [v for (w, _r, d), v in means.items() if w == wave and d == dimension]
            # A dimension answered by too few people would reveal them even if the wave is open.
            if len(values) < min_respondents:
                mean[dimension] = median[dimension] = None
            else:
                mean[dimension] = statistics.fmean(values)
                median[dimension] = float(statistics.median(values))
        results.append(
            CollectiveWave(
                wave=wave,
                respondents=len(people),
                suppressed=False,
                reason="",
                mean=mean,
                median=median,
            )
        )
    return results


def _respondent_means(
    answers: Iterable[Answer], *, waves: list[str], scale: Scale
) -> dict[tuple[str, str, str], float]:
    """Return each (wave, respondent, dimension)'s mean answer after checking every answer."""
    known_waves = set(waves)
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for answer in answers:
        scale.check(answer)
        if answer.dimension not in DIMENSIONS:
            raise ValueError(
                f"unknown dimension {answer.dimension!r} (expected one of {', '.join(DIMENSIONS)})"
            )
        if answer.wave not in known_waves:
            raise ValueError(f"unknown wave {answer.wave!r}")
        key = (answer.wave, answer.respondent, answer.question)
        if key in seen:
            raise ValueError(
                f"{answer.respondent!r} answered {answer.question!r} twice in wave {answer.wave!r}"
            )
        seen.add(key)
        sums[(answer.wave, answer.respondent, answer.dimension)].append(answer.value)
    return {key: statistics.fmean(values) for key, values in sums.items()}
