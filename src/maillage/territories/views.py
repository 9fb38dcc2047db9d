"""Territory pages."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.organizations.selectors import organization_list
from maillage.territories import selectors
from maillage.territories.forms import PlaceForm, TerritoryImportForm
from maillage.territories.imports import read_features
from maillage.territories.models import Territory
from maillage.territories.sections import territory_sections
from maillage.territories.services import territory_create, territory_import, territory_update

ORGANIZATIONS_PER_PAGE = 24


def territory_list(request: HttpRequest) -> HttpResponse:
    territories = Territory.objects.exclude(kind="site").annotate(
        child_count=Count("children", distinct=True)
    )
    can_import = request.user.is_superuser or (
        selectors.territories_administered_by(request.user).exists()
    )
    return render(
        request, "territories/list.html", {"territories": territories, "can_import": can_import}
    )


def territory_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        territory = selectors.territory_get(slug)
    except Territory.DoesNotExist:
        raise Http404("no such territory") from None
    ids = selectors.territory_with_descendant_ids(territory)
    children = territory.children.order_by("name")
    features = [
        {
            "type": "Feature",
            "geometry": t.geometry,
            "properties": {"name": t.name, "url": t.get_absolute_url(), "kind": t.kind},
        }
        for t in [territory, *children]
        if t.geometry
    ]
    # Every organization is reachable: the count announced is the count listed, page by page.
    organizations = Paginator(
        organization_list(territory_ids=ids), ORGANIZATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "territory": territory,
        "ancestors": selectors.territory_ancestors(territory),
        "children": children,
        "organizations": organizations,
        "organization_total": organizations.paginator.count,
        "map_data": {"type": "FeatureCollection", "features": features},
        "sections": territory_sections(territory, ids),
        "can_change": request.user.has_perm("territories.change_territory", territory),
        "can_add_inside": territory.kind != Territory.Kind.SITE
        and request.user.has_perm("territories.add_territory", territory),
    }
    return render(request, "territories/detail.html", context)


@login_required
def territory_import_view(request: AuthenticatedRequest) -> HttpResponse:
    """Import areas or places from a GeoJSON file: a dry run reports, a real run records all or
    nothing."""
    parents = selectors.territories_administered_by(request.user).exclude(kind="site")
    top_allowed = request.user.is_superuser
    if not top_allowed and not parents.exists():
        raise PermissionDenied("not a territory admin")
    form = TerritoryImportForm(
        request.POST or None,
        request.FILES or None,
        parents=parents.order_by("path"),
        top_allowed=top_allowed,
    )
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rows = read_features(
                    data["file"].read(),
                    name_property=data["name_property"].strip(),
                    code_property=data["code_property"].strip(),
                )
                report = territory_import(
                    actor=request.user,
                    parent=data["parent"],
                    kind=data["kind"],
                    rows=rows,
                    dry_run=data["dry_run"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
        if form.errors:
            status = 400
    return render(
        request,
        "territories/import.html",
        {
            "form": form,
            "report": report,
            "parent": form.cleaned_data.get("parent") if report else None,
        },
        status=status,
    )


def _territory(request: HttpRequest, slug: str, permission: str) -> Territory:
    try:
        territory = selectors.territory_get(slug)
    except Territory.DoesNotExist:
        raise Http404("no such territory") from None
    if not request.user.has_perm(permission, territory):
        raise PermissionDenied(permission)
    return territory


def _outline(territory: Territory) -> dict:
    """Return the territory and its places, drawn under the shape being edited."""
    features = [
        {
            "type": "Feature",
            "geometry": t.geometry,
            "properties": {"name": t.name, "kind": t.kind},
        }
        for t in [territory, *territory.children.order_by("name")]
        if t.geometry
    ]
    return {"type": "FeatureCollection", "features": features}


@login_required
def place_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Draw a new place (a public space, by default) inside a territory."""
    parent = _territory(request, slug, "territories.add_territory")
    narrower = Territory.KIND_ORDER[Territory.KIND_ORDER.index(parent.kind) + 1 :]
    if not narrower:
        raise Http404("nothing fits inside a public space")
    form = PlaceForm(request.POST or None, kinds=narrower, initial={"kind": Territory.Kind.SITE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = territory_create(
                actor=request.user,
                parent=parent,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                geometry=data["geometry"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(place.get_absolute_url())
    return render(
        request,
        "territories/place_form.html",
        {"form": form, "parent": parent, "place": None, "outline": _outline(parent)},
        status=400 if form.errors else 200,
    )


@login_required
def place_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Rename a place or redraw its shape."""
    place = _territory(request, slug, "territories.change_territory")
    initial = {
        "name": place.name,
        "description": place.description,
        "geometry": json.dumps(place.geometry) if place.geometry else "",
    }
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            territory_update(
                territory=place,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                geometry=data["geometry"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(place.get_absolute_url())
    context_of = place.parent or place
    return render(
        request,
        "territories/place_form.html",
        {"form": form, "parent": place.parent, "place": place, "outline": _outline(context_of)},
        status=400 if form.errors else 200,
    )
