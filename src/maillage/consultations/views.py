"""Consultation pages: public campaign, online contribution, follow-up, field capture (PWA),
moderation, responses and paper import. Thin: they check, call a service and render."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maillage.consultations import selectors, services
from maillage.consultations.forms import (
    ContributionForm,
    HideForm,
    ImportForm,
    RedactForm,
    ResponseEditForm,
    ResponseForm,
    ResponseStatusForm,
)
from maillage.consultations.imports import ImportFileError, expected_columns, paper_import
from maillage.consultations.models import Campaign, Contribution, Response
from maillage.consultations.photos import PhotoTooLarge
from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.core.offline import service_worker_response
from maillage.core.ratelimit import hit_write
from maillage.core.storage import (
    StorageUnavailable,
    file_response,
    storage_unavailable_message,
)

PAGE_SIZE = 20


def _campaign(
    request: HttpRequest, slug: str, permission: str = "consultations.view_campaign"
) -> Campaign:
    try:
        campaign = selectors.campaign_get(slug)
    except Campaign.DoesNotExist:
        raise Http404("no such campaign") from None
    if not request.user.has_perm(permission, campaign):
        if permission == "consultations.view_campaign":
            raise Http404("no such campaign")
        raise PermissionDenied(permission)
    return campaign


def campaign_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.campaign_public_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.campaigns_with_published_counts(list(page.object_list))
    return render(
        request,
        "consultations/index.html",
        {
            "page": page,
            "field_campaigns": selectors.campaigns_for_agent(request.user),
            "can_run": selectors.territories_for_new_campaign(request.user).exists(),
        },
    )


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page: header, map of the sites, filtered list of published contributions.

    The map and list part depends only on the published data, the filters and the language,
    not on the visitor: it is rendered once per version of the campaign's public data and kept
    in the cache (see ``selectors.public_fragment``), so that 50 visitors reading a
    million-contribution campaign cost one rendering, not 50. Searches are not cached: their
    text is free, and each would take a cache entry.
    """
    campaign = _campaign(request, slug)
    sites = selectors.campaign_sites_with_counts(campaign)
    site_ids = {s.pk for s in sites}
    search = request.GET.get("q", "").strip()[:100]
    site = request.GET.get("site", "")
    site_id = int(site) if site.isdigit() and int(site) in site_ids else None
    age_band = request.GET.get("age_band", "")
    age_band = age_band if age_band in Contribution.AgeBand.values else ""
    relation = request.GET.get("relation", "")
    relation = relation if relation in Contribution.Relation.values else ""
    questions = campaign.closed_questions
    answers = {q["id"]: request.GET.get(f"answer_{q['id']}", "")[:200] for q in questions}
    raw_page = request.GET.get("page", "")
    page_number = raw_page if raw_page.isdigit() and len(raw_page) <= 6 else "1"
    filters = {
        "q": search,
        "site": str(site_id or ""),
        "age_band": age_band,
        "relation": relation,
        **{f"answer_{key}": value for key, value in answers.items()},
    }
    total_published = sum(s.published_count for s in sites)

    def render_list() -> str:
        contributions = selectors.contribution_public_list(
            campaign,
            search=search,
            site_id=site_id,
            age_band=age_band,
            relation=relation,
            answers=answers,
        )
        # Without filters, or with the site alone, the cached counts per site give the total.
        only_site = not (search or age_band or relation or any(answers.values()))
        known = None
        if only_site:
            known = (
                next(s.published_count for s in sites if s.pk == site_id)
                if site_id
                else total_published
            )
        paginator = selectors.CappedPaginator(
            contributions, PAGE_SIZE, campaign_id=campaign.pk, count=known
        )
        context = {
            "campaign": campaign,
            "sites": sites,
            "opendata_url": reverse("opendata:index"),
            "map_data": selectors.campaign_map_geojson(campaign, sites),
            "page": paginator.get_page(page_number),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "search": search,
            "site_id": site_id,
            "age_band": age_band,
            "relation": relation,
            "questions": [
                {
                    **q,
                    "selected": answers[q["id"]],
                    "scale_values": [str(v) for v in range(q.get("min", 0), q.get("max", -1) + 1)],
                }
                for q in questions
            ],
            "age_bands": Contribution.AgeBand.choices,
            "relations": Contribution.Relation.choices,
        }
        return render_to_string("consultations/_detail_list.html", context, request)

    part = (
        render_list()
        if search
        else selectors.public_fragment(
            campaign, "detail", {**filters, "page": page_number}, render_list
        )
    )
    context = {
        "campaign": campaign,
        "sites": sites,
        "total_published": total_published,
        "list_part": part,
        "can_manage": request.user.has_perm("consultations.change_campaign", campaign),
        "can_capture": request.user.has_perm("consultations.capture_contribution", campaign),
    }
    return render(request, "consultations/detail.html", context)


