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
from .places import _fold, capitalized_share, is_place_name, place_names
from .signals import emergence_maps, kleinberg_bursts, log_likelihood, quadrants
from .text import (
    ENGLISH_STANCE_WORDS,
    FRENCH_STANCE_WORDS,
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
    """One theme: its label, terms as people wrote them, share of the analysed rows, examples."""

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
    row_language = [UNDETERMINED] * n_rows
    present = row_doc >= 0
    if present.any():
        languages_of_rows = doc_language[row_doc[present]]
        for row, language in zip(np.flatnonzero(present).tolist(), languages_of_rows, strict=True):
            row_language[row] = language
    primary = _primary_language(doc_language, corpus.counts)
    row_skip: list[str | None] = [None] * n_rows
    for row in np.flatnonzero(~present).tolist():
        row_skip[row] = SKIP_EMPTY

    row_theme = np.full(n_rows, -1, dtype=np.int64)
    row_weight = np.zeros(n_rows, dtype=np.float32)
    themes: list[Theme] = []
    selection: dict[str, ModelSelection] = {}
    spaces: list[tuple[np.ndarray, np.ndarray]] = []
    primary_matrix: TermMatrix | None = None
    doc_theme = np.full(len(corpus.unique_texts), -1, dtype=np.int64)
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
        weights = np.zeros(len(corpus.unique_texts), dtype=np.float32)
        weights[matrix.docs] = doc_weight
        spaces.append((matrix.docs, space))
        in_group = np.isin(row_doc, matrix.docs)
        row_theme[in_group] = doc_theme[row_doc[in_group]]
        row_weight[in_group] = weights[row_doc[in_group]]
        for row, doc in zip(
            np.flatnonzero(in_group).tolist(), row_doc[in_group].tolist(), strict=True
        ):
            if doc_theme[doc] < 0:
                row_skip[row] = SKIP_STOP_WORDS if matrix_content(matrix, doc) == 0 else SKIP_RARE
    if primary_matrix is None or not themes:
        raise TooFewTextsError("no text left to analyse: every text is empty or of stop words only")
    for row in np.flatnonzero(present & (row_theme < 0)).tolist():
        if row_skip[row] is None:
            row_skip[row] = SKIP_LANGUAGE

    theme_space = _row_space(row_doc, spaces, n_rows)
    clock = time.perf_counter()
    notify("duplicates")
    duplicate_groups = _duplicate_groups(corpus, row_doc, doc_theme, texts)
    for group in duplicate_groups:
        if group.theme is not None:
            themes[group.theme].duplicate_groups.append(group)
    timings["duplicates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    notify("shares")
    n_total = len(themes)
    by_territory = _shares_by(territories, row_theme, n_total)
    period_labels, undated = (
        _period_labels(dates, n_rows, period) if dates is not None else (None, 0)
    )
    by_period = _shares_by(period_labels, row_theme, n_total)
    by_profile = _shares_by(profiles, row_theme, n_total)
    timings["shares"] = time.perf_counter() - clock

    signals = None
    if period_labels is not None:
        clock = time.perf_counter()
        notify("weak_signals")
        signals = detect_weak_signals(
            primary_matrix, corpus, row_doc, period_labels, texts, undated_rows=undated
        )
        timings["weak_signals"] = time.perf_counter() - clock

    skipped: dict[str, int] = {}
    for reason in row_skip:
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1
    languages: dict[str, int] = {}
    for language in row_language:
        languages[language] = languages.get(language, 0) + 1
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


def matrix_content(matrix: TermMatrix, doc: int) -> int:
    """Return the number of content words (before vocabulary pruning) of distinct text ``doc``."""
    position = int(np.searchsorted(matrix.docs, doc))
    return int(matrix.n_content[position])


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


def _choose_theme_count(x: sp.csr_matrix, low: int, high: int, seed: int) -> ModelSelection:
    """Return the number of themes in [low, high] whose top terms are most stable across seeds.

    Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis for topic
    models", ECML PKDD: fit twice with different seeds on different 80 % samples, match the
    themes of the two fits one-to-one (Hungarian algorithm) and average the Jaccard index of
    their top-10 terms. The most stable k wins; a tie (to 0.01) goes to the larger k.
    """
    rng = np.random.default_rng(seed)
    sample = x[rng.permutation(x.shape[0])[: min(x.shape[0], 4_000)]]
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

    The label is the theme's three heaviest terms, a word dropped when a kept bigram already
    contains it ("carte grise" rather than "carte grise · carte").
    """
    k = h.shape[0]
    # A stance word alone ("pas", "plus") says nothing of a theme; it stays inside bigrams.
    stance = FRENCH_STANCE_WORDS | ENGLISH_STANCE_WORDS | {"ne"}
    total = row_weights[doc_theme >= 0].sum() or 1.0
    sizes = np.bincount(doc_theme[doc_theme >= 0], weights=row_weights[doc_theme >= 0], minlength=k)
    themes: list[Theme] = []
    for topic in range(k):
        order = np.argsort(-h[topic])[:30]
        order = order[h[topic, order] > 0]
        picked: list[int] = []
        for term in order.tolist():
            if matrix.terms[term] in stance:
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


def _duplicate_groups(
    corpus: TokenizedCorpus,
    row_doc: np.ndarray,
    doc_theme: np.ndarray,
    texts: list[str],
    min_size: int = 3,
) -> list[DuplicateGroup]:
    """Return groups of at least ``min_size`` rows whose texts are copies or near-copies."""
    labels = near_duplicate_components(corpus.tokens, corpus.offsets)
    long_enough = np.diff(corpus.offsets) >= 8
    group_size = np.bincount(labels, weights=corpus.counts * long_enough)
    candidates = np.flatnonzero(group_size >= min_size)
    groups: list[DuplicateGroup] = []
    if not len(candidates):
        return groups
    present = np.flatnonzero(row_doc >= 0)
    row_group = labels[row_doc[present]]
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
    """Return, per label (territory, period, profile), the share of its analysed rows in each theme."""
    if labels is None:
        return {}
    values = np.array([("" if label is None else str(label)) for label in labels], dtype=object)
    keep = (row_theme >= 0) & (values != "")
    if not keep.any():
        return {}
    names, index = np.unique(values[keep].astype(str), return_inverse=True)
    table = np.bincount(index * k + row_theme[keep], minlength=len(names) * k).reshape(
        len(names), k
    )
    totals = table.sum(axis=1, keepdims=True)
    shares = table / np.maximum(totals, 1)
    return {
        str(name): {theme: float(shares[i, theme]) for theme in range(k) if table[i, theme]}
        for i, name in enumerate(names)
    }


def _period_labels(
    dates: Sequence[object] | np.ndarray, n_rows: int, period: str
) -> tuple[np.ndarray, int]:
    """Return a period label per row ("" when undated) and the number of undated rows.

    "auto" keeps Yoon's time weights positive (at most 19 periods for w = 0.05): days for up
    to 19 days, then equal spans of ceil(days / 12) days labelled by their first day, then
    months.
    """
    days = (
        np.array(dates, dtype="datetime64[D]")
        if not isinstance(dates, np.ndarray)
        else dates.astype("datetime64[D]")
    )
    if len(days) != n_rows:
        raise ValueError(f"{len(days)} dates for {n_rows} texts")
    dated = ~np.isnat(days)
    labels = np.full(n_rows, "", dtype=object)
    if not dated.any():
        return labels, n_rows
    span = int((days[dated].max() - days[dated].min()).astype(int)) + 1
    first_day = days[dated].min()
    if period == "auto":
        period = "day" if span <= 19 else "span" if span <= 19 * 7 else "month"
    if period == "span":
        length = -(-span // 12)
        starts = first_day + ((days[dated] - first_day).astype(np.int64) // length * length).astype(
            "timedelta64[D]"
        )
        text = np.datetime_as_string(starts, unit="D")
    elif period == "day":
        text = np.datetime_as_string(days[dated], unit="D")
    elif period == "week":
        # Weeks start on Monday; 1970-01-01 was a Thursday.
        monday = days[dated] - ((days[dated].astype(np.int64) + 3) % 7).astype("timedelta64[D]")
        text = np.char.add("semaine du ", np.datetime_as_string(monday, unit="D"))
    elif period == "month":
        text = np.datetime_as_string(days[dated].astype("datetime64[M]"), unit="M")
    else:
        raise ValueError(f"unknown period {period!r}: use day, week, month or auto")
    labels[dated] = text
    return labels, int((~dated).sum())


def detect_weak_signals(
    matrix: TermMatrix,
    corpus: TokenizedCorpus,
    row_doc: np.ndarray,
    period_labels: np.ndarray,
    texts: Sequence[str],
    *,
    min_support: int = 5,
    alpha: float = 0.01,
    per_period: int = 40,
    undated_rows: int = 0,
) -> WeakSignalReport:
    """Return the terms of each period on Yoon's maps, with tests, bursts and examples.

    A term is a candidate in a period when at least ``min_support`` rows of that period use
    it. It is *emerging* when it is rising (weak or strong quadrant), its document frequency
    in the period is significantly above that of all earlier periods (Dunning's G², p <
    ``alpha``) or it is in a Kleinberg burst. Place names are filtered out. At most
    ``per_period`` candidates per period and quadrant are reported, the most rising first.
    """
    dated = (row_doc >= 0) & (period_labels != "")
    periods, row_period = np.unique(period_labels[dated].astype(str), return_inverse=True)
    n_periods = len(periods)
    position = np.full(len(corpus.unique_texts), -1, dtype=np.int64)
    position[matrix.docs] = np.arange(len(matrix.docs))
    dated_rows = np.flatnonzero(dated)
    local = position[row_doc[dated_rows]]
    in_model = local >= 0
    occurrences = sp.csr_matrix(
        (np.ones(int(in_model.sum())), (local[in_model], row_period[in_model])),
        shape=(len(matrix.docs), n_periods),
    )
    documents_per_period = np.bincount(row_period, minlength=n_periods).astype(np.float64)
    counts_t = matrix.counts.T.tocsr()
    tf = np.asarray((counts_t @ occurrences).todense())
    binary = counts_t.copy()
    binary.data[:] = 1.0
    df = np.asarray((binary @ occurrences).todense())
    timelines_all = df.astype(int)
    if n_periods < 2:
        return WeakSignalReport(
            periods.tolist(), documents_per_period.astype(int).tolist(), [], {}, [], undated_rows
        )

    maps = emergence_maps(tf, df, documents_per_period)
    bursts = kleinberg_bursts(df, documents_per_period)
    places = _place_terms(matrix, df.sum(axis=1) >= min_support, texts, row_doc, position)
    place_mask = np.zeros(len(matrix.terms), dtype=bool)
    place_mask[list(places)] = True

    # First row of each (text, period) pair, to quote examples by row.
    key = local[in_model] * n_periods + row_period[in_model]
    unique_keys, first_index = np.unique(key, return_index=True)
    first_row = dated_rows[in_model][first_index]
    binary_csc = binary.T.tocsc()

    signals: list[WeakSignal] = []
    reported: set[int] = set()
    for j in range(1, n_periods):
        candidates = (df[:, j] >= min_support) & ~place_mask
        kem = quadrants(maps.dov_level[:, j], maps.dov_rate[:, j], candidates)
        kim = quadrants(maps.dod_level[:, j], maps.dod_rate[:, j], candidates)
        earlier_docs = documents_per_period[:j].sum()
        g2, p = log_likelihood(
            df[:, j], documents_per_period[j], df[:, :j].sum(axis=1), earlier_docs
        )
        rising_share = df[:, j] / max(documents_per_period[j], 1) > df[:, :j].sum(axis=1) / max(
            earlier_docs, 1
        )
        for quadrant in ("weak", "strong", "latent", "well-known"):
            chosen = np.flatnonzero(kem == quadrant)
            chosen = chosen[np.argsort(-maps.dov_rate[chosen, j], kind="stable")[:per_period]]
            for term in chosen.tolist():
                emerging = quadrant in ("weak", "strong") and (
                    (p[term] < alpha and rising_share[term]) or bool(bursts[term, j])
                )
                docs_with = binary_csc.indices[
                    binary_csc.indptr[term] : binary_csc.indptr[term + 1]
                ]
                wanted = np.searchsorted(unique_keys, docs_with * n_periods + j)
                wanted = wanted[wanted < len(unique_keys)]
                hit = unique_keys[wanted] == docs_with[: len(wanted)] * n_periods + j
                examples = first_row[wanted[hit]][:3].tolist()
                reported.add(term)
                signals.append(
                    WeakSignal(
                        term=matrix.surface[term] or matrix.terms[term],
                        lemma=matrix.terms[term],
                        period=str(periods[j]),
                        quadrant=quadrant,
                        diffusion_quadrant=str(kim[term]),
                        frequency=int(tf[term, j]),
                        document_frequency=int(df[term, j]),
                        visibility=float(maps.dov[term, j]),
                        diffusion=float(maps.dod[term, j]),
                        visibility_increase=float(maps.dov_rate[term, j]),
                        diffusion_increase=float(maps.dod_rate[term, j]),
                        log_likelihood=float(g2[term]),
                        p_value=float(p[term]),
                        burst=bool(bursts[term, j]),
                        emerging=bool(emerging),
                        examples=examples,
                    )
                )
    timelines = {
        matrix.surface[term] or matrix.terms[term]: timelines_all[term].tolist()
        for term in sorted(reported)
    }
    return WeakSignalReport(
        periods=periods.tolist(),
        documents_per_period=documents_per_period.astype(int).tolist(),
        signals=signals,
        timelines=timelines,
        filtered_places=sorted(matrix.surface[t] or matrix.terms[t] for t in places),
        undated_rows=undated_rows,
    )


def _place_terms(
    matrix: TermMatrix,
    supported: np.ndarray,
    texts: Sequence[str],
    row_doc: np.ndarray,
    position: np.ndarray,
) -> set[int]:
    """Return the supported terms that name places, judged on up to 200 texts using each."""
    places: set[int] = set()
    doc_to_row: dict[int, int] = {}
    for term in np.flatnonzero(supported).tolist():
        form = matrix.surface[term] or matrix.terms[term]
        if not is_place_name(form):
            if not _might_be_place(form):
                continue
            column = matrix.counts[:, term].nonzero()[0][:200]
            if not doc_to_row:
                first = np.unique(row_doc[row_doc >= 0], return_index=True)
                doc_to_row = dict(
                    zip(
                        first[0].tolist(),
                        np.flatnonzero(row_doc >= 0)[first[1]].tolist(),
                        strict=True,
                    )
                )
            sample = [texts[doc_to_row[int(matrix.docs[d])]] for d in column]
            names = place_names()
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
