"""What decisions give the cooperation mesh: members who decided together, co-facilitators,
invitations into circles, and adopted decisions as a stage of the participation loop."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy

from maillage.analysis.graph import EdgeKind, LoopEvent, LoopStage
from maillage.analysis.graph.sources import (
    Link,
    LoopRecords,
    MeshSource,
    as_datetime,
    group_links,
    person,
)
from maillage.decisions.models import Answer, CircleMember, Decision, FacilitationTurn


def decision_links() -> list[Link]:
    """Members who answered the rounds of the same decision; co-facilitators; circle invitations.

    Whoever added a member to a circle brought them in (``CircleMember.added_by``).
    """
    decisions = {
        pk: (is_public, adopted_at or created_at)
        for pk, is_public, adopted_at, created_at in Decision.objects.exclude(
            state=Decision.State.WITHDRAWN
        ).values_list("pk", "circle__is_public", "adopted_at", "created_at")
    }
    members: dict[int, list[str]] = defaultdict(list)
    for decision_id, member_id in (
        Answer.objects.values_list("round__decision_id", "member_id").distinct().order_by()
    ):
        members[decision_id].append(person(member_id))
    links = []
    for decision_id, group in sorted(members.items()):
        if decision_id not in decisions:
            continue
        public, time = decisions[decision_id]
        links += group_links(
            group, time=time, record=f"decisions.decision:{decision_id}", public=public
        )

    turns: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for pk, circle_id, decision_id, meeting, held_on, person_id, public in (
        FacilitationTurn.objects.filter(kind=FacilitationTurn.Kind.SERVED)
        .order_by("pk")
        .values_list(
            "pk",
            "circle_id",
            "decision_id",
            "meeting",
            "held_on",
            "person_id",
            "circle__is_public",
        )
    ):
        turns[(circle_id, decision_id, meeting, held_on, public)].append((pk, person_id))
    for (_, _, _, held_on, public), served in turns.items():
        links += group_links(
            [person(p) for _, p in served],
            time=as_datetime(held_on),
            record=f"decisions.facilitationturn:{served[0][0]}",
            public=public,
        )

    for pk, person_id, added_by, circle_id, since, public in (
        CircleMember.objects.filter(added_by__isnull=False)
        .exclude(added_by=F("person"))
        .order_by("-pk")
        .values_list("pk", "person_id", "added_by_id", "circle_id", "since", "circle__is_public")
    ):
        links.append(
            Link(
                person(added_by),
                person(person_id),
                EdgeKind.INVITATION,
                1.0,
                as_datetime(since),
                f"decisions.circlemember:{pk}",
                public,
                f"decisions.circle:{circle_id}",
            )
        )
    return links


def adopted_decisions() -> LoopRecords:
    """Decisions adopted by a circle of a territory, the page of each, the site of its circle.

    A response that links to a decision's page is answered by it; a work published for the
    circle realizes it on the circle's territory.
    """
    records = LoopRecords()
    for pk, site, circle_id, adopted_at in Decision.objects.filter(
        state=Decision.State.ADOPTED, circle__territory__isnull=False
    ).values_list("pk", "circle__territory_id", "circle_id", "adopted_at"):
        ref = f"decision:{pk}"
        records.events.append(LoopEvent(ref, LoopStage.DECISION, str(site), "", adopted_at))
        records.pages[reverse("decisions:decision", args=[pk])] = ref
        records.places[f"decisions.circle:{circle_id}"] = str(site)
    return records


source = MeshSource(
    links=decision_links,
    records={
        "decisions.decision": gettext_lazy("decision"),
        "decisions.facilitationturn": gettext_lazy("facilitation"),
        "decisions.circlemember": gettext_lazy("circle membership"),
    },
    loop=adopted_decisions,
)
