"""Shares of themes per label (territory, profile) and per period, counted with numpy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def tally(codes: np.ndarray, names: Sequence[str]) -> dict[str, int]:
    """Return the count of each code's name, in order of first appearance."""
    counts = np.bincount(codes, minlength=len(names))
    seen, first = np.unique(codes, return_index=True)
    return {names[code]: int(counts[code]) for code in seen[np.argsort(first)].tolist()}


def factorize(values: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Return a code per value and the distinct values in order of first appearance.

    A dictionary lookup per value: hashing beats sorting a million strings with np.unique.
    """
    index: dict[Any, int] = {}
    setdefault = index.setdefault
    codes = np.fromiter(
        (setdefault(value, len(index)) for value in values), dtype=np.int64, count=len(values)
    )
    return codes, list(index)


def shares_by(
    labels: Sequence[str | None] | np.ndarray | None, row_theme: np.ndarray, k: int
) -> dict[str, dict[int, float]]:
    """Return, per label (territory, profile), the share of its analysed rows in each theme."""
    if labels is None:
        return {}
    if len(labels) != len(row_theme):
        raise ValueError(f"{len(labels)} labels for {len(row_theme)} texts")
    codes, values = factorize(labels)
    # Distinct values with the same text ("3" and 3) are one label; None and "" are none.
    names = ["" if value is None else str(value) for value in values]
    name_codes, distinct = factorize(names)
    row_code = name_codes[codes]
    missing = distinct.index("") if "" in distinct else -1
    row_code = np.where(row_code == missing, -1, row_code)
    return shares_by_code(row_code, [str(name) for name in distinct], row_theme, k)


def shares_by_code(
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


def row_periods(
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
