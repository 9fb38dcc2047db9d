"""Pooling pages: the mapped directory, an offer or need, publishing, exchanges, history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.organizations.models import Organization
from maillage.organizations.permissions import is_organization_member
from maillage.pooling import selectors, services
from maillage.pooling.forms import (
    ConfirmForm,
    ExchangeForm,
    FeedbackForm,
    ListingEditForm,
    ListingForm,
)
from maillage.pooling.models import Category, Conditions, Exchange, Need, Offer
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_with_descendant_ids

PAGE_SIZE = 25


def directory(request: HttpRequest) -> HttpResponse:
    """Offers and needs, searchable, on a map by territory and in a table."""
    kind = request.GET.get("kind", "offer")
    kind = kind if kind in ("offer", "need") else "offer"
    search = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    conditions = request.GET.get("conditions", "")
    conditions = conditions if conditions in Conditions.values else ""
    territory = None
    raw = request.GET.get("territory", "")
    if raw.isdigit():
        territory = Territory.objects.filter(pk=int(raw)).first()
    ids = territory_with_descendant_ids(territory) if territory else None
    offers = selectors.listing_directory(
        "offer", territory_ids=ids, search=search, category=category, conditions=conditions
    )
    needs = selectors.listing_directory(
        "need", territory_ids=ids, search=search, category=category, conditions=conditions
    )
    page = Paginator(offers if kind == "offer" else needs, PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    offer_counts = selectors.counts_by_territory(offers)
    need_counts = selectors.counts_by_territory(needs)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "kind": kind,
        "search": search,
        "category": category,
        "conditions": conditions,
        "territory": territory,
        "categories": Category.choices,
        "conditions_choices": Conditions.choices,
        "offer_total": sum(offer_counts.values()),
        "need_total": sum(need_counts.values()),
        "map_data": selectors.directory_geojson(
            offer_counts, need_counts, reverse("pooling:index")
        ),
        "map_rows": _map_rows(offer_counts, need_counts),
        "query": query.urlencode(),
        "my_organizations": list(selectors.organizations_of(request.user)),
    }
    return render(request, "pooling/directory.html", context)


def _map_rows(offer_counts: dict[int, int], need_counts: dict[int, int]) -> list[dict]:
    ids = set(offer_counts) | set(need_counts)
    return [
        {"territory": t, "offers": offer_counts.get(t.pk, 0), "needs": need_counts.get(t.pk, 0)}
        for t in Territory.objects.filter(pk__in=ids).order_by("name")
    ]


def _listing(kind: str, pk: int):
    try:
        return selectors.listing_get(kind, pk)
    except (selectors.MODELS[kind].DoesNotExist, ValueError):
        raise Http404(f"no such {kind}") from None


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _listing("offer", pk)
    return render(
        request,
        "pooling/listing_detail.html",
        {
            "listing": offer,
            "exchanges": list(offer.exchanges.confirmed().select_related("giver", "receiver")),
            "can_change": request.user.has_perm("pooling.change_listing", offer),
        },
    )


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A need with its offers suggested now (top 10) and those of the last recomputation."""
    need = _listing("need", pk)
    return render(
        request,
        "pooling/listing_detail.html",
        {
            "listing": need,
            "live": services.need_suggestions_live(need),
            "stored": selectors.need_stored_suggestions(need),
            "exchanges": list(need.exchanges.confirmed().select_related("giver", "receiver")),
            "can_change": request.user.has_perm("pooling.change_listing", need),
        },
    )


