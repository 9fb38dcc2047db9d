"""Writes on pooling: offers and needs, exchanges, and the suggestions of the matching engine.

The matching itself is ``maillage.analysis.matching``; this module loads the listings, calls it
and stores what it returns. ``suggestion_recompute_all`` is the nightly recomputation (a plain
function: a scheduler, the CLI or a test calls it); ``need_suggestions_live`` answers for one
need from an index kept in memory until offers or exchanges change.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, Field, Max, Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis.matching import (
    Listing as MatchListing,
)
from maillage.analysis.matching import (
    ListingTable,
    MatchingIndex,
)
from maillage.analysis.matching import (
    Suggestion as MatchSuggestion,
)
from maillage.core.mail import personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.organizations.models import Organization
from maillage.organizations.permissions import is_organization_member
from maillage.pooling.models import (
    Category,
    Conditions,
    Exchange,
    Listing,
    Need,
    Offer,
    Suggestion,
)
from maillage.pooling.permissions import is_member_of_either_side
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


SUGGESTIONS_PER_NEED = 10
MODELS = {"offer": Offer, "need": Need}


def _check_listing(
    *, category: str, conditions: str, title: str, available_from: Any, available_until: Any
) -> None:
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Category.values)
        }
    if conditions not in Conditions.values:
        errors["conditions"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Conditions.values)
        }
    if not title.strip():
        errors["title"] = _("A title is required.")
    if available_from and available_until and available_until < available_from:
        errors["available_until"] = _(
            "The availability ends on %(end)s, before it starts on %(start)s."
        ) % {"end": available_until.isoformat(), "start": available_from.isoformat()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def listing_create(
    *,
    kind: str,
    actor: Person,
    organization: Organization,
    category: str,
    title: str,
    territory: Territory,
    available_from: dt.date,
    available_until: dt.date,
    conditions: str = Conditions.FREE,
    description: str = "",
) -> Listing:
    """Publish an offer or a need (``kind``) of ``organization``; its members only."""
    require(actor, "pooling.publish_listing", organization)
    _check_listing(
        category=category,
        conditions=conditions,
        title=title,
        available_from=available_from,
        available_until=available_until,
    )
    listing = MODELS[kind].objects.create(
        organization=organization,
        category=category,
        title=title.strip()[:200],
        description=description.strip(),
        territory=territory,
        available_from=available_from,
        available_until=available_until,
        conditions=conditions,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, actor: Person, **changes: Any) -> Listing:
    """Change a listing's texts, period, conditions, territory or active flag."""
    require(actor, "pooling.change_listing", listing)
    allowed = (
        "category",
        "title",
        "description",
        "available_from",
        "available_until",
        "conditions",
        "territory",
        "is_active",
    )
    fields = [name for name in allowed if name in changes]
    for name in fields:
        setattr(listing, name, changes[name])
    _check_listing(
        category=listing.category,
        conditions=listing.conditions,
        title=listing.title,
        available_from=listing.available_from,
        available_until=listing.available_until,
    )
    if fields:
        listing.save(update_fields=[*fields, "updated_at"])
        withdrawn = "is_active" in fields and not listing.is_active
        audit_record(
            actor=actor,
            action=f"pooling.{listing.kind}.{'withdraw' if withdrawn else 'update'}",
            target=listing,
            data={"fields": fields},
        )
    return listing


# ---------------------------------------------------------------------------------------------
# Exchanges


