"""Near-duplicate groups: the same campaign text pasted many times, with small edits."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

_PRIME = np.uint64((1 << 61) - 1)


def near_duplicate_components(
    tokens: np.ndarray,
    offsets: np.ndarray,
    *,
    shingle: int = 3,
    min_tokens: int = 8,
    n_bands: int = 16,
    rows_per_band: int = 4,
    threshold: float = 0.5,
    seed: int = 0,
    extra_edges: np.ndarray | None = None,
) -> np.ndarray:
    """Return a component label per distinct text, equal for near-duplicates.

    MinHash over word ``shingle``-grams (Broder 1997) with LSH banding (Leskovec, Rajaraman &
    Ullman, *Mining of Massive Datasets*, ch. 3): two texts sharing one band of
    ``rows_per_band`` hashes become candidates, and are linked when the fraction of equal
    hashes (an estimate of their Jaccard similarity) reaches ``threshold``. Texts shorter than
    ``min_tokens`` words are left alone: short answers ("oui") repeat without being a campaign.
    ``extra_edges`` (pairs of text indices) adds links found another way (embeddings).
    """
    n_texts = len(offsets) - 1
    lengths = np.diff(offsets)
    n_hashes = n_bands * rows_per_band
    eligible = np.flatnonzero(lengths >= max(min_tokens, shingle))
    edges: list[np.ndarray] = []
    if extra_edges is not None and len(extra_edges):
        edges.append(np.asarray(extra_edges, dtype=np.int64).reshape(-1, 2))
    if len(eligible) > 1:
        signatures = _minhash(tokens, offsets, eligible, shingle, n_hashes, seed)
        for band in range(n_bands):
            block = signatures[:, band * rows_per_band : (band + 1) * rows_per_band]
            key = np.zeros(len(block), dtype=np.uint64)
            for column in range(rows_per_band):
                key = key * np.uint64(1_000_003) + block[:, column]
            _, bucket = np.unique(key, return_inverse=True)
            order = np.argsort(bucket, kind="stable")
            sorted_bucket = bucket[order]
            starts = np.r_[True, sorted_bucket[1:] != sorted_bucket[:-1]]
            # Link each text to the first one of its bucket (a star, enough for components).
            head = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
            linked = head != order
            a, b = head[linked], order[linked]
            if len(a):
                agreement = (signatures[a] == signatures[b]).mean(axis=1)
                similar = agreement >= threshold
                edges.append(np.column_stack([eligible[a[similar]], eligible[b[similar]]]))
    if not edges:
        return np.arange(n_texts)
    pairs = np.concatenate(edges)
    graph = sp.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n_texts, n_texts)
    )
    _, labels = connected_components(graph, directed=False)
    return labels


def _minhash(
    tokens: np.ndarray,
    offsets: np.ndarray,
    eligible: np.ndarray,
    shingle: int,
    n_hashes: int,
    seed: int,
) -> np.ndarray:
    """Return the MinHash signature (``n_hashes`` values) of each eligible text's shingles."""
    starts = offsets[eligible]
    counts = offsets[eligible + 1] - starts - shingle + 1
    total = int(counts.sum())
    ends = np.cumsum(counts)
    first = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
    value = np.zeros(total, dtype=np.uint64)
    for offset in range(shingle):
        value = value * np.uint64(1_000_003) + tokens[first + offset].astype(np.uint64)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 61, size=n_hashes, dtype=np.uint64)
    b = rng.integers(0, 1 << 61, size=n_hashes, dtype=np.uint64)
    bounds = np.r_[0, ends[:-1]]
    signatures = np.empty((len(eligible), n_hashes), dtype=np.uint64)
    for h in range(n_hashes):
        # Universal hashing; uint64 wrap-around before the modulo keeps it a fair hash family.
        hashed = (value * a[h] + b[h]) % _PRIME
        signatures[:, h] = np.minimum.reduceat(hashed, bounds)
    return signatures
