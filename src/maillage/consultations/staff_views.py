"""The participation service's back office: create and edit a campaign, its closed questions,
its sites and its team, then open, close and archive it. Thin: each page checks the
permission, calls one service and shows its refusal on the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.consultations import selectors, services
from maillage.consultations.forms import (
    CampaignForm,
    QuestionForm,
    QuestionFormSet,
    SitesForm,
    TeamAddForm,
    questions_from_formset,
)
from maillage.consultations.models import Campaign
from maillage.consultations.services.campaigns import FACILITATOR_ROLES, TRANSITIONS
from maillage.consultations.views import _campaign
from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.people.selectors import territory_member_search, territory_members

CHANGE = "consultations.change_campaign"

# The address word of each move, and the service that makes it.
MOVES: dict[str, tuple[str, Any]] = {
    "ouvrir": (Campaign.Status.OPEN, services.campaign_open),
    "fermer": (Campaign.Status.CLOSED, services.campaign_close),
    "archiver": (Campaign.Status.ARCHIVED, services.campaign_archive),
}


@login_required
def manage_index(request: AuthenticatedRequest) -> HttpResponse:
    """List the campaigns the person runs, drafts included."""
    return render(
        request,
        "consultations/manage_index.html",
        {
            "campaigns": selectors.campaigns_managed_by(request.user)[:200],
            "can_create": selectors.territories_for_new_campaign(request.user).exists(),
        },
    )


@login_required
def campaign_new(request: AuthenticatedRequest) -> HttpResponse:
    territories = selectors.territories_for_new_campaign(request.user)
    if not territories.exists():
        raise PermissionDenied("no territory to run a campaign on")
    form = CampaignForm(request.POST or None, territories=territories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                territory=data["territory"],
                title=data["title"],
                open_question=data["open_question"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft created. Add its sites and its team, then open it."))
            return redirect("consultations:manage", slug=campaign.slug)
    return render(request, "consultations/manage_form.html", {"form": form, "campaign": None})


@login_required
def campaign_manage(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The campaign's dashboard: what is set up, what is missing, and the next moves."""
    campaign = _campaign(request, slug, CHANGE)
    moves = [
        (word, status, Campaign.Status(status).label)
        for word, (status, _service) in MOVES.items()
        if status in TRANSITIONS[campaign.status]
    ]
    return render(
        request,
        "consultations/manage.html",
        {
            "campaign": campaign,
            "sites": list(campaign.sites.order_by("name")),
            "team": list(campaign.team.order_by("display_name")),
            "moves": moves,
        },
    )


@login_required
def campaign_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, CHANGE)
    initial = {
        "title": campaign.title,
        "open_question": campaign.open_question,
        "description": campaign.description,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "facilitator": campaign.facilitator,
    }
    members = territory_members(campaign.territory, FACILITATOR_ROLES).order_by("display_name")
    form = CampaignForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("consultations:manage", slug=campaign.slug)
    return render(request, "consultations/manage_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_questions(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, CHANGE)
    initial = [QuestionForm.initial_for(q) for q in campaign.closed_questions]
    formset = QuestionFormSet(request.POST or None, initial=initial, prefix="q")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.campaign_update(
                campaign=campaign,
                actor=request.user,
                closed_questions=questions_from_formset(formset),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Closed questions saved."))
            return redirect("consultations:manage", slug=campaign.slug)
    return render(
        request,
        "consultations/manage_questions.html",
        {"campaign": campaign, "formset": formset, "errors": errors},
    )


@login_required
def campaign_sites(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, CHANGE)
    choices = list(selectors.territory_sites(campaign.territory))
    form = SitesForm(
        request.POST or None,
        initial={"sites": list(campaign.sites.values_list("pk", flat=True))},
        choices=choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign, actor=request.user, sites=form.cleaned_data["sites"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sites saved."))
            return redirect("consultations:manage", slug=campaign.slug)
    chosen = {str(v) for v in (form["sites"].value() or [])}
    return render(
        request,
        "consultations/manage_sites.html",
        {
            "campaign": campaign,
            "form": form,
            "map_data": selectors.site_picker_geojson(campaign.territory, choices, chosen),
        },
    )


@login_required
def campaign_team(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Search the territory's members by name or email; add or remove agents."""
    campaign = _campaign(request, slug, CHANGE)
    error = ""
    if request.method == "POST":
        form = TeamAddForm(request.POST)
        if not form.is_valid():
            raise Http404("no such person")
        person = form.cleaned_data["person"]
        try:
            if request.POST.get("action") == "remove":
                services.campaign_team_remove(campaign=campaign, actor=request.user, person=person)
                messages.success(
                    request, _("%(name)s left the team.") % {"name": person.public_name}
                )
            else:
                services.campaign_team_add(campaign=campaign, actor=request.user, person=person)
                messages.success(
                    request, _("%(name)s joined the team.") % {"name": person.public_name}
                )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            return redirect("consultations:manage_team", slug=campaign.slug)
    query = request.GET.get("q", "").strip()[:100]
    team = list(campaign.team.order_by("display_name"))
    team_ids = {p.pk for p in team}
    found = territory_member_search(campaign.territory, query) if query else []
    return render(
        request,
        "consultations/manage_team.html",
        {
            "campaign": campaign,
            "team": team,
            "query": query,
            "found": [(p, p.pk in team_ids) for p in found],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def campaign_move(request: AuthenticatedRequest, slug: str, move: str) -> HttpResponse:
    """Open, close or archive the campaign."""
    campaign = _campaign(request, slug, CHANGE)
    if move not in MOVES:
        raise Http404("no such move")
    status, service = MOVES[move]
    try:
        service(campaign=campaign, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The campaign is now %(status)s.")
            % {"status": str(Campaign.Status(status).label).lower()},
        )
    return redirect("consultations:manage", slug=campaign.slug)
