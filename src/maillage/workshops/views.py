"""Workshop pages: list, detail with diversity, registration, calendars, attendance, outputs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.organizations.models import Organization
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_with_descendant_ids
from maillage.workshops import ical, selectors, services
from maillage.workshops.forms import (
    DuplicateForm,
    OutputForm,
    RegistrationForm,
    WorkshopEditForm,
    WorkshopForm,
)
from maillage.workshops.models import Registration, Workshop


def _workshop(slug: str) -> Workshop:
    try:
        return selectors.workshop_get(slug)
    except Workshop.DoesNotExist:
        raise Http404("no such workshop") from None


def workshop_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workshops/index.html",
        {
            "upcoming": selectors.workshop_list(upcoming=True),
            "past": selectors.workshop_list(upcoming=False).reverse()[:20],
            "can_create": request.user.is_authenticated
            and (request.user.is_superuser or selectors.organizations_of(request.user).exists()),
        },
    )


def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The workshop, its places left, its diversity beforehand, and the registration form."""
    workshop = _workshop(slug)
    form = RegistrationForm(request.POST or None, person=request.user)

    def save() -> HttpResponse:
        registration = services.registration_create(
            workshop=workshop, actor=request.user, **form.cleaned_data
        )
        if registration.status == Registration.Status.WAITING:
            messages.info(
                request,
                _(
                    "The workshop is full: you are on the waiting list, and will be told by "
                    "email if a place frees up."
                ),
            )
        else:
            messages.success(request, _("You are registered: a confirmation is on its way."))
        return redirect(workshop.get_absolute_url())

    saved = form_submit(request, form, save)
    if saved is not None:
        return saved
    confirmed = workshop.registrations.filter(status=Registration.Status.CONFIRMED).count()
    waiting = workshop.registrations.filter(status=Registration.Status.WAITING).count()
    own = None
    if request.user.is_authenticated:
        own = workshop.registrations.filter(person=request.user).exclude(status="cancelled").first()
    can_run = request.user.has_perm("workshops.change_workshop", workshop)
    organizers = list(workshop.organizers.all())
    context = {
        "workshop": workshop,
        "organizers": organizers,
        "hosts": list(workshop.hosts.order_by("display_name")),
        "confirmed": confirmed,
        "waiting": waiting,
        "places_left": max(0, workshop.capacity - confirmed),
        "diversity": selectors.diversity_table(selectors.diversity_of(workshop)),
        "outputs": list(workshop.outputs.all()),
        "form": form,
        "own": own,
        "can_run": can_run,
        # The link is the door of the room: only for those with a place, and the organizers.
        "shows_video": can_run or (own is not None and own.status == Registration.Status.CONFIRMED),
        "has_started": workshop.starts_at <= timezone.now(),
        "duplicate_form": DuplicateForm(prefix="copy"),
        # A copy is a new workshop of the same organizations: their members make it.
        "can_duplicate": can_run
        and any(request.user.has_perm("workshops.add_workshop", org) for org in organizers),
        "output_form": OutputForm(),
    }
    return render(request, "workshops/detail.html", context, status=form_status(request))


