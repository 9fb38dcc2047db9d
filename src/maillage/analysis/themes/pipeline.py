"""Themes and weak signals of a list of contributions: the entry point of the text pipeline."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, MiniBatchNMF

from .duplicates import near_duplicate_components
from .embeddings import Embedder
from .features import TermMatrix, build_term_matrix, tfidf
from .labels import is_meaningful_term
from .places import _fold, capitalized_share, is_place_name, place_names
from .signals import (
    LATENT,
    STRONG,
    WEAK,
    WELL_KNOWN,
    benjamini_hochberg,
    emergence_maps,
    kleinberg_bursts,
    log_likelihood,
    quadrants,
)
from .text import (
    SUPPORTED_LANGUAGES,
    UNDETERMINED,
    TokenizedCorpus,
    tokenize_corpus,
)

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
    ``theme_range`` by stability across seeds (see :func:`_choose_theme_count`). With
    ``dates``, weak signals are computed per ``period`` ("day", "week", "month" or "auto").
    Raise :class:`TooFewTextsError` when fewer usable texts than themes remain.
    """
    texts = [text if isinstance(text, str) else "" for text in texts]
    n_rows = len(texts)
    timings: dict[str, float] = {}
    notify = progress or (lambda stage: None)

    clock = time.perf_counter()
    notify("tokenize")
    corpus = tokenize_corpus(texts)
    timings["tokenize"] = time.perf_counter() - clock

    row_doc = corpus.text_of_row
    doc_language = np.array(corpus.languages, dtype=object)
    # Index -1 (an empty row) picks the appended "und".
    row_language = np.append(doc_language, UNDETERMINED)[row_doc].tolist()
    primary = _primary_language(doc_language, corpus.counts)
    present = row_doc >= 0
    # Reasons are codes into SKIP_REASONS (-1: not skipped) so that no loop runs per row.
    row_reason = np.where(present, -1, SKIP_REASONS.index(SKIP_EMPTY)).astype(np.int8)

    row_theme = np.full(n_rows, -1, dtype=np.int64)
    row_weight = np.zeros(n_rows, dtype=np.float32)
    themes: list[Theme] = []
    selection: dict[str, ModelSelection] = {}
    spaces: list[tuple[np.ndarray, np.ndarray]] = []
    primary_matrix: TermMatrix | None = None
    doc_theme = np.full(len(corpus.unique_texts), -1, dtype=np.int64)
    doc_reason = np.full(len(corpus.unique_texts), -1, dtype=np.int8)
    doc_weights = np.zeros(len(corpus.unique_texts), dtype=np.float32)
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
        clock = time.perf_counter()
        notify(f"features:{language}")
        matrix = build_term_matrix(corpus, docs, language)
        timings[f"features_{language}"] = time.perf_counter() - clock
        if language == primary:
            primary_matrix = matrix
        fitted = _fit_language(
            corpus,
            matrix,
            language,
            n_themes,
            theme_range,
            embedder,
            seed,
            fit_size,
            notify,
            timings,
            first_id=len(themes),
        )
        if fitted is None:
            continue
        group_themes, doc_assignment, doc_weight, space, model_selection = fitted
        themes.extend(group_themes)
        selection[language] = model_selection
        doc_theme[matrix.docs] = doc_assignment
        doc_reason[matrix.docs] = np.where(
            doc_assignment >= 0,
            -1,
            np.where(
                matrix.n_content == 0,
                SKIP_REASONS.index(SKIP_STOP_WORDS),
                SKIP_REASONS.index(SKIP_RARE),
            ),
        )
        doc_weights[matrix.docs] = doc_weight
        spaces.append((matrix.docs, space))
    if primary_matrix is None or not themes:
        raise TooFewTextsError("no text left to analyse: every text is empty or of stop words only")
    # Theme examples were picked among distinct texts: name each by the first row holding it.
    present_rows = np.flatnonzero(present)
    doc_first_row = np.full(len(corpus.unique_texts), -1, dtype=np.int64)
    doc_first_row[row_doc[present_rows[::-1]]] = present_rows[::-1]
    for theme in themes:
        theme.examples = doc_first_row[np.asarray(theme.examples, dtype=np.int64)].tolist()
    row_theme[present] = doc_theme[row_doc[present]]
    row_weight[present] = doc_weights[row_doc[present]]
    row_reason[present] = doc_reason[row_doc[present]]
    # A text no model took is in another language (or too few of its language).
    row_reason[present & (row_theme < 0) & (row_reason < 0)] = SKIP_REASONS.index(SKIP_LANGUAGE)
    row_skip = np.array([*SKIP_REASONS, None], dtype=object)[row_reason].tolist()

    theme_space = _row_space(row_doc, spaces, n_rows)
    clock = time.perf_counter()
    notify("duplicates")
    doc_group = _campaign_groups(corpus)
    duplicate_groups = _duplicate_groups(doc_group, corpus.counts, row_doc, doc_theme, texts)
    for group in duplicate_groups:
        if group.theme is not None:
            themes[group.theme].duplicate_groups.append(group)
    timings["duplicates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    notify("shares")
    n_total = len(themes)
    by_territory = _shares_by(territories, row_theme, n_total)
    row_period, period_names, undated = (
        _periods(dates, n_rows, period) if dates is not None else (None, [], 0)
    )
    by_period = (
        _shares_by_code(row_period, period_names, row_theme, n_total)
        if row_period is not None
        else {}
    )
    by_profile = _shares_by(profiles, row_theme, n_total)
    timings["shares"] = time.perf_counter() - clock

    signals = None
    if row_period is not None:
        clock = time.perf_counter()
        notify("weak_signals")
        signals = detect_weak_signals(
            primary_matrix,
            row_doc,
            row_period,
            period_names,
            texts,
            doc_group=doc_group,
            undated_rows=undated,
            language=primary,
        )
        timings["weak_signals"] = time.perf_counter() - clock

    skipped = _tally(row_reason[row_reason >= 0], SKIP_REASONS)
    codes, language_names = _factorize(row_language)
    languages = _tally(codes, language_names)
    return ThemeAnalysis(
        themes=themes,
        row_theme=row_theme,
        row_weight=row_weight,
        row_skip=row_skip,
        row_language=row_language,
        skipped=skipped,
        languages=languages,
        selection=selection,
        duplicate_groups=duplicate_groups,
        shares_by_territory=by_territory,
        shares_by_period=by_period,
        shares_by_profile=by_profile,
        theme_space=theme_space,
        weak_signals=signals,
        timings=timings,
    )


def _tally(codes: np.ndarray, names: Sequence[str]) -> dict[str, int]:
    """Return the count of each code's name, in order of first appearance."""
    counts = np.bincount(codes, minlength=len(names))
    seen, first = np.unique(codes, return_index=True)
    return {names[code]: int(counts[code]) for code in seen[np.argsort(first)].tolist()}


def _factorize(values: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """Return a code per value and the distinct values in order of first appearance.

    A dictionary lookup per value: hashing beats sorting a million strings with np.unique.
    """
    index: dict[object, int] = {}
    setdefault = index.setdefault
    codes = np.fromiter(
        (setdefault(value, len(index)) for value in values), dtype=np.int64, count=len(values)
    )
    return codes, list(index)


def _primary_language(doc_language: np.ndarray, counts: np.ndarray) -> str:
    """Return "en" when English rows outnumber French ones, else "fr" (French first)."""
    french = counts[doc_language == "fr"].sum()
    english = counts[doc_language == "en"].sum()
    return "en" if english > french else "fr"


def _fit_language(
    corpus: TokenizedCorpus,
    matrix: TermMatrix,
    language: str,
    n_themes: int | None,
    theme_range: tuple[int, int],
    embedder: Embedder | None,
    seed: int,
    fit_size: int,
    notify: Progress,
    timings: dict[str, float],
    *,
    first_id: int,
) -> tuple[list[Theme], np.ndarray, np.ndarray, np.ndarray, ModelSelection] | None:
    """Fit themes on one language's texts; return themes, per-text theme, weight and space."""
    row_weights = corpus.counts[matrix.docs].astype(np.float64)
    x, _ = tfidf(matrix.counts, row_weights)
    usable = np.diff(x.indptr) > 0
    n_usable_rows = int(row_weights[usable].sum())
    smallest = n_themes if n_themes is not None else theme_range[0]
    if n_themes is not None and n_themes < 1:
        raise TooFewTextsError(f"the number of themes must be at least 1, not {n_themes}")
    if n_usable_rows < max(smallest, 2) or usable.sum() < max(smallest, 2):
        if language != "fr" and n_themes is None:
            return None
        raise TooFewTextsError(
            f"{usable.sum()} usable {language} text(s) for {smallest} themes: give more texts "
            "or ask for fewer themes (--themes)"
        )
    rng = np.random.default_rng(seed)
    usable_docs = np.flatnonzero(usable)
    cumulative = np.cumsum(row_weights[usable_docs])
    draws = min(fit_size, n_usable_rows)
    # Sample rows, not distinct texts: a text pasted a thousand times weighs a thousand times.
    picked = rng.choice(n_usable_rows, size=draws, replace=False)
    fit_docs = usable_docs[np.searchsorted(cumulative, picked, side="right")]
    x_fit = x[np.sort(fit_docs)]

    clock = time.perf_counter()
    notify(f"choose_k:{language}")
    if n_themes is None:
        low, high = theme_range
        # At least about 20 distinct texts per theme, so that a small corpus gets few themes.
        high = max(2, min(high, int(usable.sum()) // 20))
        low = min(low, high)
        model_selection = _choose_theme_count(x_fit, low, high, seed)
    else:
        model_selection = ModelSelection("MiniBatchNMF", "fixed", {}, n_themes)
    k = model_selection.chosen
    timings[f"choose_k_{language}"] = time.perf_counter() - clock

    clock = time.perf_counter()
    notify(f"fit:{language}")
    model = _nmf(k, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x_fit)
        w = model.transform(x).astype(np.float32)
    h = model.components_
    timings[f"fit_{language}"] = time.perf_counter() - clock

    totals = w.sum(axis=1)
    assigned = (totals > 0) & usable
    mix = np.divide(w, totals[:, None], out=np.zeros_like(w), where=totals[:, None] > 0)
    doc_theme = np.where(assigned, mix.argmax(axis=1), -1)
    doc_weight = mix.max(axis=1)
    space = _unit_rows(w)
    if embedder is not None:
        clock = time.perf_counter()
        notify(f"embeddings:{language}")
        vectors = embedder([corpus.unique_texts[d] for d in matrix.docs])
        doc_theme, space = _refine_with_embeddings(space, _unit_rows(vectors), doc_theme, k)
        doc_weight = np.where(doc_theme >= 0, doc_weight, 0.0)
        h = _member_term_weights(x, doc_theme, k, row_weights)
        timings[f"embeddings_{language}"] = time.perf_counter() - clock

    clock = time.perf_counter()
    notify(f"labels:{language}")
    themes = _describe_themes(matrix, h, mix, doc_theme, row_weights, language, first_id)
    timings[f"labels_{language}"] = time.perf_counter() - clock
    doc_theme = np.where(doc_theme >= 0, doc_theme + first_id, -1)
    return (
        themes,
        doc_theme,
        doc_weight.astype(np.float32),
        space.astype(np.float32),
        model_selection,
    )


def _nmf(k: int, seed: int) -> MiniBatchNMF:
    """Return the theme model: NMF with Frobenius loss, fitted by mini-batches (Lefèvre 2011).

    Ten passes at most: on shuffled rows the loss is flat after a few passes, while the
    default of 200 costs minutes on a large sample for no visible change in the themes.
    """
    return MiniBatchNMF(
        n_components=k, init="nndsvda", batch_size=4096, max_iter=10, random_state=seed, tol=1e-3
    )


def _choose_theme_count(
    x: sp.csr_matrix, low: int, high: int, seed: int, vocabulary: int = 5_000
) -> ModelSelection:
    """Return the number of themes in [low, high] whose top terms are most stable across seeds.

    Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis for topic
    models", ECML PKDD: fit twice with different seeds on different 80 % samples, match the
    themes of the two fits one-to-one (Hungarian algorithm) and average the Jaccard index of
    their top-10 terms. The most stable k wins; a tie (to 0.01) goes to the larger k.

    The fits see only the sample's ``vocabulary`` most frequent terms used by at least 3 of its
    texts: a top-10 term is never a rarer one, and the cost of each fit (its SVD start and
    coordinate descent) grows with the number of columns, 50,000 otherwise.
    """
    rng = np.random.default_rng(seed)
    sample = x[rng.permutation(x.shape[0])[: min(x.shape[0], 4_000)]].tocsc()
    sample_df = np.diff(sample.indptr)
    columns = np.flatnonzero(sample_df >= min(3, int(sample_df.max(initial=0))))
    columns = columns[np.argsort(-sample_df[columns], kind="stable")[:vocabulary]]
    sample = sample[:, np.sort(columns)].tocsr()
    sample = sample[np.diff(sample.indptr) > 0]
    step = max(1, (high - low) // 3)
    scores: dict[int, float] = {}
    for k in range(low, high + 1, step):
        tops = []
        for run in range(2):
            part = sample[
                np.random.default_rng(seed + run).permutation(sample.shape[0])[
                    : int(0.8 * sample.shape[0]) or 1
                ]
            ]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # The full-batch solver converges faster than mini-batches on small samples.
                components = NMF(k, init="nndsvda", max_iter=100, tol=1e-3).fit(part).components_
            tops.append([set(np.argsort(-row)[:10].tolist()) for row in components])
        similarity = np.array([[len(a & b) / len(a | b) for b in tops[1]] for a in tops[0]])
        rows, columns = linear_sum_assignment(-similarity)
        scores[k] = float(similarity[rows, columns].mean())
    best = max(scores, key=lambda k: (round(scores[k], 2), k))
    return ModelSelection(
        "MiniBatchNMF", "stability of top-10 terms across seeds (Greene 2014)", scores, best
    )


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Return ``matrix`` with each non-zero row scaled to unit L2 norm."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix, dtype=np.float32), where=norms > 0)


def _refine_with_embeddings(
    mix: np.ndarray, vectors: np.ndarray, doc_theme: np.ndarray, k: int, iterations: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """Return themes refined in the joint space of theme mix and sentence embedding.

    Spherical k-means (Dhillon & Modha 2001) started from the NMF themes, in the space where
    each text is its unit theme mix next to its unit embedding: texts worded differently but
    meaning the same move together. Return the new themes and the joint space.
    """
    joint = _unit_rows(np.hstack([mix, vectors]).astype(np.float32))
    theme = doc_theme.copy()
    usable = theme >= 0
    for _ in range(iterations):
        centroids = np.zeros((k, joint.shape[1]), dtype=np.float32)
        np.add.at(centroids, theme[usable], joint[usable])
        centroids = _unit_rows(centroids)
        new = (joint[usable] @ centroids.T).argmax(axis=1)
        if np.array_equal(new, theme[usable]):
            break
        theme[usable] = new
    return theme, joint


def _member_term_weights(
    x: sp.csr_matrix, doc_theme: np.ndarray, k: int, row_weights: np.ndarray
) -> np.ndarray:
    """Return per theme the mean TF-IDF of its member texts (rows weighted by duplicates)."""
    usable = np.flatnonzero(doc_theme >= 0)
    membership = sp.csr_matrix(
        (row_weights[usable], (doc_theme[usable], usable)), shape=(k, x.shape[0])
    )
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    sizes[sizes == 0] = 1.0
    return np.asarray((membership @ x).todense()) / sizes[:, None]


def _describe_themes(
    matrix: TermMatrix,
    h: np.ndarray,
    mix: np.ndarray,
    doc_theme: np.ndarray,
    row_weights: np.ndarray,
    language: str,
    first_id: int,
) -> list[Theme]:
    """Return each theme's label, top terms in their original form, share and examples.

    The label is the theme's three heaviest meaningful terms (see
    :func:`~.labels.is_meaningful_term`: no stop, stance or generic word at a phrase's edge),
    a word dropped when a kept bigram already contains it ("carte grise" rather than
    "carte grise · carte").
    """
    k = h.shape[0]
    total = row_weights[doc_theme >= 0].sum() or 1.0
    sizes = np.bincount(doc_theme[doc_theme >= 0], weights=row_weights[doc_theme >= 0], minlength=k)
    themes: list[Theme] = []
    verdicts: dict[int, bool] = {}

    def meaningful(term: int) -> bool:
        if term not in verdicts:
            surface = matrix.surface[term] or matrix.terms[term]
            verdicts[term] = is_meaningful_term(surface, matrix.terms[term], language)
        return verdicts[term]

    for topic in range(k):
        # Deeper than the ten kept: filler terms are skipped on the way.
        order = np.argsort(-h[topic])[:60]
        order = order[h[topic, order] > 0]
        picked: list[int] = []
        for term in order.tolist():
            if not meaningful(term):
                continue
            words = set(matrix.terms[term].split())
            if any(words <= set(matrix.terms[other].split()) for other in picked):
                continue
            # A bigram replaces the words it contains: "carte grise", not "carte · grise".
            inside = [
                i for i, other in enumerate(picked) if set(matrix.terms[other].split()) < words
            ]
            if inside:
                picked[inside[0]] = term
                picked = [other for i, other in enumerate(picked) if i not in inside[1:]]
            else:
                picked.append(term)
            if len(picked) == 10:
                break
        forms = [matrix.surface[t] or matrix.terms[t] for t in picked]
        members = np.flatnonzero(doc_theme == topic)
        best = members[np.argsort(-mix[members, topic], kind="stable")[:5]]
        themes.append(
            Theme(
                id=first_id + topic,
                language=language,
                label=" · ".join(forms[:3]),
                terms=forms,
                term_weights=[round(float(h[topic, t]), 6) for t in picked],
                share=float(sizes[topic] / total),
                size=int(sizes[topic]),
                examples=matrix.docs[best].tolist(),
            )
        )
    return themes


def _row_space(
    row_doc: np.ndarray, spaces: list[tuple[np.ndarray, np.ndarray]], n_rows: int
) -> np.ndarray:
    """Return each row's theme-space vector (zeros for skipped rows), languages side by side."""
    width = sum(space.shape[1] for _, space in spaces)
    result = np.zeros((n_rows, width), dtype=np.float32)
    column = 0
    for docs, space in spaces:
        position = np.full(int(row_doc.max(initial=-1)) + 1, -1, dtype=np.int64)
        position[docs] = np.arange(len(docs))
        rows = np.flatnonzero(row_doc >= 0)
        rows = rows[position[row_doc[rows]] >= 0]
        result[rows, column : column + space.shape[1]] = space[position[row_doc[rows]]]
        column += space.shape[1]
    return result


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


def _shares_by(
    labels: Sequence[str | None] | np.ndarray | None, row_theme: np.ndarray, k: int
) -> dict[str, dict[int, float]]:
    """Return, per label (territory, profile), the share of its analysed rows in each theme."""
    if labels is None:
        return {}
    if len(labels) != len(row_theme):
        raise ValueError(f"{len(labels)} labels for {len(row_theme)} texts")
    codes, values = _factorize(labels)
    # Distinct values with the same text ("3" and 3) are one label; None and "" are none.
    names = ["" if value is None else str(value) for value in values]
    name_codes, distinct = _factorize(names)
    row_code = name_codes[codes]
    missing = distinct.index("") if "" in distinct else -1
    row_code = np.where(row_code == missing, -1, row_code)
    return _shares_by_code(row_code, [str(name) for name in distinct], row_theme, k)


def _shares_by_code(
    row_code: np.ndarray, names: Sequence[str], row_theme: np.ndarray, k: int
) -> dict[str, dict[int, float]]:
    """Return, per name, the share of its analysed rows in each theme, names sorted.

    ``row_code[r]`` indexes ``names`` (-1: no label). The table of counts is one
    ``np.bincount`` over label x theme cells.
    """
    keep = (row_theme >= 0) & (row_code >= 0)
    if not keep.any():
        return {}
    table = np.bincount(row_code[keep] * k + row_theme[keep], minlength=len(names) * k).reshape(
        len(names), k
    )
    totals = table.sum(axis=1, keepdims=True)
    shares = table / np.maximum(totals, 1)
    return {
        str(names[i]): {theme: float(shares[i, theme]) for theme in range(k) if table[i, theme]}
        for i in sorted(np.flatnonzero(totals[:, 0] > 0).tolist(), key=lambda i: str(names[i]))
    }


def _periods(
    dates: Sequence[object] | np.ndarray, n_rows: int, period: str
) -> tuple[np.ndarray, list[str], int]:
    """Return a period code per row (-1 when undated), the period names and the undated count.

    Codes follow time, and so do the names. "auto" keeps Yoon's time weights positive (at most
    19 periods for w = 0.05): days for up to 19 days, then equal spans of ceil(days / 12)
    days labelled by their first day, then months.
    """
    days = (
        np.array(dates, dtype="datetime64[D]")
        if not isinstance(dates, np.ndarray)
        else dates.astype("datetime64[D]")
    )
    if len(days) != n_rows:
        raise ValueError(f"{len(days)} dates for {n_rows} texts")
    dated = ~np.isnat(days)
    row_period = np.full(n_rows, -1, dtype=np.int64)
    if not dated.any():
        return row_period, [], n_rows
    day_number = days[dated].astype(np.int64)
    first_day = int(day_number.min())
    span = int(day_number.max()) - first_day + 1
    if period == "auto":
        period = "day" if span <= 19 else "span" if span <= 19 * 7 else "month"
    if period == "span":
        length = -(-span // 12)
        key = first_day + (day_number - first_day) // length * length
    elif period == "day":
        key = day_number
    elif period == "week":
        # Weeks start on Monday; 1970-01-01 was a Thursday.
        key = day_number - (day_number + 3) % 7
    elif period == "month":
        key = days[dated].astype("datetime64[M]").astype(np.int64)
    else:
        raise ValueError(f"unknown period {period!r}: use day, week, month or auto")
    keys, row_period[dated] = np.unique(key, return_inverse=True)
    if period == "month":
        names = np.datetime_as_string(keys.astype("datetime64[M]"), unit="M").tolist()
    else:
        names = np.datetime_as_string(keys.astype("datetime64[D]"), unit="D").tolist()
        if period == "week":
            names = [f"semaine du {name}" for name in names]
    return row_period, names, int((~dated).sum())


def detect_weak_signals(
    matrix: TermMatrix,
    row_doc: np.ndarray,
    row_period: np.ndarray,
    periods: Sequence[str],
    texts: Sequence[str],
    *,
    doc_group: np.ndarray | None = None,
    min_support: int = 5,
    alpha: float = 0.01,
    per_period: int = 40,
    undated_rows: int = 0,
    language: str = "fr",
) -> WeakSignalReport:
    """Return the terms of each period on Yoon's maps, with tests, bursts and examples.

    ``row_period[r]`` indexes ``periods`` (-1: undated). A pasted text counts once: the rows of
    one near-duplicate group (``doc_group`` per distinct text, -1 for none) in one period
    weigh 1/m each, m being their number, in every count below (term and document
    frequencies, documents per period), so a campaign is one voice per period, not m.

    A term is a candidate in a period when at least ``min_support`` (weighted) rows of that
    period use it and it reads as meaning (:func:`~.labels.is_meaningful_term`: "pas",
    "midi" or "veux juste" never are). It is *emerging*, a signal, when it is rising (weak or
    strong quadrant) and its document frequency in the period is significantly above that of
    all earlier periods: Dunning's G², its p-value adjusted by Benjamini-Hochberg over the
    candidates of the period (so that testing hundreds of terms does not make some
    "significant" by chance), q < ``alpha``. A rising term that is not significant is only one
    to watch; a Kleinberg burst is reported beside. Place names are filtered out. At most
    ``per_period`` candidates per period and quadrant are reported, the most rising first;
    examples are the first rows using the term in the period, one per near-duplicate group.
    """
    n_periods = len(periods)
    position = np.full(int(max(row_doc.max(initial=-1), matrix.docs.max(initial=-1))) + 1, -1)
    position[matrix.docs] = np.arange(len(matrix.docs))
    dated_rows = np.flatnonzero((row_doc >= 0) & (row_period >= 0))
    local = position[row_doc[dated_rows]]
    dated_rows = dated_rows[local >= 0]
    local = local[local >= 0]
    period_of = row_period[dated_rows]
    weight, representative = _group_weights(local, period_of, dated_rows, matrix, doc_group)
    occurrences = sp.csr_matrix((weight, (local, period_of)), shape=(len(matrix.docs), n_periods))
    documents_per_period = np.bincount(period_of, weights=weight, minlength=n_periods)
    counts_t = matrix.counts.T.tocsr()
    binary_t = counts_t.copy()
    binary_t.data[:] = 1.0
    tf = (counts_t @ occurrences).toarray()
    df = (binary_t @ occurrences).toarray()
    timelines_all = np.rint(df).astype(int)
    if n_periods < 2:
        return WeakSignalReport(
            list(periods),
            np.rint(documents_per_period).astype(int).tolist(),
            [],
            {},
            [],
            undated_rows,
        )

    maps = emergence_maps(tf, df, documents_per_period)
    bursts = kleinberg_bursts(df, documents_per_period)
    # Weighted counts are sums of 1/m: a margin keeps a float sum like 4.999999 at 5.
    supported_any = df.max(axis=1) >= min_support - 1e-9
    places = _place_terms(matrix, counts_t, supported_any, texts, row_doc)
    place_mask = np.zeros(len(matrix.terms), dtype=bool)
    place_mask[list(places)] = True
    filler_mask = np.zeros(len(matrix.terms), dtype=bool)
    for term in np.flatnonzero(supported_any).tolist():
        surface = matrix.surface[term] or matrix.terms[term]
        filler_mask[term] = not is_meaningful_term(surface, matrix.terms[term], language)
    # Counts of all earlier periods, for the G² test of period j against periods < j.
    earlier_df = np.cumsum(df, axis=1) - df
    earlier_docs = np.cumsum(documents_per_period) - documents_per_period

    signals: list[WeakSignal] = []
    reported: set[int] = set()
    for j in range(1, n_periods):
        candidates = (df[:, j] >= min_support - 1e-9) & ~place_mask & ~filler_mask
        kem = quadrants(maps.dov_level[:, j], maps.dov_rate[:, j], candidates)
        kim = quadrants(maps.dod_level[:, j], maps.dod_rate[:, j], candidates)
        g2, p = log_likelihood(df[:, j], documents_per_period[j], earlier_df[:, j], earlier_docs[j])
        q = np.ones(len(p))
        q[candidates] = benjamini_hochberg(p[candidates])
        rising_share = df[:, j] / max(documents_per_period[j], 1) > earlier_df[:, j] / max(
            earlier_docs[j], 1
        )
        chosen_by_quadrant = []
        for quadrant in (WEAK, STRONG, LATENT, WELL_KNOWN):
            chosen = np.flatnonzero(kem == quadrant)
            chosen = chosen[np.argsort(-maps.dov_rate[chosen, j], kind="stable")[:per_period]]
            chosen_by_quadrant.append((quadrant, chosen))
        terms_j = np.concatenate([chosen for _, chosen in chosen_by_quadrant])
        examples_of = _examples(
            binary_t, terms_j, representative[period_of[representative] == j], local, dated_rows
        )
        for quadrant, chosen in chosen_by_quadrant:
            for term in chosen.tolist():
                emerging = quadrant in (WEAK, STRONG) and q[term] < alpha and rising_share[term]
                reported.add(term)
                signals.append(
                    WeakSignal(
                        term=matrix.surface[term] or matrix.terms[term],
                        lemma=matrix.terms[term],
                        period=str(periods[j]),
                        quadrant=quadrant,
                        diffusion_quadrant=str(kim[term]),
                        frequency=int(round(tf[term, j])),
                        document_frequency=int(round(df[term, j])),
                        visibility=float(maps.dov[term, j]),
                        diffusion=float(maps.dod[term, j]),
                        visibility_increase=float(maps.dov_rate[term, j]),
                        diffusion_increase=float(maps.dod_rate[term, j]),
                        log_likelihood=float(g2[term]),
                        p_value=float(p[term]),
                        q_value=float(q[term]),
                        burst=bool(bursts[term, j]),
                        emerging=bool(emerging),
                        examples=examples_of[term],
                    )
                )
    timelines = {
        matrix.surface[term] or matrix.terms[term]: timelines_all[term].tolist()
        for term in sorted(reported)
    }
    return WeakSignalReport(
        periods=list(periods),
        documents_per_period=np.rint(documents_per_period).astype(int).tolist(),
        signals=signals,
        timelines=timelines,
        filtered_places=sorted(matrix.surface[t] or matrix.terms[t] for t in places),
        undated_rows=undated_rows,
    )


def _group_weights(
    local: np.ndarray,
    period_of: np.ndarray,
    rows: np.ndarray,
    matrix: TermMatrix,
    doc_group: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each dated row's weight and the indices (into ``rows``) of example candidates.

    A row stands for itself (weight 1) unless its text belongs to a near-duplicate group;
    then the m rows of that group in that period weigh 1/m each. Candidates are the first
    row of each group (or, for a text without group, of each distinct text) in each period.
    """
    group = doc_group[matrix.docs[local]] if doc_group is not None else np.full(len(local), -1)
    grouped = group >= 0
    # One key per (group, period); ungrouped rows key on their distinct text, after the groups.
    unit = np.where(grouped, group, int(group.max(initial=-1)) + 1 + local)
    n_periods = int(period_of.max(initial=-1)) + 1
    _, first, inverse, sizes = np.unique(
        unit * n_periods + period_of, return_index=True, return_inverse=True, return_counts=True
    )
    weight = np.where(grouped, 1.0 / sizes[inverse], 1.0)
    return weight, np.sort(first)


def _examples(
    binary_t: sp.csr_matrix,
    terms: np.ndarray,
    candidates: np.ndarray,
    local: np.ndarray,
    rows: np.ndarray,
    limit: int = 3,
) -> dict[int, list[int]]:
    """Return, for each term, the first ``limit`` candidate rows whose text uses it.

    ``candidates`` index ``rows`` and ``local`` (the row's text in ``binary_t``'s columns)
    in row order. One sparse product for all terms of the period, not a search per term.
    """
    if not len(terms) or not len(candidates):
        return {int(term): [] for term in terms}
    incidence = sp.csr_matrix(
        (np.ones(len(candidates)), (local[candidates], np.arange(len(candidates)))),
        shape=(binary_t.shape[1], len(candidates)),
    )
    hits = (binary_t[terms] @ incidence).tocsr()
    hits.sort_indices()
    examples: dict[int, list[int]] = {}
    for i, term in enumerate(terms.tolist()):
        found = hits.indices[hits.indptr[i] : hits.indptr[i + 1]][:limit]
        examples[term] = rows[candidates[found]].tolist()
    return examples


def _place_terms(
    matrix: TermMatrix,
    counts_t: sp.csr_matrix,
    supported: np.ndarray,
    texts: Sequence[str],
    row_doc: np.ndarray,
) -> set[int]:
    """Return the supported terms that name places, judged on up to 200 texts using each.

    ``counts_t`` is the term x text matrix, whose rows give each term's texts directly.
    """
    places: set[int] = set()
    doc_to_row: np.ndarray | None = None
    names = place_names()
    for term in np.flatnonzero(supported).tolist():
        form = matrix.surface[term] or matrix.terms[term]
        if not is_place_name(form):
            if not _might_be_place(form):
                continue
            if doc_to_row is None:
                present = np.flatnonzero(row_doc >= 0)
                first_docs, first = np.unique(row_doc[present], return_index=True)
                doc_to_row = np.full(int(first_docs.max(initial=-1)) + 1, -1)
                doc_to_row[first_docs] = present[first]
            column = counts_t.indices[counts_t.indptr[term] : counts_t.indptr[term + 1]][:200]
            sample = [texts[doc_to_row[matrix.docs[d]]] for d in column.tolist()]
            word = next((w for w in _fold(form).split() if w in names), form)
            if not is_place_name(form, capitalized_share(word, sample)):
                continue
        places.add(term)
    return places


def _might_be_place(form: str) -> bool:
    """Return whether a word of ``form`` is in the place list (then capitals decide)."""
    names = place_names()
    folded = _fold(form)
    return folded in names or any(word in names for word in folded.split())
