"""API of pooling: public reads of offers, needs, suggestions and exchanges; writes by members.

Writes take a token or the session: ``POST /offers`` and ``/needs`` by a member of the
organization (``PATCH`` and ``/withdraw`` likewise), ``POST /exchanges`` by a member of the
giving or receiving organization (else 403). An exchange recorded by one side is pending
(``confirmed: false``) and absent from public lists until a member of the other side
confirms it (``POST /exchanges/{id}/confirm``; anyone else 403). A date range that ends
before it starts is a 422 naming both dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.organizations.models import Organization
from maillage.organizations.permissions import is_organization_member
from maillage.pooling import selectors, services
from maillage.pooling.models import Exchange, Need, Offer
from maillage.territories.models import Territory

router = Router(tags=["pooling"])


class ListingOut(Schema):
    id: int
    organization: str
    organization_name: str
    category: str
    title: str
    description: str
    available_from: dt.date
    available_until: dt.date
    conditions: str
    territory: str
    url: str

    @staticmethod
    def resolve_organization(obj: Offer) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_organization_name(obj: Offer) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_territory(obj: Offer) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_url(obj: Offer) -> str:
        return obj.get_absolute_url()


class ListingIn(Schema):
    organization: str
    category: str
    title: str
    description: str = ""
    available_from: dt.date
    available_until: dt.date
    conditions: str = "free"
    territory: str


class SuggestionOut(Schema):
    rank: int
    offer: ListingOut
    score: float
    category: float | None = None
    text: float | None = None
    distance: float | None = None
    availability: float | None = None
    partner: float | None = None


class ExchangeOut(Schema):
    id: int
    giver: str
    receiver: str
    offer_id: int | None
    need_id: int | None
    what: str
    happened_on: dt.date
    duration_hours: Decimal | None
    giver_feedback: str
    receiver_feedback: str
    confirmed: bool

    @staticmethod
    def resolve_confirmed(obj) -> bool:
        return obj.is_confirmed

    @staticmethod
    def resolve_giver(obj) -> str:
        return obj.giver.slug

    @staticmethod
    def resolve_receiver(obj) -> str:
        return obj.receiver.slug


class ListingPatch(Schema):
    category: str | None = None
    title: str | None = None
    description: str | None = None
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    conditions: str | None = None
    territory: str | None = Field(None, description="Slug of the territory.")


class ConfirmIn(Schema):
    feedback: str = ""


class FeedbackIn(Schema):
    side: str = Field(description="giver or receiver: the caller's organization's side.")
    text: str


class ExchangeIn(Schema):
    giver: str
    receiver: str
    what: str
    happened_on: dt.date
    duration_hours: Decimal | None = None
    offer_id: int | None = None
    need_id: int | None = None
    feedback: str = ""


def _listings(kind: str, q: str, category: str, territory: str | None, organization: str | None):
    territory_ids = None
    if territory:
        place = Territory.objects.filter(slug=territory).first()
        territory_ids = (
            list(Territory.objects.filter(path__startswith=place.path).values_list("pk", flat=True))
            if place
            else []
        )
    org = Organization.objects.filter(slug=organization).first() if organization else None
    if organization and org is None:
        raise Http404(f"no organization {organization!r}")
    return selectors.listing_directory(
        kind, search=q[:100], category=category, territory_ids=territory_ids, organization=org
    )


@router.get("/offers", response=list[ListingOut])
@paginate(BoundedLimitOffsetPagination)
def offer_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    territory: str | None = None,
    organization: str | None = None,
):
    return _listings("offer", q, category, territory, organization)


@router.get("/needs", response=list[ListingOut])
@paginate(BoundedLimitOffsetPagination)
def need_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    territory: str | None = None,
    organization: str | None = None,
):
    return _listings("need", q, category, territory, organization)


@router.get("/offers/{offer_id}", response=ListingOut)
def offer_detail(request: HttpRequest, offer_id: int):
    return get_object_or_404(Offer.objects.select_related("organization", "territory"), pk=offer_id)


@router.get("/needs/{need_id}", response=ListingOut)
def need_detail(request: HttpRequest, need_id: int):
    return get_object_or_404(Need.objects.select_related("organization", "territory"), pk=need_id)


@router.get("/needs/{need_id}/suggestions", response=list[SuggestionOut])
def need_suggestions(request: HttpRequest, need_id: int, live: bool = True):
    """The top 10 offers for a need: computed now (``live``) or from the nightly run."""
    need = get_object_or_404(Need.objects.select_related("territory"), pk=need_id)
    if live:
        return [
            {
                "rank": rank,
                "offer": s.offer,
                "score": s.terms.score,
                "category": s.terms.category,
                "text": s.terms.text,
                "distance": s.terms.distance,
                "availability": s.terms.availability,
                "partner": s.terms.partner,
            }
            for rank, s in enumerate(services.need_suggestions_live(need), start=1)
        ]
    return [
        {"rank": s.rank, "offer": s.offer, "score": s.score}
        for s in selectors.need_stored_suggestions(need)
    ]


def _update_listing(request: AuthenticatedRequest, kind: str, pk: int, changes: dict):
    hit_person("write", request.user)
    listing = get_object_or_404(
        selectors.MODELS[kind].objects.select_related("organization", "territory"), pk=pk
    )
    if changes.get("territory"):
        territory = Territory.objects.filter(slug=changes["territory"]).first()
        if territory is None:
            raise Http404(f"no territory {changes['territory']!r}")
        changes["territory"] = territory
    return services.listing_update(listing=listing, actor=request.user, **changes)


def _patch(payload: ListingPatch) -> dict:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


@router.patch("/offers/{offer_id}", auth=AUTHENTICATED, response=ListingOut)
def offer_update(request: AuthenticatedRequest, offer_id: int, payload: ListingPatch):
    """Change an offer (a member of its organization)."""
    return _update_listing(request, "offer", offer_id, _patch(payload))


@router.patch("/needs/{need_id}", auth=AUTHENTICATED, response=ListingOut)
def need_update(request: AuthenticatedRequest, need_id: int, payload: ListingPatch):
    """Change a need (a member of its organization)."""
    return _update_listing(request, "need", need_id, _patch(payload))


@router.post("/offers/{offer_id}/withdraw", auth=AUTHENTICATED, response=ListingOut)
def offer_withdraw(request: AuthenticatedRequest, offer_id: int):
    """Withdraw an offer from the directory; pending exchanges about it stay confirmable."""
    return _update_listing(request, "offer", offer_id, {"is_active": False})


@router.post("/needs/{need_id}/withdraw", auth=AUTHENTICATED, response=ListingOut)
def need_withdraw(request: AuthenticatedRequest, need_id: int):
    """Withdraw a need from the directory; pending exchanges about it stay confirmable."""
    return _update_listing(request, "need", need_id, {"is_active": False})


@router.get("/exchanges", response=list[ExchangeOut])
@paginate(BoundedLimitOffsetPagination)
def exchange_list(request: HttpRequest, organization: str | None = None):
    org = None
    if organization:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise Http404(f"no organization {organization!r}")
    return selectors.exchange_list(organization=org)


def _organization(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404(f"no organization {slug!r}")
    return org


def _create_listing(request: AuthenticatedRequest, kind: str, payload: ListingIn):
    hit_person("write", request.user)
    territory = Territory.objects.filter(slug=payload.territory).first()
    if territory is None:
        raise Http404(f"no territory {payload.territory!r}")
    listing = services.listing_create(
        kind=kind,
        actor=request.user,
        organization=_organization(payload.organization),
        category=payload.category,
        title=payload.title,
        description=payload.description,
        available_from=payload.available_from,
        available_until=payload.available_until,
        conditions=payload.conditions,
        territory=territory,
    )
    return Status(201, listing)


@router.post("/offers", auth=AUTHENTICATED, response={201: ListingOut})
def offer_create(request: AuthenticatedRequest, payload: ListingIn):
    return _create_listing(request, "offer", payload)


@router.post("/needs", auth=AUTHENTICATED, response={201: ListingOut})
def need_create(request: AuthenticatedRequest, payload: ListingIn):
    return _create_listing(request, "need", payload)


@router.post("/exchanges", auth=AUTHENTICATED, response={201: ExchangeOut})
def exchange_create(request: AuthenticatedRequest, payload: ExchangeIn):
    hit_person("write", request.user)
    exchange = services.exchange_record(
        actor=request.user,
        giver=_organization(payload.giver),
        receiver=_organization(payload.receiver),
        what=payload.what,
        happened_on=payload.happened_on,
        duration_hours=payload.duration_hours,
        offer=get_object_or_404(Offer, pk=payload.offer_id) if payload.offer_id else None,
        need=get_object_or_404(Need, pk=payload.need_id) if payload.need_id else None,
        feedback=payload.feedback,
    )
    return Status(201, exchange)


def _exchange(exchange_id: int) -> Exchange:
    return get_object_or_404(Exchange.objects.select_related("giver", "receiver"), pk=exchange_id)


@router.get("/exchanges/pending", auth=AUTHENTICATED, response=list[ExchangeOut])
def exchange_pending_list(request: AuthenticatedRequest, organization: str):
    """The organization's exchanges awaiting a confirmation (its members only, else 403)."""
    org = _organization(organization)
    if not is_organization_member(request.user, org):
        raise PermissionDenied("pooling.view_pending_exchanges")
    return list(selectors.exchange_pending_list(org))