def contribute(request: HttpRequest, slug: str) -> HttpResponse:
    """Let an inhabitant, with or without an account, give their words online."""
    campaign = _campaign(request, slug)
    if not campaign.accepts_contributions:
        return render(request, "consultations/closed.html", {"campaign": campaign}, status=410)
    initial = {"contact_email": request.user.email} if request.user.is_authenticated else {}
    form = ContributionForm(
        request.POST or None, request.FILES or None, campaign=campaign, initial=initial
    )
    status = 200
    if request.method == "POST":
        hit_write(request)
        if form.is_bot():
            # Look like a success so that a robot learns nothing.
            return redirect("consultations:thanks", slug=campaign.slug)
        if form.is_valid():
            photo = form.cleaned_data.get("photo")
            try:
                services.contribution_submit_online(
                    campaign=campaign,
                    author=request.user,
                    record=form.record(),
                    photo=photo.read() if photo else None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PhotoTooLarge as error:
                form.add_error("photo", str(error))
            except StorageUnavailable:
                form.add_error("photo", storage_unavailable_message(with_photo=True))
                status = 503
            else:
                return redirect("consultations:thanks", slug=campaign.slug)
    return render(
        request,
        "consultations/contribute.html",
        {"campaign": campaign, "form": form},
        status=status,
    )


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "consultations/thanks.html", {"campaign": _campaign(request, slug)})


def follow_up(request: HttpRequest, slug: str) -> HttpResponse:
    """What became of the ideas: counts per status and every response."""
    campaign = _campaign(request, slug)
    return render(
        request,
        "consultations/follow_up.html",
        {
            "campaign": campaign,
            "counts": selectors.response_status_counts(campaign),
            "responses": selectors.responses_with_published_contributions(campaign),
            "answered": selectors.answered_contribution_count(campaign),
            "total": selectors.visible_contribution_count(campaign),
        },
    )


# ---------------------------------------------------------------------------------------------
# Field capture (PWA)


