"""Journey and self-observation pages: thin, they check, call a service and render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.analysis.self_observation import MIN_RESPONDENTS
from maillage.core.forms import add_service_errors, form_field, form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.offline import service_worker_response
from maillage.core.periods import active_q
from maillage.core.ratelimit import hit_person
from maillage.journeys import charts, selectors, services
from maillage.journeys.forms import (
    AnswerForm,
    EncounterForm,
    GpxForm,
    JourneyForm,
    QuestionAddForm,
    QuestionForm,
    RoundForm,
    StageForm,
)
from maillage.journeys.models import Dimension, Journey, Question, Round
from maillage.organizations.models import Organization


def _journey(request: HttpRequest, slug: str, permission: str = "journeys.view_journey") -> Journey:
    try:
        journey = selectors.journey_get(slug)
    except Journey.DoesNotExist:
        raise Http404("no such journey") from None
    if not request.user.has_perm("journeys.view_journey", journey):
        raise Http404("no such journey")
    if permission != "journeys.view_journey" and not request.user.has_perm(permission, journey):
        raise PermissionDenied(permission)
    return journey


def journey_index(request: HttpRequest) -> HttpResponse:
    journeys = selectors.journey_visible_list(request.user)
    can_create = request.user.is_authenticated and (
        request.user.is_superuser
        or request.user.territory_roles.filter(role__in=("admin", "facilitator")).exists()
    )
    return render(request, "journeys/index.html", {"journeys": journeys, "can_create": can_create})


@login_required
def journey_create(request: AuthenticatedRequest) -> HttpResponse:
    form = JourneyForm(request.POST or None)

    def save() -> HttpResponse:
        journey = services.journey_create(actor=request.user, **form.cleaned_data)
        return redirect(journey.get_absolute_url())

    return form_submit(request, form, save) or render(
        request, "journeys/journey_form.html", {"form": form}, status=form_status(request)
    )


def journey_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The route on the map (a line), the stages, the walkers and the encounters."""
    journey = _journey(request, slug)
    encounters = list(selectors.journey_encounters(journey))
    can_change = request.user.has_perm("journeys.change_journey", journey)
    work = selectors.journey_shared_work(journey)
    can_see_work = work is not None and request.user.has_perm("cowriting.view_work", work)
    context = {
        "journey": journey,
        "stages": list(journey.stages.all()),
        "walkers": list(journey.walkers.all()),
        "encounters": encounters,
        "themes": selectors.theme_counts(encounters),
        "map_data": selectors.journey_map_geojson(journey, encounters),
        "can_change": can_change,
        "can_record": request.user.has_perm("journeys.record_encounter", journey),
        "can_read_notes": request.user.has_perm("journeys.view_notes", journey),
        "cowriting": selectors.cowriting_installed(),
        "can_start_account": selectors.cowriting_installed()
        and work is None
        and request.user.has_perm("journeys.start_account", journey),
        "shared_work": work if can_see_work else None,
        "gpx_form": GpxForm() if can_change else None,
        "stage_form": StageForm() if can_change else None,
    }
    return render(request, "journeys/detail.html", context)


