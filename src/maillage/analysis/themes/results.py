"""What the theme pipeline returns: plain dataclasses, the skip reasons and its one error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Progress = Callable[[str], None]

SKIP_EMPTY = "empty"
SKIP_STOP_WORDS = "stop_words_only"
SKIP_RARE = "rare_words_only"
SKIP_LANGUAGE = "other_language"
SKIP_REASONS: tuple[str, ...] = (SKIP_EMPTY, SKIP_STOP_WORDS, SKIP_RARE, SKIP_LANGUAGE)


class TooFewTextsError(ValueError):
    """Raised when there are fewer usable texts than themes asked for."""


@dataclass
class DuplicateGroup:
    """Rows carrying the same text or near-copies of it (a campaign text pasted many times)."""

    rows: list[int]
    size: int
    text: str
    theme: int | None


@dataclass
class Theme:
    """One theme: its label, terms as people wrote them, share of the analysed rows, examples.

    ``examples`` are row numbers of the input (the first row of each distinct text).
    """

    id: int
    language: str
    label: str
    terms: list[str]
    term_weights: list[float]
    share: float
    size: int
    examples: list[int]
    duplicate_groups: list[DuplicateGroup] = field(default_factory=list)


@dataclass
class ModelSelection:
    """How the number of themes was chosen: the criterion and its score per candidate."""

    method: str
    criterion: str
    scores: dict[int, float]
    chosen: int


@dataclass
class WeakSignal:
    """One term in one period, placed on Yoon's keyword emergence (and issue) map."""

    term: str
    lemma: str
    period: str
    quadrant: str
    diffusion_quadrant: str
    frequency: int
    document_frequency: int
    visibility: float
    diffusion: float
    visibility_increase: float
    diffusion_increase: float
    log_likelihood: float
    p_value: float
    q_value: float  # p-value adjusted (Benjamini-Hochberg) over the terms tested in the period
    burst: bool
    emerging: bool
    examples: list[int]


@dataclass
class WeakSignalReport:
    """Weak signals per period and the terms' timelines."""

    periods: list[str]
    documents_per_period: list[int]
    signals: list[WeakSignal]
    timelines: dict[str, list[int]]
    filtered_places: list[str]
    undated_rows: int


@dataclass
class ThemeAnalysis:
    """Everything the pipeline found; row arrays are aligned with the input texts.

    ``row_theme[r]`` is -1 for a skipped row, whose reason is ``row_skip[r]``;
    ``theme_space[r]`` is the row's position in theme space (its theme mix, with the
    embedding appended when embeddings were used).
    """

    themes: list[Theme]
    row_theme: np.ndarray
    row_weight: np.ndarray
    row_skip: list[str | None]
    row_language: list[str]
    skipped: dict[str, int]
    languages: dict[str, int]
    selection: dict[str, ModelSelection]
    duplicate_groups: list[DuplicateGroup]
    shares_by_territory: dict[str, dict[int, float]]
    shares_by_period: dict[str, dict[int, float]]
    shares_by_profile: dict[str, dict[int, float]]
    theme_space: np.ndarray
    weak_signals: WeakSignalReport | None
    timings: dict[str, float]
