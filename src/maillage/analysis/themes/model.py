"""The theme model of one language: TF-IDF, NMF with its number of themes, embeddings, labels."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, MiniBatchNMF

from .embeddings import Embedder
from .features import TermMatrix, tfidf
from .labels import is_meaningful_term
from .results import ModelSelection, Theme, TooFewTextsError
from .text import TokenizedCorpus
from .timing import Stages


@dataclass(frozen=True)
class FittedLanguage:
    """One language's themes and, per distinct text of its matrix, theme, weight and space.

    ``doc_theme`` holds global theme ids (-1: not assigned); ``space`` is the text's unit theme
    mix, joined with its unit embedding when embeddings were used.
    """

    themes: list[Theme]
    doc_theme: np.ndarray
    doc_weight: np.ndarray
    space: np.ndarray
    selection: ModelSelection


def fit_language(
    *,
    corpus: TokenizedCorpus,
    matrix: TermMatrix,
    language: str,
    n_themes: int | None,
    theme_range: tuple[int, int],
    embedder: Embedder | None,
    seed: int,
    fit_size: int,
    stages: Stages,
    first_id: int,
) -> FittedLanguage | None:
    """Fit themes on one language's texts; None when a secondary language has too few texts."""
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

    with stages.stage("choose_k", language):
        if n_themes is None:
            low, high = theme_range
            # At least about 20 distinct texts per theme, so that a small corpus gets few themes.
            high = max(2, min(high, int(usable.sum()) // 20))
            low = min(low, high)
            model_selection = _choose_theme_count(x_fit, low, high, seed)
        else:
            model_selection = ModelSelection("MiniBatchNMF", "fixed", {}, n_themes)
        k = model_selection.chosen

    with stages.stage("fit", language):
        model = _nmf(k, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x_fit)
            w = model.transform(x).astype(np.float32)
        h = model.components_

    totals = w.sum(axis=1)
    assigned = (totals > 0) & usable
    mix = np.divide(w, totals[:, None], out=np.zeros_like(w), where=totals[:, None] > 0)
    doc_theme = np.where(assigned, mix.argmax(axis=1), -1)
    doc_weight = mix.max(axis=1)
    space = _unit_rows(w)
    if embedder is not None:
        with stages.stage("embeddings", language):
            vectors = embedder([corpus.unique_texts[d] for d in matrix.docs])
            doc_theme, space = _refine_with_embeddings(space, _unit_rows(vectors), doc_theme, k)
            doc_weight = np.where(doc_theme >= 0, doc_weight, 0.0)
            h = _member_term_weights(x, doc_theme, k, row_weights)

    with stages.stage("labels", language):
        themes = _describe_themes(matrix, h, mix, doc_theme, row_weights, language, first_id)
    return FittedLanguage(
        themes=themes,
        doc_theme=np.where(doc_theme >= 0, doc_theme + first_id, -1),
        doc_weight=doc_weight.astype(np.float32),
        space=space.astype(np.float32),
        selection=model_selection,
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
                # Seeded: its SVD start is randomized, and unseeded it drew from numpy's global
                # state, so the chosen count changed from run to run (12, 8, 12 on one corpus).
                nmf = NMF(k, init="nndsvda", max_iter=100, tol=1e-3, random_state=seed + run)
                components = nmf.fit(part).components_
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


def row_space(
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
