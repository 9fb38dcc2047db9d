"""What one app gives the cooperation graph, as plain records: its links and loop stages.

Each app that records cooperation builds a :class:`MeshSource` from its own records (its
``mesh`` module, named ``mesh_source`` in its AppConfig); the mesh app composes the sources it
is handed and knows no app's schema. Node ids read ``person:<pk>``, ``organization:<pk>`` and
``territory:<pk>``; a record reads ``<app>.<model>:<pk>``.

Weights: co-production inside a group of n (a consent round, a workshop) weighs 1 / (n - 1) per
pair, so that each member's total weight per group is 1, as in Newman's collaboration networks
(Newman 2001, "Scientific collaboration networks II"); see :func:`group_links`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import EdgeKind
from .participation import LoopEvent


@dataclass(frozen=True)
class Link:
    """One edge and the record it comes from.

    ``public`` is False when the record is private (a private work, circle or journey): such
    links are shown only to the persons they join. ``context`` names the record an invitation
    brought someone into (a work, or what the work is attached to: a campaign, a circle).
    ``until`` ends a membership.
    """

    source: str
    target: str
    kind: EdgeKind
    weight: float
    time: dt.datetime | None
    record: str
    public: bool = True
    context: str = ""
    until: dt.date | None = None


def person(pk: int) -> str:
    return f"person:{pk}"


def organization(pk: int) -> str:
    return f"organization:{pk}"


def territory(pk: int) -> str:
    return f"territory:{pk}"


def as_datetime(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    """Return an aware datetime (naive ones and dates read as UTC, dates at midnight), or None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        aware = value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None
        return value if aware else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def group_links(
    members: Iterable[str],
    *,
    time: dt.datetime | None,
    record: str,
    public: bool,
    kind: EdgeKind = EdgeKind.COPRODUCTION,
) -> list[Link]:
    """Return the pairs of a group of n members, each weighing 1 / (n - 1)."""
    distinct = sorted(set(members))
    if len(distinct) < 2:
        return []
    weight = 1.0 / (len(distinct) - 1)
    return [
        Link(a, b, kind, weight, time, record, public)
        for a, b in itertools.combinations(distinct, 2)
    ]


@dataclass(frozen=True)
class Answer:
    """A record asked on some sites whose answer is the record shown at ``page``.

    A response to contributions that links to a decision's page: the decision follows the
    response's events on its own site (``asked``), and the actions realizing the response
    (``realized``) follow the decision.
    """

    page: str
    asked: tuple[str, ...]
    realized: tuple[str, ...] = ()


@dataclass(frozen=True)
class Realization:
    """An action realized for another app's record (a work published for a circle).

    It takes place on the site that app gives the record (see ``LoopRecords.places``).
    """

    ref: str
    record: str
    time: dt.datetime


@dataclass
class LoopRecords:
    """One app's part of the participation loop (contribution → … → new consultation).

    ``pages`` maps the address of a record's page to its event's ref; ``places`` maps a record
    to the site of the actions realized for it; ``campaigns`` names the campaigns its events
    belong to (``LoopEvent.campaign`` → title).
    """

    events: list[LoopEvent] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    realizations: list[Realization] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    campaigns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MeshSource:
    """What one app gives the cooperation graph.

    ``links`` returns its links, in a fixed number of queries whatever the number of records;
    ``records`` labels its record types (``"decisions.decision"`` → "decision"); ``loop`` returns
    its stages of the participation loop; ``contexts`` returns, among the invitation contexts
    given, those of the app within the territory whose path is given, with their titles (the
    campaigns whose invitation trees are shown).
    """

    links: Callable[[], list[Link]] = list
    records: Mapping[str, Any] = field(default_factory=dict)
    loop: Callable[[], LoopRecords] | None = None
    contexts: Callable[[set[str], str], dict[str, str]] | None = None
