"""Read a Polis openData export folder into plain arrays.

The format is the one of ``compdemocracy/openData`` (Clojure export, ``darwin/export.clj``) and of
the newer TypeScript server (``server/src/report.ts``): ``comments.csv``, ``votes.csv``,
``participants-votes.csv`` (or ``participant-votes.csv``) and ``summary.csv``. Exports use
agree = +1, disagree = -1, pass = 0 (Polis flips its internal sign on export); the reader checks
that convention against the export's own redundant counts and refuses a folder that contradicts it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from maillage.analysis.opinions.matrix import VoteTable

COMMENTS_FILE = "comments.csv"
VOTES_FILE = "votes.csv"
PARTICIPANTS_FILES = ("participants-votes.csv", "participant-votes.csv")
SUMMARY_FILE = "summary.csv"

_COMMENT_COLUMNS = ("comment-id", "agrees", "disagrees", "moderated")
_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
_PARTICIPANT_COLUMNS = ("participant", "group-id", "n-votes", "n-agree", "n-disagree")
# Participants-votes columns that are not comment ids (old and new headers).
_PARTICIPANT_META_COLUMNS = frozenset(
    {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}
)
# Timestamps below this are seconds since the epoch (1e11 ms is 1973; 1e11 s is year 5138).
_SECONDS_LIMIT = 1e11


class OpenDataError(ValueError):
    """An openData folder that cannot be read; the message names the problem."""


@dataclass(frozen=True)
class Statements:
    """Per-comment metadata of an export, aligned on ``ids``."""

    ids: np.ndarray
    moderated: np.ndarray
    is_meta: np.ndarray
    agrees: np.ndarray
    disagrees: np.ndarray
    bodies: list[str]
    group_informed_consensus: np.ndarray | None = None

    @property
    def mod_out_ids(self) -> np.ndarray:
        """Return the ids Polis zeroes out: rejected (moderated = -1) or meta statements."""
        return self.ids[(self.moderated == -1) | self.is_meta]

    @property
    def meta_ids(self) -> np.ndarray:
        """Return the ids of meta statements."""
        return self.ids[self.is_meta]


@dataclass(frozen=True)
class OpenDataConversation:
    """An openData conversation: every vote event, the final votes and the export's groups."""

    folder: Path
    events: VoteTable
    votes: VoteTable
    statements: Statements
    export_groups: dict[int, int | None]
    summary: dict[str, str] = field(default_factory=dict)


