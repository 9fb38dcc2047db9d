"""CSV injection: formula-like text cells are written as text, numbers untouched."""

from __future__ import annotations

import csv
import io

import pytest

from maillage.analysis.spreadsheet import safe_writer, spreadsheet_safe


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_text_starting_like_a_formula_is_prefixed_to_stay_text(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Bonjour", "a=b", "", -3, 2.5, None, "1-2"])
def test_ordinary_text_and_numbers_are_left_alone(value):
    assert spreadsheet_safe(value) == value


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    writer = safe_writer(out, lineterminator="\n")
    writer.writerow(["=1+1", -1, "ok"])
    writer.writerows([["@x", "+y"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=1+1", "-1", "ok"], ["'@x", "'+y"]]
