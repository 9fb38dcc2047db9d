"""What journeys give the cooperation mesh: walkers together, and walkers with the places met."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from maillage.analysis.graph import EdgeKind
from maillage.analysis.graph.sources import Link, MeshSource, as_datetime, person, territory
from maillage.journeys.models import Encounter, Journey


def journey_links() -> list[Link]:
    """Walkers who met inhabitants together, and each walker with the places of their encounters.

    The inhabitants met are never named (the journeys app records a role, not a person), so an
    encounter links the walker to the territory where it happened.
    """
    journeys = {
        pk: (is_public, starts_on)
        for pk, is_public, starts_on in Journey.objects.values_list("pk", "is_public", "starts_on")
    }
    walkers: dict[int, list[str]] = defaultdict(list)
    for journey_id, person_id in Journey.walkers.through.objects.values_list(
        "journey_id", "person_id"
    ):
        walkers[journey_id].append(person(person_id))
    encounters: dict[int, int] = defaultdict(int)
    last_day: dict[int, dt.date] = {}
    links = []
    for journey_id, recorder, territory_id, n, last in (
        Encounter.objects.values("journey_id", "recorded_by_id", "territory_id")
        .annotate(n=Count("id"), last=Max("met_on"))
        .order_by()
        .values_list("journey_id", "recorded_by_id", "territory_id", "n", "last")
    ):
        encounters[journey_id] += n
        last_day[journey_id] = max(last_day.get(journey_id, last), last)
        if recorder is not None and territory_id is not None:
            links.append(
                Link(
                    person(recorder),
                    territory(territory_id),
                    EdgeKind.ENCOUNTER,
                    float(n),
                    as_datetime(last),
                    f"journeys.journey:{journey_id}",
                    journeys[journey_id][0],
                )
            )
    for journey_id, group in sorted(walkers.items()):
        public, starts_on = journeys[journey_id]
        for a, b in itertools.combinations(sorted(set(group)), 2):
            links.append(
                Link(
                    a,
                    b,
                    EdgeKind.ENCOUNTER,
                    float(max(encounters.get(journey_id, 0), 1)),
                    as_datetime(last_day.get(journey_id, starts_on)),
                    f"journeys.journey:{journey_id}",
                    public,
                )
            )
    return links


source = MeshSource(links=journey_links, records={"journeys.journey": gettext_lazy("journey")})
