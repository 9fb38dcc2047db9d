"""Reads on pooling: the searchable directory, its map, an organization's history.

Every list costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.organizations.models import Organization
from maillage.pooling.models import Exchange, Listing, Need, Offer, Suggestion
from maillage.territories.models import Territory

MODELS = {"offer": Offer, "need": Need}


def listing_directory(
    kind: str,
    *,
    search: str = "",
    category: str = "",
    conditions: str = "",
    territory_ids: list[int] | None = None,
    organization: Organization | None = None,
    current_only: bool = True,
) -> QuerySet[Listing]:
    """Return the active offers or needs (``kind``) matching the filters, newest first."""
    qs = MODELS[kind].objects.filter(is_active=True).select_related("organization", "territory")
    if current_only:
        qs = qs.filter(available_until__gte=timezone.localdate())
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(organization__name__icontains=search)
        )
    if category:
        qs = qs.filter(category=category)
    if conditions:
        qs = qs.filter(conditions=conditions)
    if territory_ids is not None:
        qs = qs.filter(territory_id__in=territory_ids)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-created_at", "-id")


def listing_get(kind: str, pk: int) -> Listing:
    """Return one offer or need with its organization and territory (raise DoesNotExist)."""
    return MODELS[kind].objects.select_related("organization", "territory").get(pk=pk)


def directory_geojson(
    offer_counts: dict[int, int], need_counts: dict[int, int], base_url: str
) -> dict[str, Any]:
    """Return one point per territory at its centroid, sized by its offers and needs."""
    ids = set(offer_counts) | set(need_counts)
    territories = Territory.objects.filter(pk__in=ids, centroid_lat__isnull=False).only(
        "pk", "name", "centroid_lat", "centroid_lon"
    )
    biggest = max([offer_counts.get(i, 0) + need_counts.get(i, 0) for i in ids] or [1]) or 1
    features = []
    for territory in territories:
        offers, needs = offer_counts.get(territory.pk, 0), need_counts.get(territory.pk, 0)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [territory.centroid_lon, territory.centroid_lat],
                },
                "properties": {
                    "name": f"{territory.name} — {offers} / {needs}",
                    "url": f"{base_url}?territory={territory.pk}#listings",
                    "radius": 5 + 15 * ((offers + needs) / biggest) ** 0.5,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def counts_by_territory(qs: QuerySet) -> dict[int, int]:
    """Return the number of listings of ``qs`` per territory id (one query)."""
    return Counter(qs.values_list("territory_id", flat=True))


def need_stored_suggestions(need: Need) -> list[Suggestion]:
    """Return the stored suggestions of ``need`` with their offers, best first."""
    return list(
        Suggestion.objects.filter(need=need, offer__is_active=True)
        .select_related("offer__organization", "offer__territory")
        .order_by("rank")
    )


def exchange_list(
    *, organization: Organization | None = None, limit: int | None = None
) -> QuerySet[Exchange]:
    """Return confirmed exchanges (an organization's, given or received), newest first."""
    qs = Exchange.objects.confirmed().select_related("giver", "receiver", "offer", "need")
    if organization is not None:
        qs = qs.filter(Q(giver=organization) | Q(receiver=organization))
    qs = qs.order_by("-happened_on", "-id")
    return qs[:limit] if limit else qs


def listing_pending_exchanges(listing: Offer | Need) -> list[Exchange]:
    """Return the exchanges about ``listing`` still awaiting the other side's confirmation.

    Withdrawing the listing keeps them: they can still be confirmed, and then count.
    """
    return list(listing.exchanges.pending().select_related("giver", "receiver"))


def exchange_pending_list(organization: Organization) -> QuerySet[Exchange]:
    """Return an organization's exchanges awaiting either side's confirmation, newest first."""
    return (
        Exchange.objects.pending()
        .filter(Q(giver=organization) | Q(receiver=organization))
        .select_related("giver", "receiver", "offer", "need")
        .order_by("-happened_on", "-id")
    )


def organization_history(organization: Organization) -> dict[str, Any]:
    """Return an organization's offers, needs, exchanges and partners (fixed query count)."""
    exchanges = list(exchange_list(organization=organization))
    partners: Counter[tuple[int, str, str]] = Counter()
    given = received = 0
    for exchange in exchanges:
        if exchange.giver_id == organization.pk:
            given += 1
            other = exchange.receiver
        else:
            received += 1
            other = exchange.giver
        partners[(other.pk, other.name, other.slug)] += 1
    return {
        "offers": list(listing_directory("offer", organization=organization, current_only=False)),
        "needs": list(listing_directory("need", organization=organization, current_only=False)),
        "exchanges": exchanges,
        "given": given,
        "received": received,
        "partners": [
            {"name": name, "slug": slug, "count": count}
            for (_pk, name, slug), count in sorted(
                partners.items(), key=lambda item: (-item[1], item[0][1])
            )
        ],
    }


def organizations_of(person: Any) -> QuerySet[Organization]:
    """Return the organizations ``person`` is an active member of."""
    if not getattr(person, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=person.memberships.filter(active_q()).values("organization_id")
    ).order_by("name")


def territory_section(territory: Territory, ids: list[int]) -> dict | None:
    """Return the territory page's section: offers and needs published there."""
    offers = listing_directory("offer", territory_ids=ids)
    needs = listing_directory("need", territory_ids=ids)
    offer_count, need_count = offers.count(), needs.count()
    if not offer_count and not need_count:
        return None
    return {
        "title": "pooling",
        "template": "pooling/territory_section.html",
        "context": {
            "offers": list(offers[:5]),
            "needs": list(needs[:5]),
            "offer_count": offer_count,
            "need_count": need_count,
            "index_url": reverse("pooling:index") + f"?territory={territory.pk}",
        },
    }


def pooling_export_for_person(person: Any) -> dict[str, Any]:
    """Return the listings and exchanges ``person`` recorded, for their GDPR export."""
    return {
        "offers": list(
            Offer.objects.filter(created_by=person).values("id", "title", "organization__name")
        ),
        "needs": list(
            Need.objects.filter(created_by=person).values("id", "title", "organization__name")
        ),
        "exchanges_recorded": [
            {
                "id": e["id"],
                "what": e["what"],
                "happened_on": e["happened_on"].isoformat(),
                "giver": e["giver__name"],
                "receiver": e["receiver__name"],
            }
            for e in Exchange.objects.filter(recorded_by=person).values(
                "id", "what", "happened_on", "giver__name", "receiver__name"
            )
        ],
    }
