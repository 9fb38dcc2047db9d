"""Tiny openData folders written on the fly for the opinion tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

Vote = tuple[int, int, int, int]  # (voter id, comment id, vote, timestamp in ms)


def write_opendata(
    folder: Path,
    votes: Sequence[Vote],
    moderated: dict[int, int] | None = None,
    groups: dict[int, int | None] | None = None,
    new_header: bool = False,
    flip_comment_counts: bool = False,
) -> Path:
    """Write comments.csv, votes.csv, participants-votes.csv and summary.csv; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    comments = sorted({tid for _, tid, _, _ in votes} | set(moderated or {}))
    agrees = {tid: sum(1 for _, t, v, _ in votes if t == tid and v == 1) for tid in comments}
    disagrees = {tid: sum(1 for _, t, v, _ in votes if t == tid and v == -1) for tid in comments}
    if flip_comment_counts:
        agrees, disagrees = disagrees, agrees
    with (folder / "comments.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
            ]
        )
        for tid in comments:
            writer.writerow(
                [
                    1_600_000_000_000,
                    "x",
                    tid,
                    0,
                    agrees[tid],
                    disagrees[tid],
                    (moderated or {}).get(tid, 1),
                    f"Statement {tid}, with a comma",
                ]
            )
    with (folder / "votes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for pid, tid, vote, ts in votes:
            writer.writerow([ts, "x", tid, pid, vote])
    final: dict[tuple[int, int], int] = {}
    for pid, tid, vote, _ in sorted(votes, key=lambda row: row[3]):
        final[(pid, tid)] = vote
    voted = sorted({tid for _, tid, _, _ in votes})
    with (folder / "participants-votes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        head = ["participant"] + (["xid"] if new_header else [])
        writer.writerow(
            head + ["group-id", "n-comments", "n-votes", "n-agree", "n-disagree"] + voted
        )
        for pid in sorted({pid for pid, _, _, _ in votes}):
            cells = [final.get((pid, tid), "") for tid in voted]
            group = (groups or {}).get(pid)
            writer.writerow(
                [pid]
                + ([""] if new_header else [])
                + [
                    "" if group is None else group,
                    0,
                    sum(c != "" for c in cells),
                    cells.count(1),
                    cells.count(-1),
                ]
                + cells
            )
    (folder / "summary.csv").write_text("topic,Test\nvoters,1\n")
    return folder
