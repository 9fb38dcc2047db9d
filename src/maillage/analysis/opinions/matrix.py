"""The participant × statement vote matrix, kept sparse.

Votes use agree = +1, disagree = -1, pass = 0 (the export convention; Polis stores the opposite
internally, ``client-participation/js/models/vote.js``). A cell is *voted* when it is in the
sparse structure, whatever its value, so a pass (0) is stored explicitly and never confused with a
missing vote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class VoteTable:
    """Votes as parallel arrays: who, on what, which value (+1/0/-1), when (ms since epoch)."""

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray

    def __len__(self) -> int:
        return len(self.values)

    def __post_init__(self) -> None:
        lengths = {
            len(self.participant_ids),
            len(self.statement_ids),
            len(self.values),
            len(self.timestamps),
        }
        if len(lengths) != 1:
            raise ValueError("VoteTable arrays must have the same length")
        if len(self.values) and not np.isin(self.values, (-1, 0, 1)).all():
            raise ValueError("vote values must be -1 (disagree), 0 (pass) or +1 (agree)")

    def sorted_by_time(self) -> VoteTable:
        """Return the votes in timestamp order (ties keep their file order)."""
        order = np.argsort(self.timestamps, kind="stable")
        return self.take(order)

    def take(self, index: np.ndarray | slice) -> VoteTable:
        """Return the votes selected by ``index``."""
        return VoteTable(
            participant_ids=self.participant_ids[index],
            statement_ids=self.statement_ids[index],
            values=self.values[index],
            timestamps=self.timestamps[index],
        )

    def latest(self) -> VoteTable:
        """Return one vote per (participant, statement): the latest by timestamp, in time order.

        A later vote replaces an earlier one (Polis ``named_matrix.clj`` ``update-nmat``); among
        equal timestamps the later row of the file wins.
        """
        ordered = self.sorted_by_time()
        _, rows = _codes(ordered.participant_ids)
        statement_ids, cols = _codes(ordered.statement_ids)
        keep = np.sort(_last_of_each_cell(rows, cols, max(len(statement_ids), 1)))
        return ordered.take(keep)


@dataclass(frozen=True)
class VoteMatrix:
    """A CSR vote matrix with its row (participant) and column (statement) ids.

    Rows follow the order of each participant's first vote (Polis appends rows in arrival order,
    which decides the cold k-means initialisation); columns are statement ids in increasing order.
    """

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    matrix: sp.csr_array

    @property
    def shape(self) -> tuple[int, int]:
        """Return (participants, statements)."""
        return (len(self.participant_ids), len(self.statement_ids))

    def votes_per_participant(self) -> np.ndarray:
        """Return the number of voted cells (passes included) in each row."""
        return np.diff(self.matrix.indptr)

    def counts_by_column(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """Return agree, disagree and seen counts per column, over ``rows`` (all rows if None)."""
        matrix = self.matrix if rows is None else self.matrix[rows]
        n_cols = self.shape[1]
        cols = matrix.indices
        values = matrix.data
        agree = np.bincount(cols[values > 0], minlength=n_cols)
        disagree = np.bincount(cols[values < 0], minlength=n_cols)
        seen = np.bincount(cols, minlength=n_cols)
        return agree, disagree, seen


def build_vote_matrix(votes: VoteTable) -> VoteMatrix:
    """Return the vote matrix of ``votes`` (re-votes allowed: the latest vote per cell wins).

    Sort-based (one stable sort of the cell keys) and lookup-table id coding, so that ten million
    votes take a few seconds.
    """
    ordered = votes.sorted_by_time()
    participant_ids, participant_codes = _codes(ordered.participant_ids)
    statement_ids, cols = _codes(ordered.statement_ids)
    # Rank participants by their first vote: Polis appends rows in arrival order.
    first_vote = np.empty(len(participant_ids), dtype=np.int64)
    # Fancy assignment keeps the last write to a repeated index, hence the reversed order.
    first_vote[participant_codes[::-1]] = np.arange(len(ordered) - 1, -1, -1)
    arrival = np.argsort(first_vote, kind="stable")
    row_of_code = np.empty(len(arrival), dtype=np.int64)
    row_of_code[arrival] = np.arange(len(arrival))
    rows = row_of_code[participant_codes]
    shape = (len(participant_ids), len(statement_ids))
    keep = _last_of_each_cell(rows, cols, max(shape[1], 1))
    return VoteMatrix(
        participant_ids=participant_ids[arrival],
        statement_ids=statement_ids,
        matrix=_csr_sorted(rows[keep], cols[keep], ordered.values[keep].astype(np.float64), shape),
    )


def _codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sorted distinct ids and each element's index among them.

    Small non-negative ids (the usual case) use a lookup table, larger ones a sort.
    """
    ids = np.asarray(ids)
    if len(ids) == 0:
        return ids.astype(np.int64), np.zeros(0, dtype=np.int64)
    low, high = int(ids.min()), int(ids.max())
    if low >= 0 and high < 4 * len(ids) + 1_000_000:
        present = np.zeros(high + 1, dtype=bool)
        present[ids] = True
        code_of = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.int64), code_of[ids]
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.empty(len(ids), dtype=bool)
    starts[0] = True
    starts[1:] = sorted_ids[1:] != sorted_ids[:-1]
    codes = np.empty(len(ids), dtype=np.int64)
    codes[order] = np.cumsum(starts) - 1
    return sorted_ids[starts].astype(np.int64), codes


def _last_of_each_cell(rows: np.ndarray, cols: np.ndarray, n_cols: int) -> np.ndarray:
    """Return, in (row, col) order, the index of the last element of each distinct cell."""
    key = rows.astype(np.int64) * n_cols + cols
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    last = np.ones(len(key), dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    return order[last]


def _csr_sorted(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> sp.csr_array:
    """Return the CSR array of unique cells given in (row, col) order; zeros stay stored."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index_dtype = np.int32 if max(shape[1], len(values)) < 2**31 else np.int64
    return sp.csr_array((values, cols.astype(index_dtype), indptr.astype(index_dtype)), shape=shape)
