"""Reads on consultations. Public reads only ever see published contributions of public
campaigns; every list costs a fixed number of queries whatever its length.

A campaign can gather a million contributions: counting them on every page view would cost
more than the page itself. The published counts per site are therefore kept in the cache,
refreshed after ``COUNT_TTL`` seconds and dropped by every moderation write; a filtered list is
counted up to ``COUNT_CAP`` only (then shown as "more than"), and its pages stop there, so that
no page costs an OFFSET past the cap. Each is computed by one request at a time across the
workers (``core.caching.cached``), so that a crowd arriving on an empty cache does not run the
same count fifty times at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from maillage.consultations.models import Campaign, Contribution, Response
from maillage.core.caching import cached
from maillage.core.models import AuditEntry
from maillage.people.selectors import person_territory_roles
from maillage.territories.models import Territory

PUBLISHED = Contribution.Status.PUBLISHED
COUNT_TTL = 60
COUNT_CAP = 10_000


def _counts_version(campaign_id: int) -> str:
    """Return the version of a campaign's published data, which keys its cached counts and parts.

    A version lost from the cache (evicted, or the cache emptied) is replaced by a new random
    one, never by a default: a default would bring back entries cached under it before the
    last publication or hiding.
    """
    key = f"consultations:counts-version:{campaign_id}"
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or uuid.uuid4().hex
    return str(version)


def _intake_version(campaign_id: int) -> str:
    return cache.get(f"consultations:intake-version:{campaign_id}") or "0"


def published_counts_forget(campaign_id: int) -> None:
    """Drop the cached counts of a campaign (after a contribution is published or hidden)."""
    cache.set(f"consultations:counts-version:{campaign_id}", uuid.uuid4().hex, None)
    contributions_received(campaign_id)


def contributions_received(campaign_id: int) -> None:
    """Drop the cached moderation counts of a campaign (after contributions arrive).

    Kept apart from the published counts: a field sync adds pending contributions only, so the
    public pages keep their cached counts while agents sync by the hundred per second.
    """
    cache.set(f"consultations:intake-version:{campaign_id}", uuid.uuid4().hex, None)


def _versioned_key(kind: str, campaign_id: int, *parts: Any) -> str:
    """Return the cache key of ``kind`` for ``parts`` under the campaign's data version."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"consultations:{kind}:{campaign_id}:{_counts_version(campaign_id)}:{digest}"


FRAGMENT_TTL = COUNT_TTL


def public_fragment(
    campaign: Campaign, name: str, params: dict[str, str], render: Callable[[], str]
) -> SafeString:
    """Return the part ``name`` of a public page of ``campaign``, rendered once and cached.

    The key holds everything the part depends on: the campaign, the version of its published
    data (moved by every publication, hiding, redaction and change through the services, so
    those show at once), the language and the page's normalized parameters. What a write
    elsewhere changes (a site renamed in its territory, an edit in the admin) shows within
    ``FRAGMENT_TTL`` seconds.
    """
    key = _versioned_key(
        f"fragment:{name}", campaign.pk, get_language() or "", sorted(params.items())
    )
    html = cached(key, lambda: str(render()), fresh_for=FRAGMENT_TTL)
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped when rendered