@router.post("/exchanges/{exchange_id}/confirm", auth=AUTHENTICATED, response=ExchangeOut)
def exchange_confirm(request: AuthenticatedRequest, exchange_id: int, payload: ConfirmIn):
    """Confirm an exchange the other side recorded (a member of the awaited side, else 403)."""
    hit_person("write", request.user)
    return services.exchange_confirm(
        exchange=_exchange(exchange_id), actor=request.user, feedback=payload.feedback
    )


class DeclineIn(Schema):
    reason: str = ""


@router.post("/exchanges/{exchange_id}/decline", auth=AUTHENTICATED, response={204: None})
def exchange_decline(request: AuthenticatedRequest, exchange_id: int, payload: DeclineIn):
    """Decline a pending exchange the other side recorded (a member of the awaited side, else
    403); it is removed, the audit log keeps it, its recorder is told."""
    hit_person("write", request.user)
    services.exchange_decline(
        exchange=_exchange(exchange_id), actor=request.user, reason=payload.reason
    )
    return Status(204, None)


@router.post("/exchanges/{exchange_id}/feedback", auth=AUTHENTICATED, response=ExchangeOut)
def exchange_feedback(request: AuthenticatedRequest, exchange_id: int, payload: FeedbackIn):
    """Give one side's short feedback (a member of that side's organization, else 403)."""
    hit_person("write", request.user)
    return services.exchange_give_feedback(
        exchange=_exchange(exchange_id), actor=request.user, side=payload.side, text=payload.text
    )
