"""Organization pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maillage.organizations import selectors, services
from maillage.organizations.forms import OrganizationForm
from maillage.organizations.models import Organization


def organization_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Organization.Kind.values:
        kind = ""
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.organization_list(kind=kind or None, search=search), 24).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/list.html",
        {"page": page, "kind": kind, "kinds": Organization.Kind.choices, "search": search},
    )


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        organization = selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404("no such organization") from None
    context = {
        "organization": organization,
        "members": selectors.organization_public_members(organization),
        "member_count": selectors.organization_member_count(organization),
        "can_edit": request.user.has_perm("organizations.change_organization", organization),
    }
    return render(request, "organizations/detail.html", context)


def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Let an organization's admins edit its public description."""
    try:
        organization = selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404("no such organization") from None
    if not request.user.has_perm("organizations.change_organization", organization):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            organization=organization, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The organization is saved."))
        return redirect(organization)
    return render(request, "organizations/edit.html", {"organization": organization, "form": form})
