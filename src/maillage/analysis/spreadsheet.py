"""CSV cells that a spreadsheet cannot take for formulas (CSV injection, OWASP).

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is run as a formula when the file is opened:
``=HYPERLINK(…)`` in a published text would reach every reader of the export. Such text cells
are prefixed with an apostrophe, which spreadsheets read as "this is text". Numbers are written
as they are: only strings are touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Return ``value``, prefixed with ``'`` when it is a string a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose every text cell goes through ``spreadsheet_safe``."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle: Any, **options: Any) -> SafeWriter:
    """Return a CSV writer on ``handle`` that neutralises formula-like text cells."""
    return SafeWriter(handle, **options)
