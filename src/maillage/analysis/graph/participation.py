"""The participation loop of the seed's recursion, counted per campaign.

contribution → response → decision → co-written or realized action → new consultation on the
same site: the "generative and regenerative loop" closes when what inhabitants said comes
back, as a realized action, to a new consultation where they speak again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .model import to_datetime64


class LoopStage(StrEnum):
    """The five stages, in order."""

    CONTRIBUTION = "contribution"
    RESPONSE = "response"
    DECISION = "decision"
    ACTION = "action"
    CONSULTATION = "consultation"


STAGES: tuple[LoopStage, ...] = tuple(LoopStage)


@dataclass(frozen=True)
class LoopEvent:
    """One record of a stage on a site.

    ``follows`` names the refs of previous-stage events this one answers (a response to a
    contribution, a decision citing responses, an action realizing a decision). When empty,
    the event answers every earlier event of the previous stage on the same site: that is how
    a new consultation follows an action, and how sources without explicit links are read.
    """

    ref: str
    stage: LoopStage | str
    site: str
    campaign: str
    time: dt.datetime | dt.date | str | None  # None: not known (NaT in the model)
    follows: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompletedLoop:
    """One contribution's loop, closed by a consultation of another campaign on its site."""

    site: str
    refs: tuple[str, ...]
    new_campaign: str
    days: float


@dataclass(frozen=True)
class CampaignLoops:
    """Per campaign: contributions, how far each got (``reached[stage]``) and closed loops."""

    campaign: str
    contributions: int
    reached: dict[str, int]
    completed: int
    loops: tuple[CompletedLoop, ...]


@dataclass(frozen=True)
class ParticipationLoops:
    """Every campaign's loop counter."""

    campaigns: tuple[CampaignLoops, ...]
    contributions: int
    completed: int
    explanation: str | None = None


def participation_loops(events: Iterable[LoopEvent], *, listed: int = 50) -> ParticipationLoops:
    """Return, per campaign, how many contributions went round the whole loop, with witnesses.

    A contribution's loop is complete when a chain of ``follows`` links (explicit or implicit,
    see LoopEvent) goes through the five stages in order on the contribution's site, each
    event no earlier than the one it follows, ending with a consultation of a campaign other
    than the contribution's. Each contribution counts once (its earliest-closing chain is
    listed); ``reached`` is the funnel of the furthest stage each contribution attained.
    Raise ValueError naming an unknown stage, a duplicate ref or a link to an unknown ref.
    """
    events = list(events)
    refs = [e.ref for e in events]
    if len(set(refs)) != len(refs):
        seen: set[str] = set()
        duplicated = sorted({r for r in refs if r in seen or seen.add(r)})  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate event refs: {', '.join(duplicated[:5])}")
    stage_of = [_stage(e.stage) for e in events]
    times = to_datetime64(e.time for e in events)
    if np.isnat(times).any():
        raise ValueError("every loop event needs a time")
    position = {ref: i for i, ref in enumerate(refs)}
    successors: list[list[int]] = [[] for _ in events]
    by_site_stage: dict[tuple[str, int], list[int]] = {}
    for i, event in enumerate(events):
        by_site_stage.setdefault((event.site, stage_of[i]), []).append(i)
    for i, event in enumerate(events):
        if stage_of[i] == 0:
            continue
        if event.follows:
            unknown = [r for r in event.follows if r not in position]
            if unknown:
                raise ValueError(f"event {event.ref} follows unknown refs: {', '.join(unknown)}")
            previous = [position[r] for r in event.follows]
        else:
            previous = by_site_stage.get((event.site, stage_of[i] - 1), [])
        for p in previous:
            # A link counts only forward in the loop, in time and on the same site.
            forward = stage_of[p] == stage_of[i] - 1 and times[p] <= times[i]
            if forward and events[p].site == event.site:
                successors[p].append(i)
    for targets in successors:
        targets.sort(key=lambda j: (times[j], refs[j]))

    per_campaign: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        if stage_of[i] == 0:
            per_campaign.setdefault(event.campaign, []).append(i)
    results = []
    for campaign in sorted(per_campaign):
        reached = dict.fromkeys((str(s) for s in STAGES), 0)
        closed: list[CompletedLoop] = []
        starts = sorted(per_campaign[campaign], key=lambda j: (times[j], refs[j]))
        for start in starts:
            furthest, chain = _follow(start, successors, stage_of, events, times, campaign)
            for stage in STAGES[: furthest + 1]:
                reached[str(stage)] += 1
            if chain is not None:
                days = (times[chain[-1]] - times[chain[0]]) / np.timedelta64(1, "D")
                closed.append(
                    CompletedLoop(
                        site=events[start].site,
                        refs=tuple(refs[j] for j in chain),
                        new_campaign=events[chain[-1]].campaign,
                        days=float(days),
                    )
                )
        results.append(
            CampaignLoops(
                campaign=campaign,
                contributions=len(starts),
                reached=reached,
                completed=len(closed),
                loops=tuple(closed[:listed]),
            )
        )
    contributions = sum(r.contributions for r in results)
    return ParticipationLoops(
        campaigns=tuple(results),
        contributions=contributions,
        completed=sum(r.completed for r in results),
        explanation=None if contributions else "no contribution in these events",
    )


def _stage(value: LoopStage | str) -> int:
    try:
        return STAGES.index(LoopStage(str(value)))
    except ValueError:
        names = ", ".join(str(s) for s in STAGES)
        raise ValueError(f"unknown loop stage {value!r}; expected one of {names}") from None


def _follow(
    start: int,
    successors: list[list[int]],
    stage_of: list[int],
    events: list[LoopEvent],
    times: np.ndarray,
    campaign: str,
) -> tuple[int, list[int] | None]:
    """Return the furthest stage reached from ``start`` and the earliest closing chain."""
    last = len(STAGES) - 1
    furthest = 0
    best: list[int] | None = None
    stack = [(start, [start])]
    visited: set[int] = set()
    while stack:
        node, chain = stack.pop()
        furthest = max(furthest, stage_of[node])
        if stage_of[node] == last:
            if events[node].campaign != campaign and (
                best is None
                or (times[node], events[node].ref) < (times[best[-1]], events[best[-1]].ref)
            ):
                best = chain
            continue
        for nxt in reversed(successors[node]):
            if nxt not in visited or stage_of[nxt] == last:
                visited.add(nxt)
                stack.append((nxt, [*chain, nxt]))
    return furthest, best
