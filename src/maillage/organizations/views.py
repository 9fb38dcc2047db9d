"""Organization pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_write
from maillage.organizations import selectors, services
from maillage.organizations.forms import MemberInviteForm, OrganizationForm
from maillage.organizations.models import Membership, Organization


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
        "can_approve": organization.kind_pending
        and request.user.has_perm("organizations.approve_kind", organization),
    }
    return render(request, "organizations/detail.html", context)


def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Let an organization's admins edit its public description."""
    try:
        organization = selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404("no such organization") from None
    if not request.user.is_authenticated or not request.user.has_perm(
        "organizations.change_organization", organization
    ):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        # The form wrote the new values on its instance: the service compares with the row.
        saved = Organization.objects.get(pk=organization.pk)
        try:
            saved = services.organization_update(
                organization=saved, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organization is saved."))
            if saved.kind_pending:
                messages.info(request, _("Its kind shows once a territory admin approves it."))
            return redirect(saved)
    return render(request, "organizations/edit.html", {"organization": organization, "form": form})


@login_required
def organization_new(request: AuthenticatedRequest) -> HttpResponse:
    """Let any verified person create an organization, of which they become the admin."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hit_write(request)
        try:
            organization = services.organization_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organization is created: you are its admin."))
            if organization.kind_pending:
                messages.info(request, _("Its kind shows once a territory admin approves it."))
            return redirect(organization)
    return render(request, "organizations/new.html", {"form": form})


@login_required
def organization_members(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Let an organization's admins add members by verified address and end memberships."""
    organization = _organization_or_404(slug)
    if not request.user.has_perm("organizations.manage_memberships", organization):
        raise Http404("not an admin of this organization")
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hit_write(request)
        try:
            services.membership_invite(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "If this address belongs to a verified Maillage account, its owner is now "
                    "a member and is told by email."
                ),
            )
            return redirect("organizations:members", slug=organization.slug)
    context = {
        "organization": organization,
        "form": form,
        "memberships": selectors.organization_active_memberships(organization),
    }
    status = 400 if form.errors else 200
    return render(request, "organizations/members.html", context, status=status)


@login_required
@require_POST
def membership_end(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    organization = _organization_or_404(slug)
    membership = get_object_or_404(Membership, pk=pk, organization=organization)
    if not request.user.has_perm("organizations.manage_memberships", organization):
        raise Http404("not an admin of this organization")
    try:
        services.membership_end(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The membership has ended."))
    return redirect("organizations:members", slug=organization.slug)


@login_required
@require_POST
def organization_approve(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organization = _organization_or_404(slug)
    if not request.user.has_perm("organizations.approve_kind", organization):
        raise Http404("not an admin of this organization's territories")
    try:
        services.organization_approve_kind(organization=organization, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s now shows as: %(kind)s.")
            % {"name": organization.name, "kind": organization.get_kind_display()},
        )
    return redirect(organization)


def _organization_or_404(slug: str) -> Organization:
    try:
        return selectors.organization_get(slug)
    except Organization.DoesNotExist:
        raise Http404("no such organization") from None
