"""openData import and export: validated, lossless round trip."""

from __future__ import annotations

import csv

import pytest

from maillage.cli import main as cli_main
from maillage.opinions.interchange import conversation_export, conversation_import
from maillage.opinions.models import Vote, VoteEvent

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def _rows(path, drop=("datetime",)):
    with path.open(newline="", encoding="utf-8") as handle:
        return sorted(
            tuple(v for k, v in row.items() if k not in drop) for row in csv.DictReader(handle)
        )


def test_a_polis_export_round_trips_without_loss(shared_data, personas, tmp_path) -> None:
    source = shared_data / "polis" / "london.youth.policing"
    conversation = conversation_import(source, territory=personas.commune, slug="london")
    assert VoteEvent.objects.filter(statement__conversation=conversation).count() == 640
    assert Vote.objects.filter(statement__conversation=conversation).count() == 638
    conversation_export(conversation, tmp_path)
    assert _rows(tmp_path / "votes.csv") == _rows(source / "votes.csv")
    keep = (
        "timestamp",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    )
    original = _rows(
        source / "comments.csv",
        drop=[
            c for c in csv.DictReader((source / "comments.csv").open()).fieldnames if c not in keep
        ],
    )
    assert _rows(tmp_path / "comments.csv", drop=("datetime",)) == original


def test_cli_import_names_a_missing_file_in_one_line(personas, tmp_path, capsys) -> None:
    (tmp_path / "comments.csv").write_text("timestamp,comment-id\n")
    code = cli_main(
        ["opinions", "import", str(tmp_path), "--territory", personas.commune.slug, "--slug", "x"]
    )
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "missing" in error[0]


def test_cli_import_refuses_an_unknown_territory(shared_data, db, capsys) -> None:
    code = cli_main(
        [
            "opinions",
            "import",
            str(shared_data / "polis" / "london.youth.policing"),
            "--territory",
            "nowhere",
            "--slug",
            "x",
        ]
    )
    assert code == 2
    assert "no territory 'nowhere'" in capsys.readouterr().err
