"""What co-writing gives the cooperation mesh: co-authors, invitations into works, and works
published for another app's record (an action of the participation loop)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from maillage.analysis.graph import EdgeKind
from maillage.analysis.graph.sources import Link, LoopRecords, MeshSource, Realization, person
from maillage.cowriting.models import Participant, PublishedVersion, SharedWork, Update


def _record(app_label: str | None, model: str | None, pk: int | None) -> str | None:
    return f"{app_label}.{model}:{pk}" if app_label and model and pk is not None else None


def cowriting_links() -> list[Link]:
    """Co-authors of each shared work, weighted by authorship shares; invitations into works.

    Co-authors weigh the smaller of their two authorship shares, the part of the pen they held
    together. Shares are those frozen in the latest published version when there is one (the
    who-held-the-pen measure); for a work not yet published, each author's share of the updates
    stored so far stands in for it. An invitation's context is the record the work is attached
    to (a campaign, a circle, a journey), else the work itself.
    """
    works = {
        pk: (is_public, _record(app_label, model, object_id))
        for pk, is_public, app_label, model, object_id in SharedWork.objects.values_list(
            "pk", "is_public", "attached_type__app_label", "attached_type__model", "attached_id"
        )
    }
    shares: dict[int, dict[int, float]] = {}
    when: dict[int, dt.datetime] = {}
    for work_id, rows, published_at in PublishedVersion.objects.order_by(
        "work_id", "published_at", "pk"
    ).values_list("work_id", "shares", "published_at"):
        shares[work_id] = {
            int(row["person_id"]): float(row.get("share") or 0)
            for row in rows or []
            if row.get("person_id") is not None
        }
        when[work_id] = published_at
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for work_id, author_id, n, last in (
        Update.objects.filter(author__isnull=False)
        .values("work_id", "author_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .values_list("work_id", "author_id", "n", "last")
    ):
        counts[work_id][author_id] = n
        if work_id not in shares:
            when[work_id] = max(when.get(work_id, last), last)
    for work_id, per_author in counts.items():
        if work_id not in shares:
            total = sum(per_author.values())
            shares[work_id] = {a: n / total for a, n in per_author.items()}

    links = []
    for work_id, author_shares in shares.items():
        authors = sorted((a, s) for a, s in author_shares.items() if s > 0)
        public = works.get(work_id, (False, None))[0]
        for (a, share_a), (b, share_b) in itertools.combinations(authors, 2):
            links.append(
                Link(
                    person(a),
                    person(b),
                    EdgeKind.COPRODUCTION,
                    min(share_a, share_b),
                    when.get(work_id),
                    f"cowriting.sharedwork:{work_id}",
                    public,
                )
            )

    for pk, work_id, inviter, invitee, joined_at in Participant.objects.filter(
        invited_by__isnull=False
    ).values_list("pk", "work_id", "invited_by_id", "person_id", "joined_at"):
        if inviter == invitee:
            continue
        public, attached = works[work_id]
        links.append(
            Link(
                person(inviter),
                person(invitee),
                EdgeKind.INVITATION,
                1.0,
                joined_at,
                f"cowriting.participant:{pk}",
                public,
                attached or f"cowriting.sharedwork:{work_id}",
            )
        )
    return links


def published_for_records() -> LoopRecords:
    """Each version published of a work attached to a record: an action realized for it."""
    return LoopRecords(
        realizations=[
            Realization(f"action:published:{pk}", record, published_at)
            for pk, app_label, model, object_id, published_at in PublishedVersion.objects.filter(
                work__attached_type__isnull=False
            ).values_list(
                "pk",
                "work__attached_type__app_label",
                "work__attached_type__model",
                "work__attached_id",
                "published_at",
            )
            if (record := _record(app_label, model, object_id)) is not None
        ]
    )


source = MeshSource(
    links=cowriting_links,
    records={
        "cowriting.sharedwork": gettext_lazy("shared work"),
        "cowriting.participant": gettext_lazy("invitation to a shared work"),
    },
    loop=published_for_records,
)