@login_required
@require_POST
def registration_cancel(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    workshop = _workshop(slug)
    registration = get_object_or_404(Registration, pk=pk, workshop=workshop)
    services.registration_cancel(registration=registration, actor=request.user)
    messages.success(request, _("The registration is cancelled."))
    return redirect(workshop.get_absolute_url())


@login_required
def workshop_create(request: AuthenticatedRequest) -> HttpResponse:
    organizations = (
        Organization.objects.order_by("name")
        if request.user.is_superuser
        else selectors.organizations_of(request.user)
    )
    if not organizations.exists():
        raise PermissionDenied("workshops.add_workshop")
    form = WorkshopForm(request.POST or None, organizations=organizations, person=request.user)

    def save() -> HttpResponse:
        workshop = services.workshop_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The workshop is created; people can register on this page."))
        return redirect(workshop.get_absolute_url())

    return form_submit(request, form, save) or render(
        request, "workshops/workshop_form.html", {"form": form}, status=form_status(request)
    )


def _runnable(request: HttpRequest, slug: str) -> Workshop:
    workshop = _workshop(slug)
    if not request.user.has_perm("workshops.change_workshop", workshop):
        raise PermissionDenied("workshops.change_workshop")
    return workshop


@login_required
def workshop_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Its organizers change the title, time, place, link or capacity."""
    workshop = _runnable(request, slug)
    initial = {
        name: getattr(workshop, name)
        for name in WorkshopEditForm.base_fields
        if name not in ("starts_at", "hosts")
    }
    initial["hosts"] = [host.pk for host in workshop.hosts.all()]
    initial["starts_at"] = timezone.localtime(workshop.starts_at).strftime("%Y-%m-%dT%H:%M")
    initial["ends_at"] = timezone.localtime(workshop.ends_at).strftime("%Y-%m-%dT%H:%M")
    form = WorkshopEditForm(
        request.POST or None, initial=initial, organizations=workshop.organizers.all()
    )

    def save() -> HttpResponse:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.workshop_update(workshop=workshop, actor=request.user, **changes)
        messages.success(request, _("The workshop is updated."))
        return redirect(workshop.get_absolute_url())

    return form_submit(request, form, save) or render(
        request,
        "workshops/workshop_edit.html",
        {"form": form, "workshop": workshop},
        status=form_status(request),
    )


@login_required
@require_POST
def workshop_duplicate(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Copy the workshop to another date (a series); its organizers land on the copy."""
    workshop = _runnable(request, slug)
    form = DuplicateForm(request.POST, prefix="copy")
    if not form.is_valid():
        messages.error(request, _("Give the date and time of the new workshop."))
        return redirect(workshop.get_absolute_url())
    hit_person("write", request.user)
    try:
        copy = services.workshop_duplicate(
            workshop=workshop, actor=request.user, starts_at=form.cleaned_data["starts_at"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(workshop.get_absolute_url())
    messages.success(request, _("The workshop is duplicated: here is the new date."))
    return redirect(copy.get_absolute_url())


@login_required
@require_POST
def workshop_cancel(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Cancel a workshop that has not taken place; its registrants are told by email."""
    workshop = _runnable(request, slug)
    hit_person("write", request.user)
    try:
        services.workshop_update(workshop=workshop, actor=request.user, is_cancelled=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The workshop is cancelled; the people registered are told by email.")
        )
    return redirect(workshop.get_absolute_url())


@login_required
def attendance(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The organizers tick who came, on the day."""
    workshop = _workshop(slug)
    if not request.user.has_perm("workshops.take_attendance", workshop):
        raise PermissionDenied("workshops.take_attendance")
    registrations = list(
        workshop.registrations.filter(status=Registration.Status.CONFIRMED).order_by("name")
    )
    error = ""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        try:
            count = services.attendance_record(
                workshop=workshop, actor=request.user, present_ids=ids
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(count)d people marked present.") % {"count": count})
            return redirect("workshops:attendance", slug=workshop.slug)
    return render(
        request,
        "workshops/attendance.html",
        {"workshop": workshop, "registrations": registrations, "error": error},
        status=422 if error else 200,
    )


@login_required
@require_POST
def output_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    workshop = _workshop(slug)
    form = OutputForm(request.POST)
    if form.is_valid():
        try:
            services.output_add(workshop=workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Output linked."))
    return redirect(workshop.get_absolute_url() + "#outputs")


def _ics(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


def workshop_ics(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = _workshop(slug)
    return _ics(ical.calendar([workshop], name=workshop.title), workshop.slug)


def territory_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """Every workshop of a territory and the places inside it, as one calendar feed."""
    territory = get_object_or_404(Territory, slug=slug)
    workshops = selectors.workshop_list(territory_ids=territory_with_descendant_ids(territory))
    return _ics(ical.calendar(workshops, name=territory.name), f"ateliers-{territory.slug}")