@login_required
def field_capture(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.capture_contribution")
    if not campaign.accepts_contributions:
        return render(request, "consultations/closed.html", {"campaign": campaign}, status=410)
    sites = [
        {"id": s.pk, "name": s.name, "lon": s.centroid_lon, "lat": s.centroid_lat}
        for s in campaign.sites.order_by("name")
    ]
    config = {
        "campaign": campaign.slug,
        "question": campaign.open_question,
        "questions": [
            {**q, "values": list(range(q["min"], q["max"] + 1))} if q["kind"] == "scale" else q
            for q in campaign.closed_questions
        ],
        "sites": sites,
        "syncUrl": reverse("api:consultations_sync"),
        "photoUrl": reverse(
            "api:consultations_photo", args=["00000000-0000-0000-0000-000000000000"]
        ),
        "serviceWorker": reverse("consultations:service_worker"),
        "scope": reverse("consultations:index"),
        "ageBands": Contribution.AgeBand.choices,
        "relations": Contribution.Relation.choices,
    }
    strings = {
        "online": _("Online: records sync by themselves."),
        "offline": _("Offline: records are kept on this phone and sync when the network returns."),
        "saved": _("Saved on this phone."),
        "needSite": _("Choose a place."),
        "needText": _("Write the inhabitant's words."),
        "tooLong": _("The text is limited to 5,000 characters."),
        "syncing": _("Syncing…"),
        "synced": _("Synced: %(n)s."),
        "failed": _("Refused by the server: %(message)s"),
        "retry": _("Sync failed; it will be tried again: %(message)s"),
        "login": _("Your session has expired: log in again, the records stay on this phone."),
        "located": _("Places sorted from the nearest."),
        "noLocation": _("Location unavailable: places stay in alphabetical order."),
        "photo": _("with photo"),
        "distance": _("%(km)s km"),
        "storageError": _("This phone cannot store records (private browsing?)."),
    }
    return render(
        request,
        "consultations/field.html",
        {"campaign": campaign, "config": config, "strings": strings},
    )


def field_manifest(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = _campaign(request, slug)
    start = reverse("consultations:field", args=[campaign.slug])
    manifest = {
        "name": f"Maillage — {campaign.title}",
        "short_name": "Maillage terrain",
        "description": campaign.open_question,
        "lang": "fr",
        "start_url": start,
        "scope": reverse("consultations:index"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1e40af",
        "icons": [
            {
                "src": static(f"consultations/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request: HttpRequest) -> FileResponse:
    """Serve the service worker from /concertations/ so that it controls the field pages."""
    return service_worker_response(reverse("consultations:index"))


# ---------------------------------------------------------------------------------------------
# Moderation, follow-up and import (facilitators)


MODERATION_PAGE_SIZE = 50


def _int_param(value: str, allowed: set[int]) -> int | None:
    return int(value) if value.isdigit() and int(value) in allowed else None


@login_required
def moderation(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The moderation queue: filter by status, site and agent; decide one by one or many."""
    campaign = _campaign(request, slug, "consultations.moderate_contribution")
    status = request.GET.get("status", Contribution.Status.PENDING)
    if status not in Contribution.Status.values:
        status = Contribution.Status.PENDING
    sites = list(campaign.sites.order_by("name"))
    agents = list(campaign.team.order_by("display_name"))
    site_id = _int_param(request.GET.get("site", ""), {s.pk for s in sites})
    agent_id = _int_param(request.GET.get("agent", ""), {a.pk for a in agents})
    queue = selectors.moderation_queue(campaign, status=status, site_id=site_id, agent_id=agent_id)
    page = Paginator(queue, MODERATION_PAGE_SIZE).get_page(request.GET.get("page"))
    for contribution in page.object_list:
        contribution.answer_items = selectors.answer_items(
            campaign.closed_questions, contribution.answers
        )
    filters = {"status": status, "site": site_id or "", "agent": agent_id or ""}
    return render(
        request,
        "consultations/moderation.html",
        {
            "campaign": campaign,
            "page": page,
            "status": status,
            "statuses": Contribution.Status.choices,
            "counts": selectors.moderation_counts(campaign),
            "hide_form": HideForm(),
            "sites": sites,
            "agents": agents,
            "site_id": site_id,
            "agent_id": agent_id,
            "query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@login_required
@require_POST
def moderate_bulk(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Publish or hide the selected contributions; those refused are named, the rest kept."""
    campaign = _campaign(request, slug, "consultations.moderate_contribution")
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    action = request.POST.get("action", "")
    try:
        result = services.contribution_moderate_bulk(
            campaign=campaign,
            actor=request.user,
            ids=ids,
            action=action,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if result.done:
            done = len(result.done)
            messages.success(
                request,
                (
                    ngettext(
                        "%(count)s contribution published.",
                        "%(count)s contributions published.",
                        done,
                    )
                    if action == "publish"
                    else ngettext(
                        "%(count)s contribution hidden.", "%(count)s contributions hidden.", done
                    )
                )
                % {"count": done},
            )
        for pk, reason in result.refused:
            messages.error(
                request, _("#%(id)s not changed: %(reason)s") % {"id": pk, "reason": reason}
            )
    return redirect(
        reverse("consultations:moderation", args=[campaign.slug])
        + "?"
        + request.POST.get("next_query", "")
    )


@login_required
@require_POST
def moderate(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.moderate_contribution")
    contribution = get_object_or_404(Contribution, pk=pk, campaign=campaign)
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.contribution_publish(contribution=contribution, actor=request.user)
            messages.success(request, _("Contribution #%(id)s published.") % {"id": pk})
        elif action == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a reason to hide the contribution."))
            services.contribution_hide(
                contribution=contribution, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Contribution #%(id)s hidden.") % {"id": pk})
        elif action == "redact":
            redact_form = RedactForm(request.POST)
            if not redact_form.is_valid():
                raise ValidationError(
                    _("The corrected text is required (5,000 characters at most).")
                )
            services.contribution_redact(
                contribution=contribution, actor=request.user, **redact_form.cleaned_data
            )
            messages.success(
                request,
                _("Contribution #%(id)s corrected; the original is kept in the audit log.")
                % {"id": pk},
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(
        reverse("consultations:moderation", args=[campaign.slug])
        + "?"
        + request.POST.get("next_query", "")
    )


@login_required
def redact(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.moderate_contribution")
    contribution = get_object_or_404(Contribution, pk=pk, campaign=campaign)
    form = RedactForm(initial={"text": contribution.text})
    return render(
        request,
        "consultations/redact.html",
        {"campaign": campaign, "contribution": contribution, "form": form},
    )


@login_required
def responses_manage(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.answer_contribution")
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response = services.response_create(
                campaign=campaign,
                actor=request.user,
                title=data["title"],
                status=data["status"],
                text=data["text"],
                reason=data["reason"],
                link_url=data["link_url"],
                contribution_ids=data["contributions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Response saved. Pick the contributions it answers; their authors are told by email."
                ),
            )
            return redirect("consultations:response_edit", slug=campaign.slug, pk=response.pk)
    return render(
        request,
        "consultations/responses_manage.html",
        {
            "campaign": campaign,
            "form": form,
            "responses": selectors.response_public_list(campaign),
            "status_form": ResponseStatusForm(),
        },
    )


@login_required
@require_POST
def response_update(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.answer_contribution")
    response = get_object_or_404(Response, pk=pk, campaign=campaign)
    form = ResponseStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    else:
        try:
            services.response_update(
                response=response,
                actor=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"] or None,
                add_contribution_ids=form.cleaned_data["contributions"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Response updated."))
    return redirect("consultations:responses_manage", slug=campaign.slug)


@login_required
def response_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Edit a response and pick its contributions by search; its history is shown below."""
    campaign = _campaign(request, slug, "consultations.answer_contribution")
    response = get_object_or_404(Response, pk=pk, campaign=campaign)
    initial = {
        "title": response.title,
        "status": response.status,
        "text": response.text,
        "reason": response.reason,
        "link_url": response.link_url,
    }
    form = ResponseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ids = [int(v) for v in request.POST.getlist("contributions") if v.isdigit()]
        try:
            services.response_update(
                response=response, actor=request.user, contribution_ids=ids, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Response updated."))
            return redirect("consultations:response_edit", slug=campaign.slug, pk=response.pk)
    sites = list(campaign.sites.order_by("name"))
    search = request.GET.get("q", "").strip()[:100]
    site_id = _int_param(request.GET.get("site", ""), {s.pk for s in sites})
    linked = list(response.contributions.select_related("site").order_by("captured_at", "id"))
    linked_ids = {c.pk for c in linked}
    found = (
        [
            c
            for c in selectors.response_contribution_search(
                campaign, search=search, site_id=site_id
            )
            if c.pk not in linked_ids
        ]
        if search or site_id
        else []
    )
    return render(
        request,
        "consultations/response_edit.html",
        {
            "campaign": campaign,
            "response": response,
            "form": form,
            "linked": linked,
            "found": found,
            "searched": bool(search or site_id),
            "search": search,
            "sites": sites,
            "site_id": site_id,
            "history": selectors.response_history(response),
        },
        status=400 if form.errors else 200,
    )


@login_required
def paper_import_view(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, "consultations.import_contributions")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = file_error = None
    if request.method == "POST" and form.is_valid():
        try:
            report = paper_import(
                campaign=campaign,
                actor=request.user,
                data=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
                encoding=form.cleaned_data["encoding"],
            )
        except ImportFileError as error:
            file_error = str(error)
    return render(
        request,
        "consultations/import.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "file_error": file_error,
            "columns": expected_columns(campaign),
            "example": json.dumps(campaign.closed_questions, ensure_ascii=False),
        },
    )


def contribution_photo(request: HttpRequest, path: str) -> HttpResponseRedirect | FileResponse:
    """Serve a contribution's photo to those allowed to see it (404 to anyone else)."""
    contribution = selectors.contribution_photo_for(request.user, f"consultations/{path}")
    if contribution is None:
        raise Http404("no such photo")
    return file_response(
        contribution.photo,
        content_type="image/jpeg",
        public=contribution.status == Contribution.Status.PUBLISHED,
    )