@login_required
@require_POST
def gpx_import(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    journey = _journey(request, slug, "journeys.change_journey")
    form = GpxForm(request.POST, request.FILES)
    if form.is_valid():
        hit_person("write", request.user)
        try:
            result = services.journey_import_gpx(
                journey=journey, actor=request.user, data=form.cleaned_data["gpx"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Route imported: %(read)d points read, %(kept)d kept, %(dropped)d dropped "
                    "(tolerance %(tolerance)s m), %(length).1f km."
                )
                % {
                    "read": result.read,
                    "kept": result.kept,
                    "dropped": result.dropped,
                    "tolerance": f"{result.tolerance_m:g}",
                    "length": result.length_km,
                },
            )
            return redirect(journey.get_absolute_url())
    return render(request, "journeys/gpx_form.html", {"journey": journey, "form": form}, status=422)


def gpx_export(request: HttpRequest, slug: str) -> HttpResponse:
    journey = _journey(request, slug)
    if not journey.route:
        raise Http404("no route yet")
    response = HttpResponse(
        services.journey_export_gpx(journey), content_type="application/gpx+xml"
    )
    response["Content-Disposition"] = f'attachment; filename="{journey.slug}.gpx"'
    return response


@login_required
@require_POST
def stage_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    journey = _journey(request, slug, "journeys.change_journey")
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.stage_add(journey=journey, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stage added."))
    else:
        messages.error(request, _("The stage is incomplete."))
    return redirect(journey.get_absolute_url() + "#stages")


@login_required
def encounter_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    journey = _journey(request, slug, "journeys.record_encounter")
    form = EncounterForm(request.POST or None, territory=journey.territory)

    def save() -> HttpResponse:
        services.encounter_record(journey=journey, actor=request.user, record=form.record())
        messages.success(request, _("Encounter recorded."))
        return redirect(journey.get_absolute_url() + "#encounters")

    saved = form_submit(request, form, save)
    if saved is not None:
        return saved
    territories = form_field(form, "territory", forms.ModelChoiceField).queryset
    places = {str(t.pk): t.name for t in territories or ()}
    config = {
        "journey": journey.slug,
        "places": places,
        "syncUrl": reverse("api:journeys_sync"),
        "serviceWorker": reverse("journeys:service_worker"),
        "scope": reverse("journeys:index"),
    }
    strings = {
        "online": _("Online: encounters sync by themselves."),
        "offline": _(
            "Offline: encounters are kept on this phone and sync when the network returns."
        ),
        "saved": _("Saved on this phone."),
        "needDay": _("Give the day of the encounter."),
        "needWho": _("Say who was met, in a few words (never a name)."),
        "needConsent": _("Notes only with the inhabitant's consent: tick it or clear the notes."),
        "syncing": _("Syncing…"),
        "synced": _("Synced: %(n)s."),
        "failed": _("Refused by the server: %(message)s"),
        "retry": _("Sync failed; it will be tried again: %(message)s"),
        "login": _("Your session has expired: log in again, the encounters stay on this phone."),
        "storageError": _("This phone cannot store records (private browsing?)."),
    }
    return render(
        request,
        "journeys/encounter_form.html",
        {"journey": journey, "form": form, "config": config, "strings": strings},
        status=form_status(request),
    )


def service_worker(request: HttpRequest) -> FileResponse:
    """Serve the service worker from /itinerances/ so that it controls the encounter forms."""
    return service_worker_response(reverse("journeys:index"))


@login_required
@require_POST
def account_start(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    journey = _journey(request, slug, "journeys.start_account")
    if not selectors.cowriting_installed():
        raise Http404("co-writing is not installed")
    work = services.account_start(journey=journey, actor=request.user)
    return redirect(work.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Self-observation


def _evolution_context(
    rounds: list[Round],
    scores: list[Mapping[str, float | None]],
    questionnaire: Any,
    *,
    chart_id: str,
    title: str,
) -> dict[str, Any]:
    """Return the chart and the table rows of scores per dimension along ``rounds``."""
    labels = [r.title for r in rounds]
    series = {d: [s.get(d) for s in scores] for d in Dimension.values}
    return {
        "chart": charts.line_chart(
            labels,
            series,
            low=questionnaire.scale_low,
            high=questionnaire.scale_high,
            chart_id=chart_id,
            title=title,
        ),
        "rows": [
            {"round": r, "scores": [s.get(d) for d in Dimension.values]}
            for r, s in zip(rounds, scores, strict=True)
        ],
    }


def observation_index(request: HttpRequest) -> HttpResponse:
    """Rounds to answer, my own evolution, and my collectives' aggregates."""
    questionnaire = selectors.questionnaire_default()
    context: dict[str, Any] = {"questionnaire": questionnaire, "dimensions": Dimension.choices}
    if questionnaire and request.user.is_authenticated:
        rounds, waves = selectors.person_evolution(request.user, questionnaire)
        answered = {r.pk for r in rounds}
        context["open_rounds"] = [
            r for r in selectors.rounds_open_to(request.user) if r.pk not in answered
        ]
        context["mine"] = (
            _evolution_context(
                rounds,
                [w.scores for w in waves],
                questionnaire,
                chart_id="mine-chart",
                title=_("My evolution"),
            )
            if rounds
            else None
        )
        context["collectives"] = Organization.objects.filter(
            active_q("memberships__"),
            observation_rounds__isnull=False,
            memberships__person=request.user,
        ).distinct()
        context["can_edit"] = request.user.has_perm("journeys.change_questionnaire", questionnaire)
        context["can_open"] = (
            context["can_edit"] or selectors.organizations_for_rounds(request.user).exists()
        )
        context["run"] = selectors.rounds_run_by(request.user)
    return render(request, "journeys/observation_index.html", context)


@login_required
def round_create(request: AuthenticatedRequest) -> HttpResponse:
    """Open a round for a collective (its admins, the facilitators of its territories) or for
    everyone (facilitators)."""
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        raise Http404("no questionnaire")
    organizations = selectors.organizations_for_rounds(request.user)
    personal = request.user.has_perm("journeys.change_questionnaire", questionnaire)
    if not personal and not organizations.exists():
        raise PermissionDenied("journeys.open_round")
    form = RoundForm(
        request.POST or None,
        organizations=organizations,
        personal=personal,
        initial={"opens_on": timezone.localdate()},
    )

    def save() -> HttpResponse:
        round_ = services.round_create(
            actor=request.user, questionnaire=questionnaire, **form.cleaned_data
        )
        messages.success(request, _("The round is open: its people can answer it."))
        members = selectors.round_below_threshold(round_)
        if members is not None:
            messages.warning(request, _below_threshold_message(members))
        return redirect("journeys:observation")

    return form_submit(request, form, save) or render(
        request, "journeys/round_form.html", {"form": form}, status=form_status(request)
    )


def _below_threshold_message(members: int) -> str:
    return ngettext(
        "This collective has %(members)d member, fewer than %(threshold)d: each person sees "
        "their own answers, and the collective's aggregate stays withheld so that nobody can be "
        "recognized.",
        "This collective has %(members)d members, fewer than %(threshold)d: each person sees "
        "their own answers, and the collective's aggregate stays withheld so that nobody can be "
        "recognized.",
        members,
    ) % {"members": members, "threshold": MIN_RESPONDENTS}


@login_required
@require_POST
def round_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("questionnaire", "organization"), pk=pk)
    hit_person("write", request.user)
    try:
        services.round_close(round_=round_, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is closed; the answers given are kept."))
    return redirect("journeys:observation")


@login_required
def round_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("questionnaire", "organization"), pk=pk)
    if not request.user.has_perm("journeys.answer_round", round_):
        raise PermissionDenied("journeys.answer_round")
    form = AnswerForm(request.POST or None, questionnaire=round_.questionnaire)

    def save() -> HttpResponse:
        services.response_submit(round_=round_, actor=request.user, answers=form.cleaned_data)
        messages.success(request, _("Thank you: your answers are recorded."))
        return redirect("journeys:observation")

    return form_submit(request, form, save) or render(
        request,
        "journeys/round_answer.html",
        {"round": round_, "form": form},
        status=form_status(request),
    )


def collective_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A collective's aggregate per round, shown only where at least 5 members answered."""
    organization = get_object_or_404(Organization, slug=slug)
    if not request.user.has_perm("journeys.view_collective", organization):
        raise PermissionDenied("journeys.view_collective")
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        raise Http404("no questionnaire")
    rounds, waves = selectors.collective_evolution(organization, questionnaire)
    shown = [(r, w) for r, w in zip(rounds, waves, strict=True) if not w.suppressed]
    members = organization.memberships.filter(active_q()).count()
    context = {
        "organization": organization,
        "below_threshold": _below_threshold_message(members) if members < MIN_RESPONDENTS else "",
        "questionnaire": questionnaire,
        "dimensions": Dimension.choices,
        "waves": list(zip(rounds, waves, strict=True)),
        "aggregate": _evolution_context(
            [r for r, _w in shown],
            [w.mean for _r, w in shown],
            questionnaire,
            chart_id="collective-chart",
            title=_("Collective aggregate"),
        )
        if shown
        else None,
    }
    return render(request, "journeys/collective.html", context)


@login_required
def questions_edit(request: AuthenticatedRequest) -> HttpResponse:
    """Let facilitators reword the questions, in French and English."""
    questionnaire = selectors.questionnaire_default()
    if questionnaire is None:
        raise Http404("no questionnaire")
    if not request.user.has_perm("journeys.change_questionnaire", questionnaire):
        raise PermissionDenied("journeys.change_questionnaire")
    questions = list(questionnaire.questions.all())
    forms = [
        QuestionForm(
            request.POST if request.POST.get("question") == str(q.pk) else None,
            prefix=f"q{q.pk}",
            initial={"text_fr": q.text_fr, "text_en": q.text_en},
        )
        for q in questions
    ]
    add_form = QuestionAddForm(request.POST if request.POST.get("action") == "add" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "add":
        if add_form.is_valid():
            hit_person("write", request.user)
            try:
                services.question_add(
                    questionnaire=questionnaire, actor=request.user, **add_form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(add_form, error)
            else:
                messages.success(request, _("Question added."))
                return redirect("journeys:questions")
        status = 422
    elif request.method == "POST" and request.POST.get("action") == "remove":
        question = get_object_or_404(
            Question, pk=request.POST.get("question"), questionnaire=questionnaire
        )
        hit_person("write", request.user)
        try:
            services.question_remove(question=question, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Question removed."))
        return redirect("journeys:questions")
    elif request.method == "POST":
        question = get_object_or_404(
            Question, pk=request.POST.get("question"), questionnaire=questionnaire
        )
        form = next(f for f, q in zip(forms, questions, strict=True) if q.pk == question.pk)
        if form.is_valid():
            hit_person("write", request.user)
            services.question_update(question=question, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Question updated."))
            return redirect("journeys:questions")
        status = 422
    return render(
        request,
        "journeys/questions.html",
        {
            "questionnaire": questionnaire,
            "wording": questionnaire.wording(get_language() or "fr"),
            "items": list(zip(questions, forms, strict=True)),
            "language": get_language(),
            "add_form": add_form,
            "answered": selectors.questionnaire_has_answers(questionnaire),
        },
        status=status,
    )
