"""Uni- and bi-gram counts of lemmas as a sparse matrix, and their TF-IDF weighting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import TokenizedCorpus, lemmatize_types

# Elided French words are written back with an apostrophe when a span is shown.
_ELIDED = frozenset(["c", "d", "j", "l", "m", "n", "qu", "s", "t", "jusqu", "lorsqu", "puisqu"])


@dataclass
class TermMatrix:
    """Counts of terms (lemma uni- and bi-grams) per distinct text of one language.

    ``docs`` are indices into the corpus' distinct texts; ``terms`` are lemma strings
    ("carte griser"); ``surface`` gives each term as people wrote it ("carte grise").
    """

    counts: sp.csr_matrix
    docs: np.ndarray
    terms: list[str]
    surface: list[str]
    n_content: np.ndarray


def build_term_matrix(
    corpus: TokenizedCorpus,
    docs: np.ndarray,
    language: str,
    *,
    min_df: int = 2,
    max_df: float = 0.5,
    max_features: int = 50_000,
) -> TermMatrix:
    """Return lemma uni- and bi-gram counts for the distinct texts ``docs``.

    A bigram joins two consecutive content lemmas, stop words between them skipped, so
    "mise en place" counts as ("miser", "place"). Document frequencies count every row
    (duplicates included); terms with fewer than ``min_df`` rows or in more than ``max_df``
    of the rows are dropped, and at most ``max_features`` of the most frequent are kept.
    """
    starts = corpus.offsets[docs]
    lengths = corpus.offsets[docs + 1] - starts
    positions = _ranges(starts, lengths)
    local_doc = np.repeat(np.arange(len(docs)), lengths)
    # Only the word types of these texts are lemmatized: English texts use a sliver of them.
    used_types = np.unique(corpus.tokens[positions])
    lemma_of_type = lemmatize_types([corpus.types[t] for t in used_types.tolist()], language)
    lemma_ids: dict[str, int] = {}
    type_to_lemma = np.full(len(corpus.types), -1, dtype=np.int64)
    type_to_lemma[used_types] = np.fromiter(
        (
            -1 if lemma is None else lemma_ids.setdefault(lemma, len(lemma_ids))
            for lemma in lemma_of_type
        ),
        dtype=np.int64,
        count=len(lemma_of_type),
    )
    lemmas = list(lemma_ids)
    n_lemmas = max(len(lemmas), 1)

    token_lemma = type_to_lemma[corpus.tokens[positions]]
    content = token_lemma >= 0
    c_doc = local_doc[content]
    c_lemma = token_lemma[content]
    c_pos = positions[content]
    same_doc = c_doc[1:] == c_doc[:-1]
    b_doc = c_doc[:-1][same_doc]
    b_key = c_lemma[:-1][same_doc] * n_lemmas + c_lemma[1:][same_doc]
    b_start = c_pos[:-1][same_doc]
    b_end = c_pos[1:][same_doc]

    # Term ids: unigrams keep their lemma id, bigrams come after them.
    bigram_keys, b_term = np.unique(b_key, return_inverse=True)
    term_of_token = np.concatenate([c_lemma, b_term + n_lemmas])
    doc_of_term = np.concatenate([c_doc, b_doc])
    n_terms = n_lemmas + len(bigram_keys)
    counts = sp.csr_matrix(
        (np.ones(len(term_of_token), dtype=np.float32), (doc_of_term, term_of_token)),
        shape=(len(docs), n_terms),
    )
    counts.sum_duplicates()
    weights = corpus.counts[docs].astype(np.float64)
    df = np.bincount(
        counts.indices, weights=np.repeat(weights, np.diff(counts.indptr)), minlength=n_terms
    )
    n_rows = weights.sum()
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * n_rows))
    if len(keep) > max_features:
        keep = keep[np.argsort(-df[keep], kind="stable")[:max_features]]
        keep.sort()
    counts = counts[:, keep].tocsr()

    names: list[str] = []
    for term in keep:
        if term < n_lemmas:
            names.append(lemmas[term])
        else:
            key = bigram_keys[term - n_lemmas]
            names.append(f"{lemmas[key // n_lemmas]} {lemmas[key % n_lemmas]}")
    surface = _surface_forms(
        corpus, keep, n_lemmas, type_to_lemma, b_term, b_start, b_end, weights, local_doc, positions
    )
    n_content = np.bincount(c_doc, minlength=len(docs))
    return TermMatrix(counts, docs, names, surface, n_content)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return the concatenation of ``range(s, s + n)`` for each start ``s`` and length ``n``."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    shifts = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shifts


def _surface_forms(
    corpus: TokenizedCorpus,
    keep: np.ndarray,
    n_lemmas: int,
    type_to_lemma: np.ndarray,
    b_term: np.ndarray,
    b_start: np.ndarray,
    b_end: np.ndarray,
    weights: np.ndarray,
    local_doc: np.ndarray,
    positions: np.ndarray,
) -> list[str]:
    """Return each kept term in its most frequent original form.

    A unigram's form is the word type most often lemmatized to it; a bigram's is the most
    frequent original span (with the stop words inside it), see :func:`_most_frequent_spans`.
    """
    token_types = corpus.tokens[positions]
    token_weight = weights[local_doc]
    type_weight = np.bincount(token_types, weights=token_weight, minlength=len(corpus.types))
    best_type: dict[int, int] = {}
    best_weight: dict[int, float] = {}
    for type_id in np.flatnonzero(type_weight).tolist():
        lemma = type_to_lemma[type_id]
        if lemma >= 0 and type_weight[type_id] > best_weight.get(lemma, 0.0):
            best_weight[lemma] = type_weight[type_id]
            best_type[lemma] = type_id

    wanted = keep[keep >= n_lemmas] - n_lemmas
    span_of = _most_frequent_spans(corpus, wanted, b_term, b_start, b_end)

    forms: list[str] = []
    for term in keep.tolist():
        if term < n_lemmas:
            forms.append(corpus.types[best_type[term]] if term in best_type else "")
        else:
            forms.append(span_of[term - n_lemmas])
    return forms


def _most_frequent_spans(
    corpus: TokenizedCorpus,
    wanted: np.ndarray,
    b_term: np.ndarray,
    b_start: np.ndarray,
    b_end: np.ndarray,
) -> dict[int, str]:
    """Return, for each wanted bigram, its most frequent original span over all occurrences.

    Each occurrence's span (its word types, stop words inside included) is hashed with a
    polynomial over uint64 (with the bigram id), so that counting spans is one ``np.unique``; ties go to the span
    seen first. Only the winning span of each bigram is turned into a string.
    """
    occurrence = np.flatnonzero(np.isin(b_term, wanted))
    if not len(occurrence):
        return {}
    start = b_start[occurrence]
    length = b_end[occurrence] - start + 1
    key = np.zeros(len(occurrence), dtype=np.uint64)
    for offset in range(int(length.max())):
        inside = length > offset
        key[inside] = key[inside] * np.uint64(1_000_003) + corpus.tokens[
            start[inside] + offset
        ].astype(np.uint64)
    term = b_term[occurrence]
    # The bigram id joins the hash, so that one uint64 sort counts (bigram, span) pairs.
    key = key * np.uint64(1_000_003) + term.astype(np.uint64)
    _, first, count = np.unique(key, return_index=True, return_counts=True)
    # Per bigram: the highest count, then the earliest first occurrence.
    span_term = term[first]
    order = np.lexsort((first, -count, span_term))
    best = order[np.r_[True, span_term[order][1:] != span_term[order][:-1]]]
    spans: dict[int, str] = {}
    for span in best.tolist():
        where = occurrence[first[span]]
        words = [corpus.types[t] for t in corpus.tokens[b_start[where] : b_end[where] + 1]]
        spans[int(span_term[span])] = _join(words)
    return spans


def _join(words: list[str]) -> str:
    """Return words joined by spaces, elided words glued with an apostrophe ("taxe d'habitation")."""
    parts: list[str] = []
    for i, word in enumerate(words):
        parts.append(word)
        if i < len(words) - 1:
            parts.append("'" if word in _ELIDED else " ")
    return "".join(parts)


def tfidf(counts: sp.csr_matrix, row_weights: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Return the L2-normalized sublinear TF-IDF of ``counts`` and the idf vector.

    tf = 1 + ln(count); idf = ln((1 + n) / (1 + df)) + 1, with n and df counted over rows
    weighted by ``row_weights`` (duplicates); this is scikit-learn's smoothed idf
    (Manning, Raghavan & Schütze 2008, §6.4 for the sublinear tf).
    """
    n_rows = float(row_weights.sum())
    df = np.bincount(
        counts.indices,
        weights=np.repeat(row_weights, np.diff(counts.indptr)),
        minlength=counts.shape[1],
    )
    idf = np.log((1.0 + n_rows) / (1.0 + df)) + 1.0
    weighted = counts.copy().astype(np.float32)
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices].astype(np.float32)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    weighted = sp.diags((1.0 / norms).astype(np.float32)) @ weighted
    return weighted.tocsr(), idf
