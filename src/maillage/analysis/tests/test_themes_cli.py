"""Tests of ``maillage themes analyze`` on small CSV files, good and bad."""

from __future__ import annotations

import csv
import gzip
import json

from maillage.cli import main

from .test_themes_pipeline import corpus


def _write(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["texte", "date", "quartier"])
        writer.writerows(rows)


def _rows():
    texts = corpus()
    return [
        [text, f"2024-03-{1 + i % 9:02d}", "Nord" if i % 2 else "Sud"]
        for i, text in enumerate(texts)
    ]


def test_analyze_writes_the_report_and_the_json(tmp_path):
    source = tmp_path / "avis.csv"
    rows = _rows() + [["", "2024-03-01", "Nord"], ["Une idée", "pas une date", "Sud"]]
    _write(source, rows)
    out = tmp_path / "out"
    code = main(
        [
            "themes",
            "analyze",
            str(source),
            "--text-column",
            "texte",
            "--date-column",
            "date",
            "--territory-column",
            "quartier",
            "--out",
            str(out),
            "--themes",
            "3",
        ]
    )
    assert code == 0
    document = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    assert len(document["themes"]) == 3
    assert {"id", "label", "terms", "share"} <= set(document["themes"][0])
    assert len(document["rows"]) == len(rows)
    assert document["rows"][-2] == {
        "row": len(rows) - 2,
        "theme": None,
        "weight": None,
        "skipped": "empty",
    }
    assert document["input"]["unparsed_dates"] == 1
    assert set(document["shares_by_territory"]) == {"Nord", "Sud"}
    assert "timings" in document and len(document["periods"]) == 9
    assert document["weak_signals"] == []  # 7 rows a day stay under the minimum support
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "<svg" in html and "<table>" in html


def test_a_latin1_gzipped_file_is_decoded(tmp_path):
    source = tmp_path / "avis.csv"
    _write(source, _rows(), encoding="latin-1")
    packed = tmp_path / "avis.csv.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    out = tmp_path / "out"
    assert (
        main(
            [
                "themes",
                "analyze",
                str(packed),
                "--text-column",
                "texte",
                "--out",
                str(out),
                "--themes",
                "3",
            ]
        )
        == 0
    )
    document = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    assert document["input"]["encoding"] != "utf-8"
    assert any("é" in term for theme in document["themes"] for term in theme["terms"])


def test_a_missing_column_lists_the_columns_found(tmp_path, capsys):
    source = tmp_path / "avis.csv"
    _write(source, _rows())
    assert main(["themes", "analyze", str(source), "--text-column", "comment"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == "error: column 'comment' not found; columns found: texte, date, quartier"


def test_fewer_texts_than_themes_exits_2_with_one_line(tmp_path, capsys):
    source = tmp_path / "avis.csv"
    _write(source, _rows()[:4])
    assert (
        main(
            [
                "themes",
                "analyze",
                str(source),
                "--text-column",
                "texte",
                "--themes",
                "10",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "for 10 themes" in capsys.readouterr().err.strip().splitlines()[-1]


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["themes", "analyze", str(tmp_path / "absent.csv"), "--text-column", "texte"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot read")
