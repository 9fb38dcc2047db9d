"""The cooperation graph derived from what people did: the sources of the installed apps, composed.

Every app that records cooperation declares a ``mesh_source`` in its AppConfig (see
``analysis.graph.sources`` for its shape and ``core.capabilities``); the mesh reads no app's
records itself. Every link names the record it comes from; nothing here is typed in by hand.
Each source runs a fixed number of queries whatever the number of records (no N+1).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from maillage.analysis.graph import LoopEvent, LoopStage
from maillage.analysis.graph.sources import Link, LoopRecords, MeshSource
from maillage.core.capabilities import mesh_sources


def sources() -> list[MeshSource]:
    """Return the mesh source of every installed app."""
    return mesh_sources()


def derive_links() -> list[Link]:
    """Return every link of every installed source."""
    return [link for source in sources() for link in source.links()]


def record_labels() -> dict[str, Any]:
    """Return the label of each record type the sources give links from."""
    return {kind: label for source in sources() for kind, label in source.records.items()}


def invitation_contexts(contexts: set[str], territory_path: str) -> dict[str, str]:
    """Return, among ``contexts``, those of the territory whose invitation trees are shown."""
    found: dict[str, str] = {}
    for source in sources():
        if source.contexts is not None:
            found.update(source.contexts(contexts, territory_path))
    return found


# ---------------------------------------------------------------- the participation loop


class Participation(NamedTuple):
    """The loop's events, and the titles of their campaigns (``LoopEvent.campaign`` → title)."""

    events: list[LoopEvent]
    campaigns: dict[str, str]


def participation(*, site_ids: Iterable[int] | None = None) -> Participation:
    """Return the stages of the seed's loop as recorded on the sites given (all if None).

    contribution → response → decision (a response names the decision that answered it by
    linking to its page) → action (a response realized, or a work published for the deciding
    circle) → consultation. Which app records which stage is theirs to say (their sources).
    """
    parts = [source.loop() for source in sources() if source.loop is not None]
    events = _composed(parts)
    if site_ids is not None:
        wanted = {str(pk) for pk in site_ids}
        events = [event for event in events if event.site in wanted]
    # A link to an event left out (another site) is no link: as if it had never been named.
    kept = {event.ref for event in events}
    events = [
        dataclasses.replace(event, follows=tuple(r for r in event.follows if r in kept))
        if any(r not in kept for r in event.follows)
        else event
        for event in events
    ]
    titles = {key: title for part in parts for key, title in part.campaigns.items()}
    campaigns = {event.campaign for event in events if event.campaign}
    return Participation(events, {key: titles[key] for key in campaigns if key in titles})


def _composed(parts: list[LoopRecords]) -> list[LoopEvent]:
    """Return every source's events, with the links sources make through each other's records."""
    events = [event for part in parts for event in part.events]
    pages = {_canonical(page): ref for part in parts for page, ref in part.pages.items()}
    places = {record: site for part in parts for record, site in part.places.items()}
    by_ref = {event.ref: event for event in events}
    extra: dict[str, list[str]] = defaultdict(list)
    for part in parts:
        for answer in part.answers:
            page = _canonical(answer.page)
            target = pages.get(page) if page is not None else None
            if target is None:
                continue
            site = by_ref[target].site
            extra[target] += [ref for ref in answer.asked if by_ref[ref].site == site]
            for ref in answer.realized:
                extra[ref].append(target)
        events += [
            LoopEvent(r.ref, LoopStage.ACTION, places[r.record], "", r.time)
            for r in part.realizations
            if r.record in places
        ]
    return [
        dataclasses.replace(event, follows=(*event.follows, *sorted(extra[event.ref])))
        if event.ref in extra
        else event
        for event in events
    ]


def _canonical(path: str) -> str | None:
    """Return the address of the page ``path`` resolves to, or None for no page of ours."""
    try:
        match = resolve(path)
        return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except (Resolver404, NoReverseMatch):
        return None
