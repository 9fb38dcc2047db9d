"""``maillage opinions analyze`` through ``maillage.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from maillage.analysis.tests.opinions_fixtures import write_opendata
from maillage.cli import main


def planted_folder(folder: Path) -> Path:
    """Write a 60-participant conversation with two planted groups (exported as 0 and 1)."""
    rng = np.random.default_rng(0)
    votes = []
    for p in range(60):
        for s in range(12):
            side = 1 if (s < 6) == (p < 30) else -1
            value = side if rng.random() < 0.9 else 0
            votes.append((p, s, int(value), 1_600_000_000_000 + 1000 * (p * 12 + s)))
    return write_opendata(folder, votes, groups={p: int(p >= 30) for p in range(60)})


def test_analyze_prints_groups_and_writes_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    assert (
        main(["opinions", "analyze", str(planted_folder(tmp_path / "c")), "--json", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "Group 0" in printed and "Group 1" in printed and "Consensus" in printed
    document = json.loads(out.read_text())
    assert {"participants", "statements", "groups", "consensus", "timings"} <= set(document)
    assert len(document["participants"]) == 60
    assert {"id", "group", "x", "y"} <= set(document["participants"][0])
    assert sorted(g["size"] for g in document["groups"]) == [30, 30]
    assert all(g["representative"] for g in document["groups"])
    assert "group_informed_consensus" in document["statements"][0]
    assert document["timings"]["total"] > 0


def test_groups_from_export_keeps_the_export_ids(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    folder = planted_folder(tmp_path / "c")
    code = main(["opinions", "analyze", str(folder), "--groups-from-export", "--json", str(out)])
    assert code == 0
    participants = json.loads(out.read_text())["participants"]
    assert all(p["group"] == int(p["id"] >= 30) for p in participants)


def test_replay_mode_with_a_seed_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    folder = planted_folder(tmp_path / "c")
    code = main(
        ["opinions", "analyze", str(folder), "--mode", "replay", "--seed", "3", "--json", str(out)]
    )
    assert code == 0
    assert json.loads(out.read_text())["mode"] == "replay"


def test_bad_folder_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = planted_folder(tmp_path / "c")
    (folder / "comments.csv").unlink()
    assert main(["opinions", "analyze", str(folder)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "missing file comments.csv" in error[0]