def read_opendata(folder: str | Path) -> OpenDataConversation:
    """Return the conversation stored in an openData folder.

    Raise ``OpenDataError`` naming the missing file or column, an invalid vote value, or a sign
    convention that is not agree = +1.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise OpenDataError(f"{folder}: not a folder")
    statements = _read_comments(_require(folder, COMMENTS_FILE))
    events = _read_vote_events(_require(folder, VOTES_FILE))
    participants_path = next(
        (folder / name for name in PARTICIPANTS_FILES if (folder / name).is_file()), None
    )
    if participants_path is None:
        raise OpenDataError(f"{folder}: missing file {PARTICIPANTS_FILES[0]}")
    participants = _read_participants(participants_path)
    summary_path = folder / SUMMARY_FILE
    summary = _read_summary(summary_path) if summary_path.is_file() else {}
    votes = events.latest()
    _check_sign_convention(events, votes, statements, participants)
    groups = participants["group-id"]
    export_groups = {
        int(pid): (None if pd.isna(gid) else int(gid))
        for pid, gid in zip(participants["participant"], groups, strict=True)
    }
    return OpenDataConversation(
        folder=folder,
        events=events,
        votes=votes,
        statements=statements,
        export_groups=export_groups,
        summary=summary,
    )


def _require(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise OpenDataError(f"{folder}: missing file {name}")
    return path


def _read_csv(
    path: Path, required: tuple[str, ...], *, as_text: bool = True, only_required: bool = False
) -> pd.DataFrame:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError as error:
        raise OpenDataError(f"{path.name}: not UTF-8 ({error})") from error
    missing = [name for name in required if name not in header]
    if missing:
        raise OpenDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    try:
        return pd.read_csv(
            path,
            dtype=str if as_text else None,
            keep_default_na=not as_text,
            usecols=list(required) if only_required else None,
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise OpenDataError(f"{path.name}: unreadable CSV ({error})") from error


def _integers(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    series = frame[column]
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64)
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise OpenDataError(
            f"{path.name}: column {column} has a non-integer value {series.iloc[row]!r}"
        )
    return values.to_numpy(dtype=np.int64)


def _booleans(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].str.strip().str.lower().isin(("true", "t", "1")).to_numpy()


def _read_comments(path: Path) -> Statements:
    frame = _read_csv(path, _COMMENT_COLUMNS)
    gic = None
    if "group-informed-consensus" in frame.columns:
        gic = pd.to_numeric(frame["group-informed-consensus"], errors="coerce").to_numpy()
    body_column = "comment-body" if "comment-body" in frame.columns else None
    return Statements(
        ids=_integers(frame, "comment-id", path),
        moderated=_integers(frame, "moderated", path),
        is_meta=_booleans(frame, "is-meta"),
        agrees=_integers(frame, "agrees", path),
        disagrees=_integers(frame, "disagrees", path),
        bodies=list(frame[body_column]) if body_column else [""] * len(frame),
        group_informed_consensus=gic,
    )


def _read_vote_events(path: Path) -> VoteTable:
    frame = _read_csv(path, _VOTE_COLUMNS, as_text=False, only_required=True)
    values = _integers(frame, "vote", path)
    invalid = ~np.isin(values, (-1, 0, 1))
    if invalid.any():
        raise OpenDataError(f"{path.name}: vote {int(values[invalid][0])} is not one of -1, 0, 1")
    timestamps = pd.to_numeric(frame["timestamp"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(timestamps).any():
        raise OpenDataError(f"{path.name}: column timestamp has a non-numeric value")
    if len(timestamps) and timestamps.max() < _SECONDS_LIMIT:
        timestamps = timestamps * 1000.0
    return VoteTable(
        participant_ids=_integers(frame, "voter-id", path),
        statement_ids=_integers(frame, "comment-id", path),
        values=values.astype(np.int8),
        timestamps=timestamps.astype(np.int64),
    )


def _read_participants(path: Path) -> pd.DataFrame:
    frame = _read_csv(path, _PARTICIPANT_COLUMNS, as_text=False)
    result = pd.DataFrame({"participant": _integers(frame, "participant", path)})
    result["group-id"] = pd.to_numeric(frame["group-id"], errors="coerce")
    for column in ("n-votes", "n-agree", "n-disagree"):
        result[column] = _integers(frame, column, path)
    cell_columns = [c for c in frame.columns if c not in _PARTICIPANT_META_COLUMNS]
    try:
        cells = frame[cell_columns].to_numpy(dtype=float)
    except ValueError:
        cells = frame[cell_columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    result["cells-plus"] = (cells == 1).sum(axis=1)
    result["cells-minus"] = (cells == -1).sum(axis=1)
    return result


def _read_summary(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}


def _check_sign_convention(
    events: VoteTable,
    votes: VoteTable,
    statements: Statements,
    participants: pd.DataFrame,
) -> None:
    """Refuse a folder whose votes do not read agree = +1.

    Two redundant counts in the export must agree with the votes: ``comments.csv`` agrees /
    disagrees count every vote row of ``votes.csv`` (re-votes included), and
    ``participants-votes.csv`` n-agree / n-disagree count the cells equal to +1 / -1. Each check
    compares the discrepancy under the agree = +1 reading with the one under the flipped reading.
    """
    plus, minus = _per_statement_counts(events, statements.ids)
    direct = np.abs(statements.agrees - plus).sum() + np.abs(statements.disagrees - minus).sum()
    flipped = np.abs(statements.agrees - minus).sum() + np.abs(statements.disagrees - plus).sum()
    if flipped < direct:
        raise OpenDataError(
            "votes.csv reads agree = -1 (Polis's internal sign): comments.csv counts "
            f"{int(statements.agrees.sum())} agrees where votes.csv has "
            f"{int(minus.sum())} votes of -1 and {int(plus.sum())} of +1"
        )
    if direct and direct == flipped:
        raise OpenDataError(
            "votes.csv has an unknown sign convention: its +1/-1 counts match comments.csv "
            "agrees/disagrees neither way round"
        )
    direct_cells = np.abs(participants["n-agree"] - participants["cells-plus"]).sum()
    flipped_cells = np.abs(participants["n-agree"] - participants["cells-minus"]).sum()
    if flipped_cells < direct_cells:
        raise OpenDataError(
            "participants-votes.csv reads agree = -1: its n-agree counts the cells equal to -1"
        )
    final_plus = int((votes.values == 1).sum())
    cells_plus = int(participants["cells-plus"].sum())
    cells_minus = int(participants["cells-minus"].sum())
    if final_plus != cells_plus and final_plus == cells_minus:
        raise OpenDataError("votes.csv and participants-votes.csv use opposite sign conventions")


def _per_statement_counts(
    events: VoteTable, statement_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(statement_ids)
    position = np.searchsorted(statement_ids[order], events.statement_ids)
    position = np.clip(position, 0, len(order) - 1)
    known = statement_ids[order][position] == events.statement_ids
    index = order[position[known]]
    values = events.values[known]
    plus = np.bincount(index[values == 1], minlength=len(statement_ids))
    minus = np.bincount(index[values == -1], minlength=len(statement_ids))
    return plus, minus