def contribution_public_items(
    queryset: QuerySet, campaign_id: int, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Return the rows ``offset`` to ``offset + limit`` of a public list as API items, cached.

    Like the pages' parts, they are kept per version of the campaign's published data, so a
    publication, a hiding or a redaction shows at once.
    """
    sql, params = queryset.query.sql_with_params()

    def items() -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "site_id": c.site_id,
                "site": c.site.slug,
                "text": c.text,
                "answers": c.answers,
                "age_band": c.age_band,
                "relation": c.relation,
                "source": c.source,
                "captured_on": c.captured_at.date().isoformat(),
                "photo_url": c.photo.url if c.photo and c.consent_publication else None,
            }
            for c in queryset[offset : offset + limit]
        ]

    return cached(
        _versioned_key("items", campaign_id, sql, params, offset, limit),
        items,
        fresh_for=FRAGMENT_TTL,
    )


def published_count(campaign: Campaign) -> int:
    """Return the number of published contributions of ``campaign`` (cached per site)."""
    return sum(published_counts_by_site(campaign).values())


def campaigns_with_published_counts(campaigns: list[Campaign]) -> list[Campaign]:
    """Set ``published_count`` on each campaign from the cache instead of a count per page."""
    for campaign in campaigns:
        campaign.published_count = published_count(campaign)
    return campaigns


def published_counts_by_site(campaign: Campaign) -> dict[int, int]:
    """Return {site id: published contributions} of ``campaign``, cached (one query a miss)."""
    return cached(
        f"consultations:site-counts:{campaign.pk}:{_counts_version(campaign.pk)}",
        # COUNT(*), not COUNT(id): the filter index alone answers it (an index-only scan).
        lambda: dict(
            Contribution.objects.filter(campaign=campaign, status=PUBLISHED)
            .order_by()
            .values("site_id")
            .annotate(n=Count("*"))
            .values_list("site_id", "n")
        ),
        fresh_for=COUNT_TTL,
    )


def capped_count(queryset: QuerySet, campaign_id: int, cap: int | None = None) -> int:
    """Return the number of rows of ``queryset``, or ``cap + 1`` when there are more, cached.

    Counting stops at the cap (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``), so a filter that
    matches most of a million rows costs no more than one that matches ten thousand.
    """
    cap = COUNT_CAP if cap is None else cap
    sql, params = queryset.query.sql_with_params()
    return cached(
        _versioned_key("count", campaign_id, sql, params, cap),
        # Unordered: the order of the rows does not change their number, and without it
        # PostgreSQL counts from the filter index instead of sorting the matching rows.
        lambda: queryset.order_by()[: cap + 1].count(),
        fresh_for=COUNT_TTL,
    )


class CappedPaginator(Paginator):
    """A paginator whose count is given or capped, and whose pages stop at the cap.

    ``count`` is exact when given (from the cached counts per site); otherwise it is
    ``capped_count`` and ``is_capped`` tells that there are more. Either way the pages reach
    the first ``cap`` rows only: past them, filters narrow the list (the open-data export has
    every row).
    """

    object_list: QuerySet

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        campaign_id: int,
        count: int | None = None,
        cap: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.campaign_id = campaign_id
        self.known_count = count
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return capped_count(self.object_list, self.campaign_id, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.known_count is None and self.count > self.cap

    @property
    def is_truncated(self) -> bool:
        """Return whether some rows lie past the last reachable page."""
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, max(1, math.ceil(self.cap / self.per_page)))


def campaign_public_list(*, territory_ids: list[int] | None = None) -> QuerySet[Campaign]:
    """Return the campaigns anyone may see (``campaigns_with_published_counts`` counts them)."""
    qs = Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related("territory")
    if territory_ids is not None:
        qs = qs.filter(territory_id__in=territory_ids)
    return qs.order_by("-starts_on", "-id")


def campaign_get(slug: str) -> Campaign:
    """Return the campaign with ``slug`` (raise Campaign.DoesNotExist)."""
    return Campaign.objects.select_related("territory", "facilitator").get(slug=slug)


def contribution_public_list(
    campaign: Campaign,
    *,
    search: str = "",
    site_id: int | None = None,
    age_band: str = "",
    relation: str = "",
    answers: dict[str, str] | None = None,
) -> QuerySet[Contribution]:
    """Return the published contributions of ``campaign``, filtered, newest first."""
    qs = Contribution.objects.filter(campaign=campaign, status=PUBLISHED).select_related("site")
    if search:
        qs = qs.filter(text__icontains=search)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if age_band:
        qs = qs.filter(age_band=age_band)
    if relation:
        qs = qs.filter(relation=relation)
    questions = {q["id"]: q for q in campaign.closed_questions}
    for qid, value in (answers or {}).items():
        question = questions.get(qid)
        if question is None or value in ("", None):
            continue
        if question["kind"] == "scale":
            if str(value).isdigit():
                qs = qs.filter(**{f"answers__{qid}": int(value)})
        elif value in question["options"]:
            if question["kind"] == "single":
                qs = qs.filter(**{f"answers__{qid}": value})
            else:
                # JSON containment is not available on SQLite; an answer lists at most every
                # option once, so the option is at one of these array positions.
                at_any_position = Q()
                for position in range(len(question["options"])):
                    at_any_position |= Q(**{f"answers__{qid}__{position}": value})
                qs = qs.filter(at_any_position)
    return qs.order_by("-captured_at", "-id")


def contributions_for_analysis(
    *, campaign: Campaign | None = None, territory: Territory | None = None
) -> Iterator[tuple[int, str, int, dt.datetime, str]]:
    """Yield (id, text, site id, captured at, age band) of published contributions, by id.

    Either the contributions of ``campaign``, or those captured on a site inside ``territory``
    for any public campaign. Only published ones: their author consented to publication and a
    moderator accepted them, so that nothing the analysis shows comes from a withheld text.
    No author, agent or email is read. Streams in chunks: a campaign may have a million.
    """
    qs = Contribution.objects.filter(status=PUBLISHED)
    if campaign is not None and territory is None:
        qs = qs.filter(campaign=campaign)
    elif territory is not None and campaign is None:
        qs = qs.filter(site__path__startswith=territory.path).exclude(
            campaign__status=Campaign.Status.DRAFT
        )
    else:
        raise ValueError("give a campaign or a territory, not both")
    yield from (
        qs.order_by("id")
        .values_list("id", "text", "site_id", "captured_at", "age_band")
        .iterator(chunk_size=5000)
    )


def campaign_sites_with_counts(campaign: Campaign) -> list[Territory]:
    """Return the campaign's sites, each with ``published_count`` (one query, two on a miss)."""
    counts = published_counts_by_site(campaign)
    sites = list(campaign.sites.order_by("name"))
    for site in sites:
        site.published_count = counts.get(site.pk, 0)
    return sites


def campaign_map_geojson(campaign: Campaign, sites: list[Territory]) -> dict[str, Any]:
    """Return the sites as a FeatureCollection whose circles grow with the contributions."""
    features = []
    base = campaign.get_absolute_url()
    biggest = max([s.published_count for s in sites] or [0]) or 1
    for site in sites:
        if not site.geometry:
            continue
        label = f"{site.name} — {site.published_count}"
        features.append(
            {
                "type": "Feature",
                "geometry": site.geometry,
                "properties": {
                    "name": label,
                    "url": f"{base}?site={site.pk}#contributions",
                    "kind": "site",
                    "fillOpacity": 0.15 + 0.6 * site.published_count / biggest,
                },
            }
        )
        if site.centroid_lon is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [site.centroid_lon, site.centroid_lat],
                    },
                    "properties": {
                        "name": label,
                        "url": f"{base}?site={site.pk}#contributions",
                        "radius": 4 + 16 * (site.published_count / biggest) ** 0.5,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def response_status_counts(campaign: Campaign) -> list[tuple[str, str, int]]:
    """Return (status, label, number of responses) for every status, in workflow order."""
    counts = dict(
        campaign.responses.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in Response.Status.choices]


def response_public_list(campaign: Campaign) -> QuerySet[Response]:
    """Return the responses with the number of published contributions each answers."""
    return campaign.responses.annotate(
        contribution_count=Count("contributions", filter=Q(contributions__status=PUBLISHED))
    ).order_by("status", "-updated_at")


def answered_contribution_count(campaign: Campaign) -> int:
    """Return how many contributions of ``campaign`` have at least one response."""
    return (
        Contribution.objects.filter(campaign=campaign, responses__isnull=False)
        .values("pk")
        .distinct()
        .count()
    )


def moderation_queue(
    campaign: Campaign,
    *,
    status: str = "pending",
    site_id: int | None = None,
    agent_id: int | None = None,
) -> QuerySet[Contribution]:
    """Return the contributions of ``campaign`` in one moderation status, oldest first,
    optionally of one site and one field agent."""
    qs = Contribution.objects.filter(campaign=campaign, status=status)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    return qs.select_related("site", "agent").order_by("created_at", "id")


def answer_items(questions: list[dict[str, Any]], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (question, answer) pairs of a contribution's closed answers, in question order."""
    items = []
    for question in questions:
        value = answers.get(question["id"])
        if value in (None, "", []):
            continue
        items.append(
            (question["label"], ", ".join(value) if isinstance(value, list) else str(value))
        )
    return items


def moderation_counts(campaign: Campaign) -> dict[str, int]:
    """Return {status: contributions} of ``campaign``, cached until the next arrival or decision."""
    key = f"consultations:status-counts:{campaign.pk}:{_intake_version(campaign.pk)}"
    counts = cache.get(key)
    if counts is None:
        rows = campaign.contributions.order_by().values("status").annotate(n=Count("id"))
        counts = dict.fromkeys(Contribution.Status.values, 0)
        counts.update({row["status"]: row["n"] for row in rows})
        cache.set(key, counts, COUNT_TTL)
    return counts


def visible_contribution_count(campaign: Campaign) -> int:
    """Return how many contributions of ``campaign`` are not hidden (from the cached counts)."""
    counts = moderation_counts(campaign)
    return sum(n for status, n in counts.items() if status != Contribution.Status.HIDDEN)


def campaigns_for_agent(person: Any) -> QuerySet[Campaign]:
    """Return the open campaigns ``person`` captures for."""
    if not getattr(person, "is_authenticated", False):
        return Campaign.objects.none()
    return person.field_campaigns.filter(status=Campaign.Status.OPEN).select_related("territory")


def territory_section(territory: Territory, ids: list[int]) -> dict | None:
    """Return the territory page's section listing its public campaigns."""
    campaigns = campaigns_with_published_counts(list(campaign_public_list(territory_ids=ids)[:20]))
    if not campaigns:
        return None
    return {
        "title": "consultations",
        "template": "consultations/territory_section.html",
        "context": {"campaigns": campaigns, "index_url": reverse("consultations:index")},
        "campaigns": campaigns,
    }


def contribution_export_for_person(person: Any) -> list[dict[str, Any]]:
    """Return the contributions ``person`` wrote, or left their verified email on, for the export.

    An unverified address proves nothing: whoever registered it may not be its owner.
    """
    mine = Q(author=person)
    if person.verified_email:
        mine |= Q(contact_email__iexact=person.verified_email)
    qs = (
        Contribution.objects.filter(mine).select_related("campaign", "site").order_by("captured_at")
    )
    return [
        {
            "campaign": c.campaign.title,
            "site": c.site.name,
            "text": c.text,
            "answers": c.answers,
            "captured_at": c.captured_at.isoformat(),
            "status": c.status,
            "contact_email": c.contact_email,
            "consent_publication": c.consent_publication,
        }
        for c in qs
    ]


def contribution_photo_for(user: Any, name: str) -> Contribution | None:
    """Return the contribution whose stored photo is ``name`` if ``user`` may see that photo.

    Anyone sees the photo of a published contribution whose author consented, on a campaign
    they can see; otherwise only the agent who took it and the campaign's managers do.
    """
    contribution = (
        Contribution.objects.select_related("campaign__territory").filter(photo=name).first()
    )
    if contribution is None:
        return None
    public = (
        contribution.status == Contribution.Status.PUBLISHED
        and contribution.consent_publication
        and user.has_perm("consultations.view_campaign", contribution.campaign)
    )
    if public:
        return contribution
    if user.is_authenticated and (
        contribution.agent_id == user.pk
        or user.has_perm("consultations.moderate_contribution", contribution)
    ):
        return contribution
    return None


def _territories_run_by(person: Any) -> QuerySet[Territory]:
    """Return the territories where ``person`` runs campaigns: where they are a facilitator or
    an admin, and every place inside them (everything, for a platform admin)."""
    if not getattr(person, "is_authenticated", False):
        return Territory.objects.none()
    if person.is_superuser:
        return Territory.objects.all()
    paths = list(
        person_territory_roles(person)
        .filter(role__in=("admin", "facilitator"))
        .values_list("territory__path", flat=True)
    )
    if not paths:
        return Territory.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return Territory.objects.filter(where)


def campaigns_managed_by(person: Any) -> QuerySet[Campaign]:
    """Return the campaigns ``person`` runs, drafts and archives included, newest first."""
    if not getattr(person, "is_authenticated", False):
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(
            Q(facilitator=person) | Q(territory__in=_territories_run_by(person))
        )
        .select_related("territory", "facilitator")
        .order_by("-created_at", "-id")
    )


def territories_for_new_campaign(person: Any) -> QuerySet[Territory]:
    """Return the territories (not public spaces) on which ``person`` may start a campaign."""
    return _territories_run_by(person).exclude(kind=Territory.Kind.SITE).order_by("path")


def territory_sites(territory: Territory) -> QuerySet[Territory]:
    """Return the public spaces inside ``territory``, by name."""
    return Territory.objects.filter(
        kind=Territory.Kind.SITE, path__startswith=territory.path
    ).order_by("name")


def site_picker_geojson(
    territory: Territory, sites: list[Territory], chosen: set[str]
) -> dict[str, Any]:
    """Return the territory's outline and its public spaces, each naming the box it ticks."""
    features: list[dict[str, Any]] = []
    if territory.geometry:
        features.append(
            {
                "type": "Feature",
                "geometry": territory.geometry,
                "properties": {"name": territory.name, "color": "#555555", "fillOpacity": 0.03},
            }
        )
    for site in sites:
        geometry = site.geometry
        if not geometry and site.centroid_lon is not None:
            geometry = {"type": "Point", "coordinates": [site.centroid_lon, site.centroid_lat]}
        if not geometry:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "name": site.name,
                    "kind": "site",
                    "pick": str(site.pk),
                    "color": "#1d4ed8" if str(site.pk) in chosen else "#6b7280",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def response_contribution_search(
    campaign: Campaign, *, search: str = "", site_id: int | None = None, limit: int = 50
) -> list[Contribution]:
    """Return up to ``limit`` contributions of ``campaign`` (hidden ones aside) whose words
    contain ``search`` (or whose number it is), newest first, to pick for a response."""
    qs = Contribution.objects.filter(campaign=campaign).exclude(status=Contribution.Status.HIDDEN)
    search = search.strip().lstrip("#")
    if search.isdigit():
        qs = qs.filter(pk=int(search))
    elif search:
        qs = qs.filter(text__icontains=search)
    if site_id:
        qs = qs.filter(site_id=site_id)
    return list(qs.select_related("site").order_by("-captured_at", "-id")[:limit])


def response_history(response: Response) -> list[Any]:
    """Return the audit entries of ``response``, oldest first, with their authors."""
    return list(
        AuditEntry.objects.filter(target_type="consultations.response", target_id=str(response.pk))
        .select_related("actor")
        .order_by("pk")
    )


def responses_with_published_contributions(campaign: Campaign) -> list[Response]:
    """Return the public responses, each with ``published`` (the published contributions it
    answers) and ``contribution_count``; three queries whatever their number."""
    responses = list(response_public_list(campaign))
    through = Response.contributions.through
    links = through.objects.filter(
        response__campaign=campaign, contribution__status=PUBLISHED
    ).select_related("contribution__site")
    by_response: dict[int, list[Contribution]] = {}
    for link in links.order_by("contribution__captured_at", "contribution_id"):
        by_response.setdefault(link.response_id, []).append(link.contribution)
    for response in responses:
        response.published = by_response.get(response.pk, [])
    return responses


def participation_of(person: Any) -> dict[str, Any] | None:
    """Return the "my participation" section of ``person``: her contributions with their
    status and the responses given to them (three queries whatever their number)."""
    contributions = list(
        Contribution.objects.filter(author=person)
        .select_related("campaign", "site")
        .prefetch_related("responses")
        .order_by("-captured_at", "-id")[:200]
    )
    if not contributions:
        return None
    return {
        "title": "consultations",
        "template": "consultations/my_participation.html",
        "context": {"contributions": contributions},
    }