@transaction.atomic
def exchange_record(
    *,
    actor: Person,
    giver: Organization,
    receiver: Organization,
    what: str,
    happened_on: dt.date,
    duration_hours: Decimal | float | None = None,
    offer: Offer | None = None,
    need: Need | None = None,
    feedback: str = "",
) -> Exchange:
    """Record an exchange; only a member of the giver or of the receiver may.

    ``feedback`` is the actor's own side's (the giver's when they belong to both).
    """
    exchange = Exchange(
        giver=giver,
        receiver=receiver,
        what=what.strip()[:300],
        happened_on=happened_on,
        duration_hours=Decimal(str(duration_hours)) if duration_hours is not None else None,
        offer=offer,
        need=need,
        recorded_by=actor,
    )
    # Not ``require``: a superuser holds every permission, but only the two organizations may
    # say that an exchange between them happened.
    if not is_member_of_either_side.test(actor, exchange):
        raise PermissionDenied("pooling.record_exchange")
    errors: dict[str, str] = {}
    if giver.pk == receiver.pk:
        errors["receiver"] = _("An organization does not exchange with itself.")
    if not exchange.what:
        errors["what"] = _("Say what was given.")
    if exchange.duration_hours is not None and exchange.duration_hours < 0:
        errors["duration_hours"] = _("The duration cannot be negative.")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("An exchange is recorded once it has happened.")
    if offer is not None and offer.organization_id != giver.pk:
        errors["offer"] = _("The offer is not the giving organization's.")
    if need is not None and need.organization_id != receiver.pk:
        errors["need"] = _("The need is not the receiving organization's.")
    if errors:
        raise ValidationError(errors)
    side = _actor_side(actor, exchange)
    setattr(exchange, f"{side}_feedback", feedback.strip()[:500])
    exchange.recorded_for = side
    other = exchange.giver if side == "receiver" else exchange.receiver
    if is_organization_member(actor, other):
        # Someone who belongs to both organizations speaks for both.
        exchange.confirmed_at, exchange.confirmed_by = timezone.now(), actor
    exchange.save()
    audit_record(
        actor=actor,
        action="pooling.exchange.record",
        target=exchange,
        data={"giver": giver.pk, "receiver": receiver.pk},
    )
    if not exchange.is_confirmed:
        send_on_commit(_confirmation_request(exchange, other))
    return exchange


def _confirmation_request(exchange: Exchange, other: Organization) -> list[EmailMessage]:
    """Ask the members of the other organization to confirm (or not) what was recorded."""
    recorder = exchange.receiver if exchange.recorded_for == "receiver" else exchange.giver
    subject = _("%(organization)s recorded an exchange with you: please confirm it") % {
        "organization": recorder.name
    }
    body = _("“%(what)s”, on %(day)s. It counts once your organization confirms it: %(url)s") % {
        "what": exchange.what,
        "day": exchange.happened_on.strftime("%d/%m/%Y"),
        "url": settings.SITE_URL + reverse("pooling:history", args=[other.slug]),
    }
    emails = other.memberships.filter(active_q()).values_list("person__email", flat=True)
    return personal_messages(subject, body, emails)


@transaction.atomic
def exchange_confirm(*, exchange: Exchange, actor: Person, feedback: str = "") -> Exchange:
    """Confirm an exchange the other side recorded; only a member of the awaited side may.

    A third organization's member, a platform admin or the recording side gets 403: only the
    two organizations can say an exchange between them happened, each for itself.
    """
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
    side = exchange.confirming_side
    if not is_organization_member(actor, getattr(exchange, side)):
        raise PermissionDenied("pooling.confirm_exchange")
    if exchange.is_confirmed:
        raise ValidationError(_("This exchange is already confirmed."))
    exchange.confirmed_at, exchange.confirmed_by = timezone.now(), actor
    fields = ["confirmed_at", "confirmed_by"]
    if feedback.strip():
        setattr(exchange, f"{side}_feedback", feedback.strip()[:500])
        fields.append(f"{side}_feedback")
    exchange.save(update_fields=fields)
    audit_record(actor=actor, action="pooling.exchange.confirm", target=exchange)
    return exchange


def _actor_side(actor: Person, exchange: Exchange) -> str:
    if is_organization_member(actor, exchange.giver):
        return "giver"
    if is_organization_member(actor, exchange.receiver):
        return "receiver"
    return ""


@transaction.atomic
def exchange_decline(*, exchange: Exchange, actor: Person, reason: str = "") -> None:
    """Decline an exchange the other side recorded: it did not happen as recorded.

    Only a member of the awaited side may, while it is pending. The exchange is removed (it
    never counted anywhere); the audit log keeps what was recorded, and the person who
    recorded it is told, with the reason, after commit.
    """
    exchange = (
        Exchange.objects.select_for_update().select_related("giver", "receiver").get(pk=exchange.pk)
    )
    side = exchange.confirming_side
    if not is_organization_member(actor, getattr(exchange, side)):
        raise PermissionDenied("pooling.decline_exchange")
    if exchange.is_confirmed:
        raise ValidationError(_("This exchange is already confirmed."))
    audit_record(
        actor=actor,
        action="pooling.exchange.decline",
        target=exchange,
        data={
            "giver": exchange.giver_id,
            "receiver": exchange.receiver_id,
            "what": exchange.what,
            "happened_on": exchange.happened_on.isoformat(),
            "reason": reason.strip()[:500],
        },
    )
    if exchange.recorded_by is not None:
        decliner = getattr(exchange, side)
        subject = _("%(organization)s did not confirm the exchange you recorded") % {
            "organization": decliner.name
        }
        body = _("“%(what)s”, on %(day)s. Their reason: %(reason)s") % {
            "what": exchange.what,
            "day": exchange.happened_on.strftime("%d/%m/%Y"),
            "reason": reason.strip() or "—",
        }
        send_on_commit(personal_messages(subject, body, [exchange.recorded_by.email]))
    exchange.delete()


