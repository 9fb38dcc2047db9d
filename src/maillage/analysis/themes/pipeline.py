"""Themes and weak signals of a list of contributions: the entry point of the text pipeline.

The stages live by job: :mod:`.model` fits one language's themes, :mod:`.shares` counts
them per label and period, :mod:`.weak_signals` finds rising terms; this module runs them in
order and names skipped rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .duplicates import near_duplicate_components
from .embeddings import Embedder
from .features import TermMatrix, build_term_matrix
from .model import fit_language, row_space
from .results import (
    SKIP_EMPTY,
    SKIP_LANGUAGE,
    SKIP_RARE,
    SKIP_REASONS,
    SKIP_STOP_WORDS,
    DuplicateGroup,
    ModelSelection,
    Progress,
    Theme,
    ThemeAnalysis,
    TooFewTextsError,
    WeakSignal,
    WeakSignalReport,
)
from .shares import factorize, row_periods, shares_by, shares_by_code, tally
from .text import SUPPORTED_LANGUAGES, UNDETERMINED, TokenizedCorpus, tokenize_corpus
from .timing import Stages
from .weak_signals import detect_weak_signals

__all__ = [
    "SKIP_EMPTY",
    "SKIP_LANGUAGE",
    "SKIP_RARE",
    "SKIP_REASONS",
    "SKIP_STOP_WORDS",
    "DuplicateGroup",
    "ModelSelection",
    "Progress",
    "Theme",
    "ThemeAnalysis",
    "TooFewTextsError",
    "WeakSignal",
    "WeakSignalReport",
    "analyze_themes",
    "detect_weak_signals",
]


def analyze_themes(
    texts: Sequence[str],
    *,
    dates: Sequence[object] | np.ndarray | None = None,
    territories: Sequence[str | None] | None = None,
    profiles: Sequence[str | None] | None = None,
    n_themes: int | None = None,
    theme_range: tuple[int, int] = (8, 20),
    embedder: Embedder | None = None,
    period: str = "auto",
    seed: int = 0,
    fit_size: int = 60_000,
    progress: Progress | None = None,
) -> ThemeAnalysis:
    """Return the themes of ``texts`` with their shares, examples and near-duplicates.

    Texts are grouped by detected language: French (and undetermined texts) and English each
    get their own model; other languages, empty texts and texts of stop words only are
    skipped and counted. ``n_themes`` fixes the number of themes; otherwise it is chosen in
    ``theme_range`` by stability across seeds (see :func:`.model._choose_theme_count`). With
    ``dates``, weak signals are computed per ``period`` ("day", "week", "month" or "auto").
    Raise :class:`TooFewTextsError` when fewer usable texts than themes remain.
    """
    texts = [text if isinstance(text, str) else "" for text in texts]
    n_rows = len(texts)
    stages = Stages(progress or (lambda stage: None))

    with stages.stage("tokenize"):
        corpus = tokenize_corpus(texts)

    row_doc = corpus.text_of_row
    doc_language = np.array(corpus.languages, dtype=object)
    # Index -1 (an empty row) picks the appended "und".
    row_language = np.append(doc_language, UNDETERMINED)[row_doc].tolist()
    primary = _primary_language(doc_language, corpus.counts)
    models = _fit_languages(
        corpus,
        doc_language,
        primary,
        n_themes=n_themes,
        theme_range=theme_range,
        embedder=embedder,
        seed=seed,
        fit_size=fit_size,
        stages=stages,
    )
    if models.primary_matrix is None or not models.themes:
        raise TooFewTextsError("no text left to analyse: every text is empty or of stop words only")
    themes = models.themes
    row_theme, row_weight, row_reason = _rows_of_docs(corpus, models, n_rows)
    row_skip = np.array([*SKIP_REASONS, None], dtype=object)[row_reason].tolist()

    theme_space = row_space(row_doc, models.spaces, n_rows)
    with stages.stage("duplicates"):
        doc_group = _campaign_groups(corpus)
        duplicate_groups = _duplicate_groups(
            doc_group, corpus.counts, row_doc, models.doc_theme, texts
        )
        for group in duplicate_groups:
            if group.theme is not None:
                themes[group.theme].duplicate_groups.append(group)

    with stages.stage("shares"):
        n_total = len(themes)
        by_territory = shares_by(territories, row_theme, n_total)
        row_period, period_names, undated = (
            row_periods(dates, n_rows, period) if dates is not None else (None, [], 0)
        )
        by_period = (
            shares_by_code(row_period, period_names, row_theme, n_total)
            if row_period is not None
            else {}
        )
        by_profile = shares_by(profiles, row_theme, n_total)

    signals = None
    if row_period is not None:
        with stages.stage("weak_signals"):
            signals = detect_weak_signals(
                models.primary_matrix,
                row_doc,
                row_period,
                period_names,
                texts,
                doc_group=doc_group,
                undated_rows=undated,
                language=primary,
            )

    skipped = tally(row_reason[row_reason >= 0], SKIP_REASONS)
    codes, language_names = factorize(row_language)
    languages = tally(codes, language_names)
    return ThemeAnalysis(
        themes=themes,
        row_theme=row_theme,
        row_weight=row_weight,
        row_skip=row_skip,
        row_language=row_language,
        skipped=skipped,
        languages=languages,
        selection=models.selection,
        duplicate_groups=duplicate_groups,
        shares_by_territory=by_territory,
        shares_by_period=by_period,
        shares_by_profile=by_profile,
        theme_space=theme_space,
        weak_signals=signals,
        timings=stages.timings,
    )


@dataclass
class _LanguageModels:
    """The themes of every fitted language, and per distinct text its theme, reason and weight.

    ``doc_reason`` are codes into SKIP_REASONS (-1: not skipped) so that no loop runs per row;
    ``spaces`` pairs each language's texts with their theme-space rows.
    """

    doc_theme: np.ndarray
    doc_reason: np.ndarray
    doc_weight: np.ndarray
    themes: list[Theme] = field(default_factory=list)
    selection: dict[str, ModelSelection] = field(default_factory=dict)
    spaces: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    primary_matrix: TermMatrix | None = None


def _fit_languages(
    corpus: TokenizedCorpus,
    doc_language: np.ndarray,
    primary: str,
    *,
    n_themes: int | None,
    theme_range: tuple[int, int],
    embedder: Embedder | None,
    seed: int,
    fit_size: int,
    stages: Stages,
) -> _LanguageModels:
    """Fit one model per supported language with enough texts; undetermined texts join primary."""
    n_docs = len(corpus.unique_texts)
    models = _LanguageModels(
        doc_theme=np.full(n_docs, -1, dtype=np.int64),
        doc_reason=np.full(n_docs, -1, dtype=np.int8),
        doc_weight=np.zeros(n_docs, dtype=np.float32),
    )
    for language in SUPPORTED_LANGUAGES:
        members = doc_language == language
        if language == primary:
            members |= doc_language == UNDETERMINED
        docs = np.flatnonzero(members)
        if language != primary and corpus.counts[docs].sum() < 200:
            # Too few to make themes of their own: reported like another language.
            doc_language[docs] = f"{language}:too_few"
            continue
        if len(docs) == 0:
            continue
        with stages.stage("features", language):
            matrix = build_term_matrix(corpus, docs, language)
        if language == primary:
            models.primary_matrix = matrix
        fitted = fit_language(
            corpus=corpus,
            matrix=matrix,
            language=language,
            n_themes=n_themes,
            theme_range=theme_range,
            embedder=embedder,
            seed=seed,
            fit_size=fit_size,
            stages=stages,
            first_id=len(models.themes),
        )
        if fitted is None:
            continue
        models.themes.extend(fitted.themes)
        models.selection[language] = fitted.selection
        models.doc_theme[matrix.docs] = fitted.doc_theme
        models.doc_reason[matrix.docs] = np.where(
            fitted.doc_theme >= 0,
            -1,
            np.where(
                matrix.n_content == 0,
                SKIP_REASONS.index(SKIP_STOP_WORDS),
                SKIP_REASONS.index(SKIP_RARE),
            ),
        )
        models.doc_weight[matrix.docs] = fitted.doc_weight
        models.spaces.append((matrix.docs, fitted.space))
    return models


def _rows_of_docs(
    corpus: TokenizedCorpus, models: _LanguageModels, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each row's theme, weight and skip-reason code from those of its distinct text.

    Also names each theme's examples, picked among distinct texts, by the first row holding it.
    """
    row_doc = corpus.text_of_row
    present = row_doc >= 0
    row_reason = np.where(present, -1, SKIP_REASONS.index(SKIP_EMPTY)).astype(np.int8)
    row_theme = np.full(n_rows, -1, dtype=np.int64)
    row_weight = np.zeros(n_rows, dtype=np.float32)
    present_rows = np.flatnonzero(present)
    doc_first_row = np.full(len(corpus.unique_texts), -1, dtype=np.int64)
    doc_first_row[row_doc[present_rows[::-1]]] = present_rows[::-1]
    for theme in models.themes:
        theme.examples = doc_first_row[np.asarray(theme.examples, dtype=np.int64)].tolist()
    row_theme[present] = models.doc_theme[row_doc[present]]
    row_weight[present] = models.doc_weight[row_doc[present]]
    row_reason[present] = models.doc_reason[row_doc[present]]
    # A text no model took is in another language (or too few of its language).
    row_reason[present & (row_theme < 0) & (row_reason < 0)] = SKIP_REASONS.index(SKIP_LANGUAGE)
    return row_theme, row_weight, row_reason


