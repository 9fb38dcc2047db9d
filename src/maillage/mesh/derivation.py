"""The cooperation graph derived from what people did, one source per installed app.

Every link names the record it comes from; nothing here is typed in by hand. Each source runs
a fixed number of ``values_list`` queries whatever the number of records (no N+1), and only
when its app is installed. Node ids read ``person:<pk>``, ``organization:<pk>`` and
``territory:<pk>``.

Weights: co-production inside a group of n (a consent round, a workshop) weighs 1 / (n - 1)
per pair, so that each member's total weight per group is 1, as in Newman's collaboration
networks (Newman 2001, "Scientific collaboration networks II"); co-authors of a shared work
weigh the smaller of their two authorship shares, the part of the pen they held together.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from maillage.analysis.graph import EdgeKind, LoopEvent, LoopStage


@dataclass(frozen=True)
class Link:
    """One edge and where it comes from.

    ``public`` is False when the record is private (a private work, circle or journey): such
    links are shown only to the persons they join. ``context`` names the work, circle or
    campaign an invitation brought someone into. ``until`` ends a membership.
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
    """Return an aware datetime (dates at midnight UTC), or None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _group(
    members: list[str],
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


def _content_type_id(app_label: str, model: str) -> int | None:
    from django.contrib.contenttypes.models import ContentType

    if not apps.is_installed(f"maillage.{app_label}"):
        return None
    return ContentType.objects.get_for_model(apps.get_model(app_label, model)).pk


# ---------------------------------------------------------------- belonging


def belonging_links() -> list[Link]:
    """Memberships person → organization (with their period) and organization → territory."""
    from maillage.organizations.models import Membership, Organization

    links = [
        Link(
            person(person_id),
            organization(org_id),
            EdgeKind.BELONGING,
            1.0,
            as_datetime(since),
            f"organizations.membership:{pk}",
            until=until,
        )
        for pk, person_id, org_id, since, until in Membership.objects.values_list(
            "pk", "person_id", "organization_id", "since", "until"
        )
    ]
    through = Organization.territories.through
    links += [
        Link(
            organization(org_id),
            territory(territory_id),
            EdgeKind.BELONGING,
            1.0,
            None,
            f"organizations.organization:{org_id}",
        )
        for org_id, territory_id in through.objects.values_list("organization_id", "territory_id")
    ]
    return links


# ---------------------------------------------------------------- co-writing


def cowriting_links() -> list[Link]:
    """Co-authors of each shared work, weighted by authorship shares; invitations into works.

    Shares are those frozen in the latest published version when there is one (the
    who-held-the-pen measure of the co-writing app); for a work not yet published, each
    author's share of the updates stored so far stands in for it.
    """
    from django.db.models import Count, Max

    from maillage.cowriting.models import Participant, PublishedVersion, SharedWork, Update

    works = {
        pk: (is_public, type_id, object_id)
        for pk, is_public, type_id, object_id in SharedWork.objects.values_list(
            "pk", "is_public", "attached_type_id", "attached_id"
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
    for work_id, per_author in shares.items():
        authors = sorted((a, s) for a, s in per_author.items() if s > 0)
        public = works.get(work_id, (False, None, None))[0]
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

    campaign_type = _content_type_id("consultations", "Campaign")
    circle_type = _content_type_id("decisions", "Circle")
    for pk, work_id, inviter, invitee, joined_at in Participant.objects.filter(
        invited_by__isnull=False
    ).values_list("pk", "work_id", "invited_by_id", "person_id", "joined_at"):
        if inviter == invitee:
            continue
        public, type_id, object_id = works[work_id]
        context = f"cowriting.sharedwork:{work_id}"
        if type_id is not None and type_id == campaign_type:
            context = f"consultations.campaign:{object_id}"
        elif type_id is not None and type_id == circle_type:
            context = f"decisions.circle:{object_id}"
        links.append(
            Link(
                person(inviter),
                person(invitee),
                EdgeKind.INVITATION,
                1.0,
                joined_at,
                f"cowriting.participant:{pk}",
                public,
                context,
            )
        )
    return links


# ---------------------------------------------------------------- decisions


def decisions_links() -> list[Link]:
    """Members who answered the rounds of the same decision; co-facilitators; circle invitations.

    A circle invitation is read from the audit log: whoever added a member to a circle
    brought them in.
    """
    from maillage.core.models import AuditEntry
    from maillage.decisions.models import Answer, CircleMember, Decision, FacilitationTurn

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
        links += _group(group, time=time, record=f"decisions.decision:{decision_id}", public=public)

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
        links += _group(
            [person(p) for _, p in served],
            time=as_datetime(held_on),
            record=f"decisions.facilitationturn:{served[0][0]}",
            public=public,
        )

    circle_members = {
        str(pk): (person_id, circle_id, since, public)
        for pk, person_id, circle_id, since, public in CircleMember.objects.values_list(
            "pk", "person_id", "circle_id", "since", "circle__is_public"
        )
    }
    for actor_id, target_id in AuditEntry.objects.filter(
        action="circle.member_add", actor__isnull=False
    ).values_list("actor_id", "target_id"):
        member = circle_members.get(target_id)
        if member is None or member[0] == actor_id:
            continue
        person_id, circle_id, since, public = member
        links.append(
            Link(
                person(actor_id),
                person(person_id),
                EdgeKind.INVITATION,
                1.0,
                as_datetime(since),
                f"decisions.circlemember:{target_id}",
                public,
                f"decisions.circle:{circle_id}",
            )
        )
    return links


# ---------------------------------------------------------------- workshops


def workshops_links() -> list[Link]:
    """Co-organizers of a workshop, and its participants with them (one group per workshop)."""
    from maillage.workshops.models import Registration, Workshop

    workshops = dict(Workshop.objects.filter(is_cancelled=False).values_list("pk", "starts_at"))
    groups: dict[int, list[str]] = defaultdict(list)
    through = Workshop.organizers.through
    for workshop_id, org_id in through.objects.values_list("workshop_id", "organization_id"):
        groups[workshop_id].append(organization(org_id))
    for workshop_id, person_id in (
        Registration.objects.filter(status=Registration.Status.CONFIRMED, person__isnull=False)
        .exclude(attended=False)
        .values_list("workshop_id", "person_id")
    ):
        groups[workshop_id].append(person(person_id))
    links = []
    for workshop_id, group in sorted(groups.items()):
        if workshop_id in workshops:
            links += _group(
                group,
                time=workshops[workshop_id],
                record=f"workshops.workshop:{workshop_id}",
                public=True,
            )
    return links


# ---------------------------------------------------------------- pooling


def pooling_links() -> list[Link]:
    """Each exchange, from the giving organization to the receiving one."""
    from maillage.pooling.models import Exchange

    return [
        Link(
            organization(giver),
            organization(receiver),
            EdgeKind.POOLING,
            1.0,
            as_datetime(day),
            f"pooling.exchange:{pk}",
        )
        for pk, giver, receiver, day in Exchange.objects.values_list(
            "pk", "giver_id", "receiver_id", "happened_on"
        )
    ]


# ---------------------------------------------------------------- journeys


def journeys_links() -> list[Link]:
    """Walkers who met inhabitants together, and each walker with the places of their encounters.

    The inhabitants met are never named (the journeys app records a role, not a person), so an
    encounter links the walker to the territory where it happened.
    """
    from django.db.models import Count, Max

    from maillage.journeys.models import Encounter, Journey

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


SOURCES: tuple[tuple[str | None, Callable[[], list[Link]]], ...] = (
    (None, belonging_links),
    ("maillage.cowriting", cowriting_links),
    ("maillage.decisions", decisions_links),
    ("maillage.workshops", workshops_links),
    ("maillage.pooling", pooling_links),
    ("maillage.journeys", journeys_links),
)


def derive_links() -> list[Link]:
    """Return every link of every installed source."""
    links: list[Link] = []
    for app, source in SOURCES:
        if app is None or apps.is_installed(app):
            links += source()
    return links


# ---------------------------------------------------------------- the participation loop


def participation_events(*, site_ids: Iterable[int] | None = None) -> list[LoopEvent]:
    """Return the stages of the seed's loop as recorded, on the sites given (all if None).

    contribution (published, on a site) → response (its answer) → decision (adopted by a
    circle whose territory is the site; a response's link to the decision is followed when
    given) → action (a response marked done after the decision, or a co-written work of the
    circle published after it) → consultation (a later campaign on the same site).
    """
    if not apps.is_installed("maillage.consultations"):
        return []
    from maillage.consultations.models import Campaign, Contribution, Response

    wanted = None if site_ids is None else set(site_ids)

    def on(site: int | None) -> bool:
        return site is not None and (wanted is None or site in wanted)

    events: list[LoopEvent] = []
    for pk, site, campaign_id, captured_at in Contribution.objects.filter(
        status=Contribution.Status.PUBLISHED, site__isnull=False
    ).values_list("pk", "site_id", "campaign_id", "captured_at"):
        if on(site):
            events.append(
                LoopEvent(
                    f"contribution:{pk}",
                    LoopStage.CONTRIBUTION,
                    str(site),
                    str(campaign_id),
                    captured_at,
                )
            )
    answered: dict[tuple[int, int], list[str]] = defaultdict(list)
    for response_id, contribution_id, site in Response.contributions.through.objects.filter(
        contribution__status=Contribution.Status.PUBLISHED
    ).values_list("response_id", "contribution_id", "contribution__site_id"):
        if on(site):
            answered[(response_id, site)].append(f"contribution:{contribution_id}")
    responses = {
        pk: (campaign_id, status, created_at, updated_at, link_url)
        for pk, campaign_id, status, created_at, updated_at, link_url in Response.objects.values_list(
            "pk", "campaign_id", "status", "created_at", "updated_at", "link_url"
        )
    }
    for (response_id, site), follows in sorted(answered.items()):
        campaign_id, _, created_at, _, _ = responses[response_id]
        events.append(
            LoopEvent(
                f"response:{response_id}:{site}",
                LoopStage.RESPONSE,
                str(site),
                str(campaign_id),
                created_at,
                tuple(sorted(follows)),
            )
        )

    decision_sites: dict[int, int] = {}
    if apps.is_installed("maillage.decisions"):
        events += _decision_and_action_events(on, responses, answered, decision_sites)

    for pk, site, starts_on in Campaign.objects.exclude(status=Campaign.Status.DRAFT).values_list(
        "pk", "sites", "starts_on"
    ):
        if on(site):
            events.append(
                LoopEvent(
                    f"campaign:{pk}:{site}",
                    LoopStage.CONSULTATION,
                    str(site),
                    str(pk),
                    as_datetime(starts_on),
                )
            )
    return events


def _decision_and_action_events(
    on: Callable[[int | None], bool],
    responses: dict[int, tuple],
    answered: dict[tuple[int, int], list[str]],
    decision_sites: dict[int, int],
) -> list[LoopEvent]:
    from django.urls import Resolver404, resolve

    from maillage.decisions.models import Decision

    events: list[LoopEvent] = []
    adopted = {}
    for pk, site, circle_id, adopted_at in Decision.objects.filter(
        state=Decision.State.ADOPTED, circle__territory__isnull=False
    ).values_list("pk", "circle__territory_id", "circle_id", "adopted_at"):
        if on(site):
            adopted[pk] = (site, circle_id, adopted_at)
    # A response whose link names a decision says which decision answered it.
    linked: dict[int, list[int]] = defaultdict(list)
    for response_id, (_, _, _, _, link_url) in responses.items():
        if not link_url:
            continue
        try:
            match = resolve(_path_of(link_url))
        except Resolver404:
            continue
        if match.view_name == "decisions:decision":
            decision = int(match.args[0] if match.args else match.kwargs.get("pk", 0))
            if decision in adopted:
                linked[decision].append(response_id)
    sites_of_response: dict[int, list[int]] = defaultdict(list)
    for response_id, site in answered:
        sites_of_response[response_id].append(site)
    for pk, (site, _, adopted_at) in adopted.items():
        follows = tuple(
            f"response:{r}:{site}"
            for r in sorted(linked.get(pk, []))
            if site in sites_of_response[r]
        )
        events.append(
            LoopEvent(f"decision:{pk}", LoopStage.DECISION, str(site), "", adopted_at, follows)
        )
        decision_sites[pk] = site
    # Realized actions: responses marked done; explicitly after their linked decision.
    done = {r for r, row in responses.items() if row[1] == "done"}
    by_response = {r: d for d, rs in linked.items() for r in rs}
    for response_id in sorted(done):
        updated_at = responses[response_id][3]
        for site in sites_of_response.get(response_id, []):
            decision = by_response.get(response_id)
            follows = (f"decision:{decision}",) if decision in decision_sites else ()
            events.append(
                LoopEvent(
                    f"action:response:{response_id}:{site}",
                    LoopStage.ACTION,
                    str(site),
                    "",
                    updated_at,
                    follows,
                )
            )
    # Co-written actions: a work attached to the circle, published after the decision.
    if apps.is_installed("maillage.cowriting"):
        from maillage.cowriting.models import PublishedVersion

        circle_type = _content_type_id("decisions", "Circle")
        circles = {circle: site for site, circle, _ in adopted.values()}
        for pk, object_id, published_at in PublishedVersion.objects.filter(
            work__attached_type_id=circle_type
        ).values_list("pk", "work__attached_id", "published_at"):
            if object_id in circles:
                events.append(
                    LoopEvent(
                        f"action:published:{pk}",
                        LoopStage.ACTION,
                        str(circles[object_id]),
                        "",
                        published_at,
                    )
                )
    return events


def _path_of(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).path or "/"