@transaction.atomic
def exchange_give_feedback(*, exchange: Exchange, actor: Person, side: str, text: str) -> Exchange:
    """Set one side's short feedback; only a member of that side's organization may."""
    if side not in ("giver", "receiver"):
        raise ValidationError({"side": _("The side is the giver or the receiver.")})
    if not is_organization_member(actor, getattr(exchange, side)):
        raise PermissionDenied("pooling.give_feedback")
    setattr(exchange, f"{side}_feedback", text.strip()[:500])
    exchange.save(update_fields=[f"{side}_feedback"])
    audit_record(
        actor=actor, action="pooling.exchange.feedback", target=exchange, data={"side": side}
    )
    return exchange


# ---------------------------------------------------------------------------------------------
# Matching


def _territory_points() -> dict[int, tuple[float, float]]:
    """Return (lat, lon) per territory: its centroid, else its nearest ancestor's."""
    rows = list(Territory.objects.values_list("pk", "path", "centroid_lat", "centroid_lon"))
    own = {pk: (lat, lon) for pk, _path, lat, lon in rows if lat is not None and lon is not None}
    points: dict[int, tuple[float, float]] = {}
    for pk, path, _lat, _lon in rows:
        chain = [int(part) for part in path.strip("/").split("/") if part]
        # Without any centroid up the chain the listing still matches, only far from all.
        points[pk] = next((own[t] for t in reversed(chain) if t in own), (0.0, 0.0))
    return points


def _point_of(territory: Territory) -> tuple[float, float]:
    """Return (lat, lon) of one territory: its centroid, else its nearest ancestor's."""
    if territory.centroid_lat is not None and territory.centroid_lon is not None:
        return territory.centroid_lat, territory.centroid_lon
    ancestors = Territory.objects.filter(
        pk__in=territory.ancestor_ids, centroid_lat__isnull=False, centroid_lon__isnull=False
    ).order_by("-depth")
    points = ancestors.values_list("centroid_lat", "centroid_lon")[:1]
    return next(
        ((lat, lon) for lat, lon in points if lat is not None and lon is not None), (0.0, 0.0)
    )


def _listing_rows(model: type[Offer] | type[Need], **filters: Any) -> Iterable[tuple]:
    return (
        model.objects.filter(is_active=True, **filters)
        .order_by("pk")
        .values_list(
            "pk",
            "organization_id",
            "category",
            "title",
            "description",
            "territory_id",
            "available_from",
            "available_until",
        )
        .iterator(chunk_size=5000)
    )


def _table(rows: Iterable[tuple], points: dict[int, tuple[float, float]]) -> ListingTable:
    return ListingTable.from_listings(
        MatchListing(
            id=pk,
            organization=org,
            category=category,
            text=f"{title} {description}",
            lat=points.get(territory, (0.0, 0.0))[0],
            lon=points.get(territory, (0.0, 0.0))[1],
            start=start,
            end=end,
        )
        for pk, org, category, title, description, territory, start, end in rows
    )


def _exchange_pairs() -> list[tuple[int, int]]:
    return list(Exchange.objects.confirmed().values_list("giver_id", "receiver_id"))


def matching_index_build() -> MatchingIndex | None:
    """Return the index of every active offer (None when there is none)."""
    points = _territory_points()
    offers = _table(_listing_rows(Offer), points)
    if len(offers) == 0:
        return None
    return MatchingIndex(offers, _exchange_pairs())


