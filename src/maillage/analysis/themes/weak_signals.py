"""Weak signals: terms of each period on Yoon's emergence maps, tested, with bursts and examples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .features import TermMatrix
from .labels import is_meaningful_term
from .places import _fold, capitalized_share, is_place_name, place_names
from .results import WeakSignal, WeakSignalReport
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
