"""Territory pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.core.forms import add_service_errors
from maillage.organizations.selectors import organization_list
from maillage.territories import selectors
from maillage.territories.forms import TerritoryImportForm
from maillage.territories.imports import read_features
from maillage.territories.models import Territory
from maillage.territories.sections import territory_sections
from maillage.territories.services import territory_import


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
    context = {
        "territory": territory,
        "ancestors": selectors.territory_ancestors(territory),
        "children": children,
        "organizations": organization_list(territory_ids=ids)[:24],
        "organization_total": organization_list(territory_ids=ids).count(),
        "map_data": {"type": "FeatureCollection", "features": features},
        "sections": territory_sections(territory, ids),
    }
    return render(request, "territories/detail.html", context)


@login_required
def territory_import_view(request: HttpRequest) -> HttpResponse:
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