def suggestion_recompute_all(
    *, actor: Person | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute and store the top suggestions of every active need; return how many stored.

    The nightly job calls it without ``actor``; a person asking for it must be a platform
    admin. The old suggestions are replaced in one transaction, so readers see either the old
    set or the new one.
    """
    if actor is not None:
        require(actor, "pooling.recompute_suggestions")
    index = matching_index_build()
    points = _territory_points()
    needs = _table(_listing_rows(Need), points)
    empty: np.ndarray = np.zeros(0)
    need_ids = offer_ids = ranks = scores = empty
    if index is not None and len(needs):
        result = index.all_top_k(needs, k=SUGGESTIONS_PER_NEED, progress=progress)
        found = result.offer_ids >= 0  # padding of a need with fewer eligible offers than k
        rank_grid = np.broadcast_to(np.arange(1, SUGGESTIONS_PER_NEED + 1), found.shape)
        need_grid = np.broadcast_to(result.need_ids[:, None], found.shape)
        need_ids, offer_ids = need_grid[found], result.offer_ids[found]
        ranks, scores = rank_grid[found], result.scores[found]
    stored = suggestion_store(need_ids, offer_ids, ranks, scores)
    if actor is not None:
        audit_record(actor=actor, action="pooling.suggestions.recompute", data={"rows": stored})
    return stored


def _column(model: type[Model], name: str) -> str:
    """Return the database column of ``model``'s field ``name`` (a field of its own table)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field.column


def suggestion_store(
    need_ids: np.ndarray,
    offer_ids: np.ndarray,
    ranks: np.ndarray,
    scores: np.ndarray,
    computed_at: dt.datetime | None = None,
) -> int:
    """Replace every stored suggestion by these columns in one transaction; return the count.

    Readers see either the old set or the new one. On PostgreSQL the rows go through COPY
    straight from the arrays (a million rows in seconds, no model instance per row); other
    databases get batched INSERTs of plain tuples.
    """
    computed_at = computed_at or timezone.now()
    rows = zip(
        np.asarray(need_ids, dtype=np.int64).tolist(),
        np.asarray(offer_ids, dtype=np.int64).tolist(),
        np.asarray(ranks, dtype=np.int64).tolist(),
        np.asarray(scores, dtype=np.float64).tolist(),
        strict=True,
    )
    quote = connection.ops.quote_name
    table = quote(Suggestion._meta.db_table)
    fields = ("need", "offer", "rank", "score", "computed_at")
    columns = ", ".join(quote(_column(Suggestion, name)) for name in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        Suggestion.objects.all().delete()
        if connection.vendor == "postgresql":
            # Django's cursor wraps psycopg's, whose COPY takes the rows as they come.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for need, offer, rank, score in rows:
                    copy.write_row((need, offer, rank, score, computed_at))
        else:
            # The table and column names come from the model, never from input.
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
            stamp = connection.ops.adapt_datetimefield_value(computed_at)
            while batch := [(*row, stamp) for row in itertools.islice(rows, 5000)]:
                cursor.executemany(sql, batch)
    return len(need_ids)


@dataclass(frozen=True)
class LiveSuggestion:
    """An offer suggested now for a need, with the terms of its score."""

    offer: Offer
    terms: MatchSuggestion


_INDEX_LOCK = threading.Lock()
_INDEX_CACHE: dict[str, Any] = {}


def _index_version() -> tuple:
    offers = Offer.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    exchanges = Exchange.objects.confirmed().aggregate(n=Count("pk"), last=Max("confirmed_at"))
    return (offers["n"], offers["last"], exchanges["n"], exchanges["last"])


def _current_index() -> MatchingIndex | None:
    """Return the in-memory index, rebuilt when offers or exchanges changed since."""
    version = _index_version()
    with _INDEX_LOCK:
        if _INDEX_CACHE.get("version") != version:
            _INDEX_CACHE["index"] = matching_index_build()
            _INDEX_CACHE["version"] = version
        return _INDEX_CACHE["index"]


def need_suggestions_live(need: Need, *, k: int = SUGGESTIONS_PER_NEED) -> list[LiveSuggestion]:
    """Return the ``k`` best active offers for ``need`` now, best first (other organizations)."""
    index = _current_index()
    if index is None:
        return []
    lat, lon = _point_of(need.territory)
    terms = index.top_k(
        MatchListing(
            id=need.pk,
            organization=need.organization_id,
            category=need.category,
            text=f"{need.title} {need.description}",
            lat=lat,
            lon=lon,
            start=need.available_from,
            end=need.available_until,
        ),
        k=k,
    )
    offers = Offer.objects.select_related("organization", "territory").in_bulk(
        [t.offer_id for t in terms]
    )
    return [LiveSuggestion(offers[t.offer_id], t) for t in terms if t.offer_id in offers]
