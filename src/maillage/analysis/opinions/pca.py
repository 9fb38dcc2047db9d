"""Polis's 2-component PCA on the mean-imputed vote matrix, computed sparse.

Source: ``compdemocracy/polis`` ``math/src/polismath/math/pca.clj`` and ``conversation.clj``.
Polis replaces a missing vote by its column's mean over the cells that were voted, then centres
every column on that same mean. A missing cell therefore becomes exactly 0 after centring, so the
centred, imputed matrix has the sparsity of the votes: ``C[i, j] = x_ij - mean_j`` on voted cells
and 0 elsewhere. It is built directly in CSR form and never densified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from maillage.analysis.opinions.matrix import VoteMatrix

N_COMPONENTS = 2
POWER_ITERATIONS = 100
# Below this many statements the Gram matrix C^T C is small enough to diagonalise densely.
_DENSE_GRAM_LIMIT = 2000


@dataclass(frozen=True)
class PCAResult:
    """Centre (column means), components (2 × statements) and the two projections."""

    center: np.ndarray
    components: np.ndarray
    participant_projection: np.ndarray
    statement_projection: np.ndarray

    @property
    def statement_extremity(self) -> np.ndarray:
        """Return each statement's distance from the origin in the projection.

        ``comment-extremity`` in Polis (``pca.clj`` ``with-proj-and-extremtiy``).
        """
        return np.hypot(self.statement_projection[:, 0], self.statement_projection[:, 1])


def rating_matrix(votes: VoteMatrix, mod_out: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
    """Return the centred, mean-imputed matrix ``C`` and the column means.

    Mod-out columns (``mod_out`` is a boolean mask over statements) are set to 0 in every row, so
    their mean is 0 and they contribute nothing (``named_matrix.clj`` ``zero-out-columns``).
    """
    matrix = votes.matrix
    n_cols = votes.shape[1]
    seen = np.bincount(matrix.indices, minlength=n_cols)
    totals = np.bincount(matrix.indices, weights=matrix.data, minlength=n_cols)
    center = np.divide(totals, seen, out=np.zeros(n_cols), where=seen > 0)
    center[mod_out] = 0.0
    data = matrix.data - center[matrix.indices]
    data[mod_out[matrix.indices]] = 0.0
    centred = sp.csr_array((data, matrix.indices, matrix.indptr), shape=matrix.shape)
    return centred, center


def principal_components(centred: sp.csr_array, seed: int) -> np.ndarray:
    """Return the top two right singular vectors of ``centred`` as a 2 × statements array.

    Polis runs 100 power iterations with deflation (``pca.clj`` ``powerit-pca``); both converge to
    the leading eigenvectors of ``C^T C``, which this computes exactly (dense Gram matrix for small
    conversations, ARPACK with a seeded start vector for large ones). Signs are normalised so
    that each component's largest-magnitude entry is positive, since a component's sign is
    arbitrary.
    """
    n_rows, n_cols = centred.shape
    k = min(N_COMPONENTS, n_cols)
    if n_cols <= _DENSE_GRAM_LIMIT or n_cols <= k + 1:
        gram = (centred.T @ centred).toarray() if n_cols else np.zeros((0, 0))
        if n_cols == 0:
            return np.zeros((N_COMPONENTS, 0))
        _, vectors = scipy.linalg.eigh(gram, subset_by_index=[n_cols - k, n_cols - 1])
        components = vectors[:, ::-1].T
    else:
        operator = scipy.sparse.linalg.LinearOperator(
            (n_cols, n_cols),
            matvec=lambda v: centred.T @ (centred @ v),
            dtype=np.float64,
        )
        start = np.random.default_rng(seed).standard_normal(n_cols)
        _, vectors = scipy.sparse.linalg.eigsh(operator, k=k, which="LA", v0=start, tol=1e-10)
        components = vectors[:, ::-1].T
    return _pad_and_orient(components, n_cols)


def power_iteration_components(
    centred: sp.csr_array, start: np.ndarray, iterations: int = POWER_ITERATIONS
) -> np.ndarray:
    """Return two components by power iteration with deflation, warm-started from ``start``.

    Replays Polis's incremental PCA (``pca.clj`` ``powerit-pca``): each component iterates
    ``v <- C^T C v`` (kept orthogonal to the components found before it, the effect of
    ``factor-matrix`` deflation), normalised, for at most ``iterations`` steps or until the
    eigenvalue estimate stops changing.
    """
    n_cols = centred.shape[1]
    components = np.zeros((N_COMPONENTS, n_cols))
    for k in range(min(N_COMPONENTS, n_cols)):
        vector = start[k].copy()
        vector -= components[:k].T @ (components[:k] @ vector)
        previous_eigenvalue = 0.0
        for _ in range(iterations):
            product = centred.T @ (centred @ vector)
            product -= components[:k].T @ (components[:k] @ product)
            eigenvalue = float(np.linalg.norm(product))
            if eigenvalue == 0.0:
                break
            vector = product / eigenvalue
            if abs(eigenvalue - previous_eigenvalue) <= 1e-12 * eigenvalue:
                break
            previous_eigenvalue = eigenvalue
        norm = np.linalg.norm(vector)
        components[k] = vector / norm if norm else vector
    return components


def project(
    centred: sp.csr_array,
    center: np.ndarray,
    components: np.ndarray,
    n_votes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return participant and statement projections (n × 2 and statements × 2).

    Participants (``pca.clj`` ``sparsity-aware-project-ptpt``): over the cells they voted,
    ``p_k = sqrt(n_cmts / max(n_votes, 1)) · Σ_j (x_j − center_j) · pc_k[j]``. Zeroed mod-out
    cells are not missing in Polis's rating matrix, so ``n_votes`` (computed by
    ``rating_vote_counts``) counts every mod-out column as voted.
    Statements (``pca.clj`` ``pca-project-cmnts``): statement j is a virtual participant who agreed
    with j only, ``sqrt(n_cmts) · (1 − center_j) · pc_k[j]`` (agree = +1 here, −1 in Polis, so the
    sign of the whole projection is flipped with respect to Polis's, like the components may be).
    """
    n_cols = centred.shape[1]
    scale = np.sqrt(n_cols / np.maximum(n_votes, 1))
    participants = (centred @ components.T) * scale[:, None]
    statements = (np.sqrt(n_cols) * (1.0 - center))[:, None] * components.T
    return participants, statements


def rating_vote_counts(votes: VoteMatrix, mod_out: np.ndarray) -> np.ndarray:
    """Return each participant's non-missing cells in Polis's rating matrix.

    That is their votes on kept statements plus one per mod-out statement, whose zeroed column is
    no longer missing for anyone.
    """
    matrix = votes.matrix
    rows = np.repeat(np.arange(votes.shape[0]), np.diff(matrix.indptr))
    kept = np.bincount(rows[~mod_out[matrix.indices]], minlength=votes.shape[0])
    return kept + int(mod_out.sum())


def _pad_and_orient(components: np.ndarray, n_cols: int) -> np.ndarray:
    result = np.zeros((N_COMPONENTS, n_cols))
    result[: len(components)] = components
    for row in result:
        peak = np.argmax(np.abs(row)) if n_cols else 0
        if n_cols and row[peak] < 0:
            row *= -1.0
    return result
