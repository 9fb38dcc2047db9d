"""The team page of a territory: who holds which role, invitations, roles ended.

It sits in territories (the layer above people) because it is a territory's page; every write
goes through the people services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core import ratelimit
from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.organizations.selectors import organizations_awaiting_approval
from maillage.people import services as people_services
from maillage.people.forms import StaffInviteForm
from maillage.people.models import TerritoryRole
from maillage.people.selectors import territory_pending_invitations, territory_team
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_with_descendant_ids


@login_required
def team(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    territory = get_object_or_404(Territory, slug=slug)
    if not request.user.has_perm("people.grant_territory_role", territory):
        raise Http404("not an admin of this territory")
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ratelimit.hit_write(request)
        try:
            people_services.staff_invite(
                actor=request.user, territory=territory, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("territories:team", slug=territory.slug)
    context = {
        "territory": territory,
        "form": form,
        "roles": territory_team(territory),
        "invitations": territory_pending_invitations(territory),
        "awaiting": organizations_awaiting_approval(territory_with_descendant_ids(territory)),
    }
    return render(request, "territories/team.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def role_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(TerritoryRole.objects.select_related("territory", "person"), pk=pk)
    if not request.user.has_perm("people.grant_territory_role", grant.territory):
        raise Http404("not an admin of this territory")
    try:
        people_services.territory_role_end(grant=grant, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The role of %(name)s has ended.") % {"name": grant.person.public_name},
        )
    return redirect("territories:team", slug=grant.territory.slug)
