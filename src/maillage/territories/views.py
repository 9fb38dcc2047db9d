"""Territory pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.organizations.selectors import organization_list
from maillage.territories import selectors
from maillage.territories.models import Territory
from maillage.territories.sections import territory_sections

ORGANIZATIONS_PER_PAGE = 24


def territory_list(request: HttpRequest) -> HttpResponse:
    territories = Territory.objects.exclude(kind="site").annotate(
        child_count=Count("children", distinct=True)
    )
    return render(request, "territories/list.html", {"territories": territories})


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
    }
    return render(request, "territories/detail.html", context)