def _primary_language(doc_language: np.ndarray, counts: np.ndarray) -> str:
    """Return "en" when English rows outnumber French ones, else "fr" (French first)."""
    french = counts[doc_language == "fr"].sum()
    english = counts[doc_language == "en"].sum()
    return "en" if english > french else "fr"


def _campaign_groups(corpus: TokenizedCorpus, min_tokens: int = 8) -> np.ndarray:
    """Return each distinct text's near-duplicate group, -1 for texts too short to have one.

    Texts of fewer than ``min_tokens`` words ("la santé") repeat because people think alike,
    not because a text was pasted: each of their rows stands alone.
    """
    labels = near_duplicate_components(corpus.tokens, corpus.offsets, min_tokens=min_tokens)
    return np.where(np.diff(corpus.offsets) >= min_tokens, labels, -1)


def _duplicate_groups(
    doc_group: np.ndarray,
    doc_counts: np.ndarray,
    row_doc: np.ndarray,
    doc_theme: np.ndarray,
    texts: list[str],
    min_size: int = 3,
) -> list[DuplicateGroup]:
    """Return groups of at least ``min_size`` rows whose texts are copies or near-copies."""
    grouped = doc_group >= 0
    group_size = np.bincount(
        doc_group[grouped], weights=doc_counts[grouped], minlength=len(doc_group)
    )
    candidates = np.flatnonzero(group_size >= min_size)
    groups: list[DuplicateGroup] = []
    if not len(candidates):
        return groups
    present = np.flatnonzero(row_doc >= 0)
    row_group = doc_group[row_doc[present]]
    wanted = np.isin(row_group, candidates)
    order = np.argsort(row_group[wanted], kind="stable")
    rows_sorted = present[wanted][order]
    groups_sorted = row_group[wanted][order]
    bounds = np.flatnonzero(np.r_[True, groups_sorted[1:] != groups_sorted[:-1], True])
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        rows = rows_sorted[start:end].tolist()
        theme = int(doc_theme[row_doc[rows[0]]])
        groups.append(
            DuplicateGroup(
                rows=rows, size=len(rows), text=texts[rows[0]], theme=theme if theme >= 0 else None
            )
        )
    groups.sort(key=lambda group: -group.size)
    return groups
