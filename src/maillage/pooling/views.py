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

from maillage.core.forms import add_service_errors
from maillage.core.ratelimit import hit_person
from maillage.organizations.models import Organization
from maillage.pooling import selectors, services
from maillage.pooling.forms import ExchangeForm, ListingForm
from maillage.pooling.models import Category, Conditions
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
    filters = {"search": search, "category": category, "conditions": conditions}
    offers = selectors.listing_directory("offer", territory_ids=ids, **filters)
    needs = selectors.listing_directory("need", territory_ids=ids, **filters)
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
            "exchanges": list(offer.exchanges.select_related("giver", "receiver")),
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
            "exchanges": list(need.exchanges.select_related("giver", "receiver")),
            "can_change": request.user.has_perm("pooling.change_listing", need),
        },
    )


@login_required
def listing_create(request: HttpRequest, kind: str) -> HttpResponse:
    organizations = selectors.organizations_of(request.user)
    if not organizations.exists() and not request.user.is_superuser:
        raise PermissionDenied("pooling.publish_listing")
    if request.user.is_superuser:
        organizations = Organization.objects.order_by("name")
    form = ListingForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        hit_person("write", request.user)
        try:
            listing = services.listing_create(kind=kind, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Published."))
            return redirect(listing.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "pooling/listing_form.html", {"form": form, "kind": kind}, status=status)


@login_required
def exchange_create(request: HttpRequest) -> HttpResponse:
    """Record an exchange; only a member of one of the two organizations may (else 403)."""
    form = ExchangeForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        hit_person("write", request.user)
        try:
            exchange = services.exchange_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The exchange is recorded."))
            return redirect("pooling:history", slug=exchange.giver.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, "pooling/exchange_form.html", {"form": form}, status=status)


def history(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's pooling: what it offers, needs, gave and received, and with whom."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404("no such organization")
    context = {"organization": organization, **selectors.organization_history(organization)}
    return render(request, "pooling/history.html", context)
