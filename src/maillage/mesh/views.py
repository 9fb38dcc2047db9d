"""Mesh pages: the observatory of a territory or an organization, one's own place, downloads."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from maillage.analysis.graph import write_csv, write_gexf, write_graphml
from maillage.analysis.graph.model import SECTORS
from maillage.core.http import AuthenticatedRequest
from maillage.core.permissions import require
from maillage.mesh import charts, measures, presentation, selectors, services, visibility
from maillage.mesh.forms import (
    KIND_LABELS,
    NODE_KIND_LABELS,
    SECTOR_LABELS,
    STAGE_LABELS,
    ConsentForm,
    MeshFilterForm,
)
from maillage.organizations.models import Organization
from maillage.territories.models import Territory

DOWNLOADS = {
    "gexf": ("application/gexf+xml; charset=utf-8", "gexf"),
    "graphml": ("application/graphml+xml; charset=utf-8", "graphml"),
    "nodes": ("text/csv; charset=utf-8", "nodes.csv"),
    "edges": ("text/csv; charset=utf-8", "edges.csv"),
}


def index(request: HttpRequest) -> HttpResponse:
    """The territories whose mesh can be observed, and one's own place."""
    require(request.user, "mesh.view_observatory")
    territories = Territory.objects.exclude(kind__in=["neighbourhood", "site"]).order_by("path")
    return render(request, "mesh/index.html", {"territories": territories})


def _filters(request: HttpRequest) -> tuple[MeshFilterForm, Any]:
    form = MeshFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    return form, form.filters() if request.GET else visibility.MeshFilters()


def territory(request: HttpRequest, slug: str) -> HttpResponse:
    """The mesh of a territory and everything below it."""
    place = get_object_or_404(Territory, slug=slug)
    return _observatory(request, territory=place)


def organization(request: HttpRequest, slug: str) -> HttpResponse:
    """The mesh around an organization: its links and its members'."""
    org = get_object_or_404(Organization, slug=slug)
    return _observatory(request, organization=org)


def _observatory(request: HttpRequest, **scope: Any) -> HttpResponse:
    require(request.user, "mesh.view_observatory")
    form, filters = _filters(request)
    subject = scope.get("territory") or scope.get("organization")
    context: dict[str, Any] = {
        "form": form,
        "subject": subject,
        "is_territory": "territory" in scope,
        "kind_labels": {str(k): v for k, v in KIND_LABELS.items()},
    }
    if filters is None:
        return render(request, "mesh/observatory.html", context, status=400)
    result = measures.observatory(filters=filters, **scope)
    context.update(_presentation(result))
    query = request.GET.urlencode()
    context["query"] = f"?{query}" if query else ""
    return render(request, "mesh/observatory.html", context)


def _presentation(result: measures.Observatory) -> dict[str, Any]:
    analysis, mesh, labels = result.analysis, result.mesh, result.labels
    sector_names = [str(SECTOR_LABELS[s]) for s in SECTORS]
    hybrid = analysis.hybridization
    matrix = hybrid.count_matrix
    balance = analysis.pooling
    periods = [p.period for p in balance.by_period]
    participation = [
        {
            "campaign": labels.get(f"campaign:{c.campaign}", c.campaign),
            "contributions": c.contributions,
            "reached": c.reached,
            "completed": c.completed,
            "loops": [
                {
                    "site": labels.get(f"site:{loop.site}", loop.site),
                    "new_campaign": labels.get(f"campaign:{loop.new_campaign}", loop.new_campaign),
                    "days": round(loop.days),
                    "steps": len(loop.refs),
                }
                for loop in c.loops[:5]
            ],
        }
        for c in analysis.participation.campaigns
    ]
    return {
        "analysis": analysis,
        "mesh": mesh,
        "labels": labels,
        "network": presentation.network_payload(mesh),
        "sector_legend": [(SECTOR_LABELS[s], presentation.sector_colour(s)) for s in SECTORS],
        "no_sector_colour": presentation.NO_SECTOR_COLOUR,
        "nodes": [
            {
                **row,
                "kind_label": NODE_KIND_LABELS[str(row["node"].kind)],
                "sector_label": SECTOR_LABELS.get(row["node"].sector or "", "—"),
            }
            for row in presentation.node_table(mesh)[:100]
        ],
        "node_count": len(mesh.nodes),
        "links": presentation.strongest_links(mesh),
        "sector_names": sector_names,
        "heatmap": charts.heatmap(matrix, sector_names),
        "matrix_rows": [
            (name, [charts.number(v) for v in matrix[i]]) for i, name in enumerate(sector_names)
        ],
        "timeline": charts.timeline(
            periods,
            [p.pooling_edges for p in balance.by_period],
            [p.coproduction_edges for p in balance.by_period],
        ),
        "balance_rows": balance.by_period,
        "reciprocal": [
            (labels.get(p.first, p.first), labels.get(p.second, p.second), p)
            for p in analysis.loops.reciprocal_pairs
        ],
        "cycles": [[labels.get(n, n) for n in cycle.nodes] for cycle in analysis.loops.cycles[:20]],
        "participation": participation,
        "bridges": [(labels.get(b.node_id, b.node_id), b) for b in _bridges(analysis)],
        "snowballs": result.campaign_snowballs,
        "balance_top": [(labels.get(o.organization, o.organization), o) for o in balance.top[:10]],
        "stages": list(STAGE_LABELS.items()),
    }


def _bridges(analysis: Any) -> list[Any]:
    """Return the top bridges by betweenness, then the cut points not already among them."""
    top = list(analysis.bridges.by_betweenness[:10])
    seen = {b.node_id for b in top}
    return top + [b for b in analysis.bridges.by_separation[:10] if b.node_id not in seen]


def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """A territory's public mesh as GEXF, GraphML or CSV node and edge lists (pseudonymized)."""
    require(request.user, "mesh.view_observatory")
    place = get_object_or_404(Territory, slug=slug)
    form, filters = _filters(request)
    if filters is None:
        errors = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    graph = presentation.export_graph(visibility.mesh_build(filters=filters, territory=place))
    out = io.StringIO()
    if fmt == "gexf":
        write_gexf(graph, out)
    elif fmt == "graphml":
        write_graphml(graph, out)
    else:
        nodes, edges = io.StringIO(), io.StringIO()
        write_csv(graph, nodes, edges)
        out = nodes if fmt == "nodes" else edges
    content_type, suffix = DOWNLOADS[fmt]
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mesh-{place.slug}.{suffix}"'
    return response


@login_required
def place(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own links and their choice to appear in the mesh."""
    if not request.user.has_perm("mesh.view_place", request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.consent_set(
                actor=request.user, person=request.user, visible=form.cleaned_data["visible"]
            )
            messages.success(
                request,
                _("You now appear in the mesh.")
                if form.cleaned_data["visible"]
                else _("You no longer appear in the mesh: your links count for your organization."),
            )
            return redirect("mesh:place")
    visible = selectors.consent_of(request.user)
    links = selectors.place_of(request.user)
    counts: dict[str, int] = {}
    for link in links:
        counts[link.kind] = counts.get(link.kind, 0) + 1
    return render(
        request,
        "mesh/place.html",
        {
            "form": ConsentForm(initial={"visible": visible}),
            "visible": visible,
            "rows": [(KIND_LABELS_BY_NAME[link.kind], link) for link in links],
            "counts": [(KIND_LABELS_BY_NAME[k], n) for k, n in sorted(counts.items())],
        },
    )


KIND_LABELS_BY_NAME = {str(k): v for k, v in KIND_LABELS.items()}
