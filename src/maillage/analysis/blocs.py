"""Detect "blocs": accounts created close in time that vote (almost) identically.

A bloc is a sign of coordinated or automated participation. It is shown to moderators, never
silently deleted: interpretation stays human.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bloc:
    participant_ids: list[int]
    first_created: float
    last_created: float
    agreement: float


def detect_blocs(
    participant_ids: np.ndarray,
    created_seconds: np.ndarray,
    votes: dict[int, dict[int, int]],
    *,
    window_seconds: float = 600.0,
    min_common: int = 5,
    min_agreement: float = 0.95,
    min_size: int = 3,
) -> list[Bloc]:
    """Return groups of ≥ ``min_size`` participants linked by near-identical votes.

    Two participants are linked when they were created within ``window_seconds`` of each other,
    share at least ``min_common`` voted statements and cast the same value on at least
    ``min_agreement`` of them. Blocs are the connected components of that link graph (union-find),
    so the cost is one comparison per pair inside a time window, never all pairs.
    """
    order = np.argsort(created_seconds, kind="stable")
    ids = participant_ids[order]
    times = created_seconds[order]
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    agreements: dict[int, list[float]] = {}
    start = 0
    for j in range(len(ids)):
        while times[j] - times[start] > window_seconds:
            start += 1
        votes_j = votes.get(int(ids[j]), {})
        for i in range(start, j):
            votes_i = votes.get(int(ids[i]), {})
            common = votes_i.keys() & votes_j.keys()
            if len(common) < min_common:
                continue
            same = sum(votes_i[s] == votes_j[s] for s in common) / len(common)
            if same >= min_agreement:
                root_i, root_j = find(i), find(j)
                if root_i != root_j:
                    parent[root_j] = root_i
                agreements.setdefault(find(i), []).append(same)
    members: dict[int, list[int]] = {}
    for index in range(len(ids)):
        members.setdefault(find(index), []).append(index)
    blocs = []
    for root, indexes in members.items():
        if len(indexes) < min_size:
            continue
        linked = [a for r, values in agreements.items() if find(r) == root for a in values]
        blocs.append(
            Bloc(
                participant_ids=sorted(int(ids[i]) for i in indexes),
                first_created=float(times[min(indexes)]),
                last_created=float(times[max(indexes)]),
                agreement=float(np.mean(linked)) if linked else 1.0,
            )
        )
    return sorted(blocs, key=lambda bloc: -len(bloc.participant_ids))
