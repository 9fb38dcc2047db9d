"""Read an edge list (and optionally a node list) from CSV, naming every bad line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .model import (
    BELONGING,
    EDGE_KINDS,
    NODE_KINDS,
    ORGANIZATION,
    PERSON,
    POOLING,
    SECTORS,
    UNKNOWN,
    CooperationGraph,
)

EDGE_COLUMNS = ("source", "target")
NODE_COLUMNS = ("id",)
_SHOWN = 5


class EdgeListError(ValueError):
    """Raised when nothing usable can be read; the message is one line naming the problem."""


@dataclass(frozen=True)
class EdgeList:
    """The graph read, and one message per kind of skipped line."""

    graph: CooperationGraph
    warnings: tuple[str, ...]
    skipped_edges: int
    skipped_nodes: int


def read_edge_list(edges_path: Path, nodes_path: Path | None = None) -> EdgeList:
    """Return the graph of a CSV edge list, skipping and counting bad lines.

    Edge columns: ``source`` and ``target`` (required), ``kind`` (one of the edge kinds,
    default co-production), ``weight`` (non-negative number, default 1), ``time`` (ISO 8601;
    empty for undated) and ``record``. Node columns: ``id`` (required), ``kind``, ``sector``,
    ``territory``, ``label``. Without a node list, pooling ends and belonging targets are
    organizations and every other node a person, with no sector. Raise EdgeListError when a
    required column is missing or no line is usable.
    """
    warnings: list[str] = []
    node_frame = None
    skipped_nodes = 0
    if nodes_path is not None:
        node_frame, skipped_nodes = _read_nodes(nodes_path, warnings)
    frame = _read(edges_path, EDGE_COLUMNS)
    name = edges_path.name
    lines = np.arange(len(frame)) + 2
    bad = np.zeros(len(frame), dtype=bool)

    def reject(mask: np.ndarray, what: str) -> None:
        mask = mask & ~bad
        if mask.any():
            warnings.append(_describe(name, lines[mask], what))
            bad[mask] = True

    source = frame["source"].str.strip().to_numpy(dtype=object)
    target = frame["target"].str.strip().to_numpy(dtype=object)
    reject((source == "") | (target == ""), "an empty source or target")
    kind_text = frame["kind"].str.strip() if "kind" in frame else pd.Series([""] * len(frame))
    kind_text = kind_text.replace("", str(EDGE_KINDS[0]))
    kind_codes = {str(k): i for i, k in enumerate(EDGE_KINDS)}
    kind = kind_text.map(kind_codes).to_numpy()
    reject(pd.isna(kind), f"an unknown kind (expected {', '.join(kind_codes)})")
    kind = np.nan_to_num(kind.astype(float), nan=0).astype(np.int8)
    if "weight" in frame:
        weight_text = frame["weight"].str.strip().replace("", "1")
        weight = pd.to_numeric(weight_text, errors="coerce").to_numpy(dtype=float)
    else:
        weight = np.ones(len(frame))
    reject(~np.isfinite(weight), "a weight that is not a number")
    reject(weight < 0, "a negative weight")
    if "time" in frame:
        time_text = frame["time"].str.strip()
        parsed = pd.to_datetime(time_text, errors="coerce", utc=True, format="ISO8601")
        times = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
        reject(np.isnat(times) & (time_text != "").to_numpy(), "a time that is not ISO 8601")
    else:
        times = np.full(len(frame), np.datetime64("NaT", "s"))
    reject(source == target, "a self-loop")
    if node_frame is not None:
        known = pd.Index(node_frame["id"])
        unknown = (known.get_indexer(source) < 0) | (known.get_indexer(target) < 0)
        reject(unknown, "an unknown node id")
    keep = ~bad
    if not keep.any():
        detail = f" ({warnings[0]})" if warnings else ""
        raise EdgeListError(f"{name}: no usable line{detail}")
    records = frame["record"].to_numpy(dtype=object) if "record" in frame else None
    source, target, kind = source[keep], target[keep], kind[keep]
    if node_frame is None:
        node_frame = _inferred_nodes(source, target, kind)
    territory_names = tuple(sorted(set(node_frame["territory"]) - {""}))
    territory_code = {t: i for i, t in enumerate(territory_names)}
    graph = CooperationGraph.from_arrays(
        node_ids=node_frame["id"].to_numpy(dtype=object),
        node_kind=node_frame["kind_code"].to_numpy(dtype=np.int8),
        node_sector=node_frame["sector_code"].to_numpy(dtype=np.int8),
        node_territory=node_frame["territory"]
        .map(lambda t: territory_code.get(t, UNKNOWN))
        .to_numpy(dtype=np.int32),
        territories=territory_names,
        edge_source_ids=source,
        edge_target_ids=target,
        edge_kind=kind,
        edge_weight=weight[keep],
        edge_time=times[keep],
        edge_record=None if records is None else records[keep],
        node_label=node_frame["label"].to_numpy(dtype=object),
    )
    return EdgeList(graph, tuple(warnings), int(bad.sum()), skipped_nodes)


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise EdgeListError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise EdgeListError(f"{path.name}: not a readable CSV file ({first})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "none"
        raise EdgeListError(
            f"{path.name}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (found: {found})"
        )
    return frame


def _read_nodes(path: Path, warnings: list[str]) -> tuple[pd.DataFrame, int]:
    frame = _read(path, NODE_COLUMNS)
    lines = np.arange(len(frame)) + 2
    for column in ("kind", "sector", "territory", "label"):
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].str.strip()
    frame["id"] = frame["id"].str.strip()
    kinds = {str(k): i for i, k in enumerate(NODE_KINDS)}
    sectors = {str(s): i for i, s in enumerate(SECTORS)}
    frame["kind_code"] = frame["kind"].replace("", str(NODE_KINDS[PERSON])).map(kinds)
    frame["sector_code"] = frame["sector"].map(lambda s: sectors.get(s, -2) if s else UNKNOWN)
    checks = (
        ((frame["id"] == "").to_numpy(), "an empty id"),
        (frame["id"].duplicated().to_numpy(), "an id already given"),
        (frame["kind_code"].isna().to_numpy(), f"an unknown kind (expected {', '.join(kinds)})"),
        (
            (frame["sector_code"] == -2).to_numpy(),
            f"an unknown sector (expected {', '.join(sectors)})",
        ),
    )
    bad = np.zeros(len(frame), dtype=bool)
    for mask, what in checks:
        mask = mask & ~bad
        if mask.any():
            warnings.append(_describe(path.name, lines[mask], what))
            bad |= mask
    if bad.all():
        raise EdgeListError(f"{path.name}: no usable line ({warnings[0]})")
    frame = frame[~bad].reset_index(drop=True)
    frame["kind_code"] = frame["kind_code"].astype(np.int8)
    return frame, int(bad.sum())


def _inferred_nodes(source: np.ndarray, target: np.ndarray, kind: np.ndarray) -> pd.DataFrame:
    ids = pd.unique(np.concatenate((source, target)))
    organizations = set(source[kind == POOLING]) | set(target[kind == POOLING])
    organizations |= set(target[kind == BELONGING])
    is_organization = np.fromiter((i in organizations for i in ids), dtype=bool, count=len(ids))
    return pd.DataFrame(
        {
            "id": ids,
            "kind_code": np.where(is_organization, ORGANIZATION, PERSON).astype(np.int8),
            "sector_code": np.full(len(ids), UNKNOWN, dtype=np.int8),
            "territory": [""] * len(ids),
            "label": [""] * len(ids),
        }
    )


def _describe(name: str, lines: np.ndarray, what: str) -> str:
    shown = ", ".join(str(n) for n in lines[:_SHOWN].tolist())
    more = f" and {len(lines) - _SHOWN} more" if len(lines) > _SHOWN else ""
    plural = "line" if len(lines) == 1 else "lines"
    return f"{name}: {len(lines)} {plural} skipped with {what}: {plural} {shown}{more}"