@login_required
def listing_create(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    organizations = selectors.organizations_of(request.user)
    if not organizations.exists() and not request.user.is_superuser:
        raise PermissionDenied("pooling.publish_listing")
    if request.user.is_superuser:
        organizations = Organization.objects.order_by("name")
    form = ListingForm(request.POST or None, organizations=organizations)

    def save() -> HttpResponse:
        listing = services.listing_create(kind=kind, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Published."))
        return redirect(listing.get_absolute_url())

    return form_submit(request, form, save) or render(
        request,
        "pooling/listing_form.html",
        {"form": form, "kind": kind},
        status=form_status(request),
    )


def _changeable(request: HttpRequest, kind: str, pk: int) -> Offer | Need:
    listing = _listing(kind, pk)
    if not request.user.has_perm("pooling.change_listing", listing):
        raise PermissionDenied("pooling.change_listing")
    return listing


@login_required
def listing_edit(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    """Its organization's members change an offer or a need."""
    listing = _changeable(request, kind, pk)
    initial = {name: getattr(listing, name) for name in ListingEditForm.base_fields}
    initial["territory"] = listing.territory_id
    form = ListingEditForm(request.POST or None, initial=initial)

    def save() -> HttpResponse:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.listing_update(listing=listing, actor=request.user, **changes)
        messages.success(request, _("Saved."))
        return redirect(listing.get_absolute_url())

    return form_submit(request, form, save) or render(
        request,
        "pooling/listing_edit.html",
        {"form": form, "listing": listing},
        status=form_status(request),
    )


@login_required
@require_POST
def listing_withdraw(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    """Withdraw (or publish again) an offer or a need; exchanges about it are kept."""
    listing = _changeable(request, kind, pk)
    hit_person("write", request.user)
    active = request.POST.get("active") == "1"
    services.listing_update(listing=listing, actor=request.user, is_active=active)
    if active:
        messages.success(request, _("Published again."))
        return redirect(listing.get_absolute_url())
    pending = selectors.listing_pending_exchanges(listing)
    if pending:
        messages.info(
            request,
            _(
                "Withdrawn: it no longer appears in the directory. The exchange about it that "
                "%(organizations)s has not confirmed yet is kept, and counts once confirmed."
            )
            % {
                "organizations": ", ".join(
                    sorted({getattr(e, e.confirming_side).name for e in pending})
                )
            },
        )
    else:
        messages.success(request, _("Withdrawn: it no longer appears in the directory."))
    return redirect(listing.get_absolute_url())


@login_required
def exchange_create(request: AuthenticatedRequest) -> HttpResponse:
    """Record an exchange; only a member of one of the two organizations may (else 403)."""
    form = ExchangeForm(
        request.POST or None,
        initial=request.GET.dict(),
        mine=selectors.organizations_of(request.user),
    )

    def save() -> HttpResponse:
        exchange = services.exchange_record(actor=request.user, **form.cleaned_data)
        if exchange.is_confirmed:
            messages.success(request, _("The exchange is recorded."))
        else:
            messages.success(
                request,
                _(
                    "The exchange is recorded. It counts once %(organization)s confirms "
                    "it; its members are told by email."
                )
                % {"organization": getattr(exchange, exchange.confirming_side).name},
            )
        return redirect("pooling:history", slug=exchange.giver.slug)

    return form_submit(request, form, save) or render(
        request, "pooling/exchange_form.html", {"form": form}, status=form_status(request)
    )


def history(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's pooling: what it offers, needs, gave and received, and with whom.

    Its members also see the exchanges awaiting a confirmation, and confirm those awaiting
    theirs.
    """
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404("no such organization")
    is_member = is_organization_member(request.user, organization)
    pending = []
    if is_member:
        for exchange in selectors.exchange_pending_list(organization):
            awaited = getattr(exchange, exchange.confirming_side)
            exchange.awaited = awaited
            exchange.is_ours_to_confirm = awaited.pk == organization.pk
            pending.append(exchange)
    context = {
        "organization": organization,
        **selectors.organization_history(organization),
        "is_member": is_member,
        "pending": pending,
        "confirm_form": ConfirmForm(),
        "feedback_form": FeedbackForm(),
    }
    return render(request, "pooling/history.html", context)


def _exchange(pk: int) -> Exchange:
    exchange = Exchange.objects.select_related("giver", "receiver").filter(pk=pk).first()
    if exchange is None:
        raise Http404("no such exchange")
    return exchange


@login_required
@require_POST
def exchange_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The awaited side confirms an exchange, with its feedback if it wants; others get 403."""
    exchange = _exchange(pk)
    form = ConfirmForm(request.POST)
    feedback = form.cleaned_data["feedback"] if form.is_valid() else ""
    hit_person("write", request.user)
    try:
        services.exchange_confirm(exchange=exchange, actor=request.user, feedback=feedback)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The exchange is confirmed: it now counts for both."))
    return redirect("pooling:history", slug=getattr(exchange, exchange.confirming_side).slug)


@login_required
@require_POST
def exchange_decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The awaited side declines an exchange that did not happen as recorded; others get 403."""
    exchange = _exchange(pk)
    awaited = getattr(exchange, exchange.confirming_side)
    hit_person("write", request.user)
    try:
        services.exchange_decline(
            exchange=exchange, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The exchange is declined; the person who recorded it is told.")
        )
    return redirect("pooling:history", slug=awaited.slug)


@login_required
@require_POST
def exchange_feedback(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A side gives (or changes) its short feedback on an exchange; others get 403."""
    exchange = _exchange(pk)
    side = request.POST.get("side", "")
    form = FeedbackForm(request.POST)
    hit_person("write", request.user)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        try:
            services.exchange_give_feedback(
                exchange=exchange, actor=request.user, side=side, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your feedback is saved."))
    organization = exchange.receiver if side == "receiver" else exchange.giver
    return redirect("pooling:history", slug=organization.slug)
