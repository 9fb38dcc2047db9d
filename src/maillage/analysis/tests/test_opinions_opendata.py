"""Reading openData folders: re-votes, timestamps, headers, sign convention and bad folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from maillage.analysis.opinions import OpenDataError, read_opendata
from maillage.analysis.tests.opinions_fixtures import write_opendata

VOTES = [
    (0, 0, 1, 1_600_000_000_000),
    (0, 0, -1, 1_600_000_005_000),  # re-vote: replaces the agree
    (0, 1, 1, 1_600_000_001_000),
    (1, 0, 1, 1_600_000_002_000),
    (1, 1, 0, 1_600_000_003_000),
    (2, 1, 1, 1_600_000_004_000),
]


def test_latest_vote_per_pair_is_kept(tmp_path: Path) -> None:
    conversation = read_opendata(write_opendata(tmp_path, VOTES, groups={0: 0, 1: 1}))
    assert len(conversation.events) == 6
    final = {
        (int(p), int(s)): int(v)
        for p, s, v in zip(
            conversation.votes.participant_ids,
            conversation.votes.statement_ids,
            conversation.votes.values,
            strict=True,
        )
    }
    assert final == {(0, 0): -1, (0, 1): 1, (1, 0): 1, (1, 1): 0, (2, 1): 1}
    assert conversation.export_groups == {0: 0, 1: 1, 2: None}


def test_timestamps_in_seconds_are_converted_to_milliseconds(tmp_path: Path) -> None:
    seconds = [(p, s, v, t // 1000) for p, s, v, t in VOTES]
    conversation = read_opendata(write_opendata(tmp_path, seconds))
    assert conversation.events.timestamps.min() == 1_600_000_000_000
    assert len(conversation.votes) == 5


def test_new_participants_header_with_xid_is_read(tmp_path: Path) -> None:
    conversation = read_opendata(write_opendata(tmp_path, VOTES, groups={2: 1}, new_header=True))
    assert conversation.export_groups[2] == 1


def test_rejected_statements_are_mod_out(tmp_path: Path) -> None:
    conversation = read_opendata(write_opendata(tmp_path, VOTES, moderated={1: -1}))
    assert conversation.statements.mod_out_ids.tolist() == [1]


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = write_opendata(tmp_path, VOTES)
    (folder / "votes.csv").unlink()
    with pytest.raises(OpenDataError, match=r"missing file votes\.csv"):
        read_opendata(folder)


def test_missing_participants_file_is_named(tmp_path: Path) -> None:
    folder = write_opendata(tmp_path, VOTES)
    (folder / "participants-votes.csv").unlink()
    with pytest.raises(OpenDataError, match=r"missing file participants-votes\.csv"):
        read_opendata(folder)


def test_missing_column_is_named(tmp_path: Path) -> None:
    folder = write_opendata(tmp_path, VOTES)
    text = (folder / "votes.csv").read_text().replace("voter-id", "voter")
    (folder / "votes.csv").write_text(text)
    with pytest.raises(OpenDataError, match=r"votes\.csv: missing column\(s\) voter-id"):
        read_opendata(folder)


def test_vote_outside_minus_one_zero_one_is_refused(tmp_path: Path) -> None:
    folder = write_opendata(tmp_path, [*VOTES, (3, 0, 2, 1_600_000_009_000)])
    with pytest.raises(OpenDataError, match="vote 2 is not one of -1, 0, 1"):
        read_opendata(folder)


def test_inverted_sign_convention_is_refused_with_the_reason(tmp_path: Path) -> None:
    votes = [(p, 0, 1, 1_600_000_000_000 + p) for p in range(8)] + [
        (p, 1, -1, 1_600_000_100_000 + p) for p in range(3)
    ]
    folder = write_opendata(tmp_path, votes, flip_comment_counts=True)
    with pytest.raises(OpenDataError, match=r"agree = -1 \(Polis's internal sign\)"):
        read_opendata(folder)


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_text("x")
    with pytest.raises(OpenDataError, match="not a folder"):
        read_opendata(path)
