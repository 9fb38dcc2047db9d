"""Decision pages: thin views that read with selectors and write with one service each.

A ProcessConflict answers 409 with the state it met; a ValidationError re-renders the form
with the message and status 422; private circles answer 404 to outsiders.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors, form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.periods import active_q
from maillage.core.ratelimit import hit_person
from maillage.decisions import charts, forms, selectors
from maillage.decisions.models import (
    Answer,
    AnswerChange,
    CircleMember,
    Decision,
    Delegation,
    FacilitationTurn,
    Poll,
    Round,
    RoundNote,
)
from maillage.decisions.permissions import can, person_is_member
from maillage.decisions.services import circles, elections, polls, proposals, rotation, rounds
from maillage.decisions.services.common import ProcessConflict, next_round_kind, step_label
from maillage.people.models import Person
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_with_descendant_ids


def _conflict(request: HttpRequest, error: ProcessConflict) -> HttpResponse:
    details = error.details
    state = details.get("state")
    return render(
        request,
        "decisions/conflict.html",
        {
            "message": error.message,
            "stage": Decision.State(state).label if state in Decision.State.values else "",
            "round": details.get("round"),
            "round_open": details.get("round_state") == Round.State.OPEN,
            "next_steps": [step_label(target) for target in details.get("allowed", ())],
        },
        status=409,
    )


def _error_messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a POST action: rate-limit writes, map conflicts to 409 and refusals to 422."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        hit_person("write", request.user)
        try:
            return view(request, *args, **kwargs)
        except ProcessConflict as error:
            return _conflict(request, error)
        except ValidationError as error:
            return render(
                request,
                "decisions/refused.html",
                {"errors": _error_messages(error), "back": request.META.get("HTTP_REFERER", "")},
                status=422,
            )

    return login_required(require_POST(wrapper))


# ---------------------------------------------------------------- circles


def circle_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.circle_list(request.user), 30).get_page(request.GET.get("page"))
    mine = selectors.person_circles(request.user) if request.user.is_authenticated else []
    territories, organizations = selectors.places_stewarded_by(request.user)
    return render(
        request,
        "decisions/circle_list.html",
        {"page": page, "mine": mine, "can_create": bool(territories or organizations)},
    )


@login_required
def circle_create(request: AuthenticatedRequest) -> HttpResponse:
    territories, organizations = selectors.places_stewarded_by(request.user)
    if not territories and not organizations:
        raise PermissionDenied
    form = forms.CircleForm(
        request.POST or None,
        territories=territories,
        organizations=organizations,
        initial={"kind": request.GET.get("type", "steering_committee")},
    )

    def save() -> HttpResponse:
        circle = circles.circle_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            purpose=form.cleaned_data["purpose"],
            is_public=form.cleaned_data["is_public"],
            **form.owner_kwargs(),
        )
        messages.success(
            request,
            _("The circle is created. Now add its members.")
            if not circle.is_committee
            else _("The steering committee is created. Now add its delegations."),
        )
        return redirect(circle)

    return form_submit(request, form, save) or render(
        request, "decisions/circle_form.html", {"form": form}, status=form_status(request)
    )


def _managed_circle(request: HttpRequest, slug: str) -> Any:
    circle = selectors.circle_get_visible(slug, request.user)
    if not request.user.has_perm("decisions.manage_circle", circle):
        raise PermissionDenied
    return circle


@login_required
def circle_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = _managed_circle(request, slug)
    form = forms.CircleEditForm(
        request.POST or None,
        initial={"name": circle.name, "purpose": circle.purpose, "is_public": circle.is_public},
    )

    def save() -> HttpResponse:
        circles.circle_update(circle=circle, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The circle is updated."))
        return redirect(circle)

    return form_submit(request, form, save) or render(
        request,
        "decisions/circle_form.html",
        {"form": form, "circle": circle},
        status=form_status(request),
    )


@action
def circle_archive(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = _managed_circle(request, slug)
    circles.circle_archive(circle=circle, actor=request.user)
    messages.success(request, _("The circle is archived; its decisions stay readable."))
    return redirect(circle)


@login_required
def delegation_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = _managed_circle(request, slug)
    form = forms.DelegationForm(request.POST or None)

    def save() -> HttpResponse:
        circles.delegation_add(
            circle=circle,
            actor=request.user,
            organization=form.cleaned_data["organization"],
            rule=form.cleaned_data["rule"],
            head=form.cleaned_data["head_person"],
            delegates=form.cleaned_data["delegates"],
        )
        messages.success(
            request,
            _("The delegation of %(name)s sits on the committee.")
            % {"name": form.cleaned_data["organization"].name},
        )
        return redirect(circle)

    return form_submit(request, form, save) or render(
        request,
        "decisions/delegation_form.html",
        {"form": form, "circle": circle},
        status=form_status(request),
    )


def _managed_delegation(request: HttpRequest, pk: int) -> Any:
    delegation = get_object_or_404(
        Delegation.objects.select_related("circle", "organization", "head"), pk=pk
    )
    _managed_circle(request, delegation.circle.slug)
    return delegation


@login_required
def delegation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    delegation = _managed_delegation(request, pk)
    delegates = list(
        delegation.delegates.filter(active_q()).select_related("person").order_by("id")
    )
    form = forms.DelegationEditForm(
        request.POST or None,
        delegates=delegates,
        initial={"rule": delegation.rule, "head": delegation.head_id},
    )

    def save() -> HttpResponse:
        circles.delegation_update(
            delegation=delegation,
            actor=request.user,
            rule=form.cleaned_data["rule"],
            head=form.head_person(),
        )
        messages.success(request, _("The delegation is updated."))
        return redirect(delegation.circle)

    return form_submit(request, form, save) or render(
        request,
        "decisions/delegation_edit.html",
        {"form": form, "delegation": delegation, "circle": delegation.circle},
        status=form_status(request),
    )


@action
def delegation_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    delegation = _managed_delegation(request, pk)
    circles.delegation_end(delegation=delegation, actor=request.user)
    messages.success(
        request,
        _("%(name)s leaves the committee with its delegates at the end of the day.")
        % {"name": delegation.organization.name},
    )
    return redirect(delegation.circle)


@login_required
def member_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = _managed_circle(request, slug)
    form = forms.MemberAddForm(request.POST or None, circle=circle)

    def save() -> HttpResponse:
        membership = circles.circle_member_add(
            circle=circle,
            actor=request.user,
            person=form.cleaned_data["email"],
            delegation=form.cleaned_data.get("delegation"),
        )
        messages.success(
            request,
            _("%(name)s is a member of the circle.") % {"name": membership.person.public_name},
        )
        return redirect(circle)

    return form_submit(request, form, save) or render(
        request,
        "decisions/member_form.html",
        {"form": form, "circle": circle},
        status=form_status(request),
    )


@action
def member_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(CircleMember.objects.select_related("circle", "person"), pk=pk)
    circle = selectors.circle_get_visible(membership.circle.slug, request.user)
    circles.circle_member_end(membership=membership, actor=request.user)
    if membership.person_id == request.user.pk:
        messages.success(request, _("You have left the circle."))
    else:
        messages.success(
            request,
            _("%(name)s is no longer a member.") % {"name": membership.person.public_name},
        )
    return redirect(circle)


def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    is_member = person_is_member(request.user, circle)
    decisions = circle.decisions.select_related("facilitator").order_by("-created_at")
    context = {
        "circle": circle,
        "is_member": is_member,
        "members": selectors.circle_active_members(circle),
        "delegations": selectors.circle_delegations(circle) if circle.is_committee else [],
        "decisions": decisions,
        "polls": circle.polls.order_by("-created_at"),
        "elections": circle.elections.select_related("proposed").order_by("-created_at"),
        "can_manage": request.user.has_perm("decisions.manage_circle", circle),
        "poll_form": forms.PollForm() if is_member else None,
        "election_form": forms.ElectionForm() if is_member else None,
    }
    return render(request, "decisions/circle_detail.html", context)


def circle_rotation(request: HttpRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    is_member = person_is_member(request.user, circle)
    proposal = selectors.rotation_proposal(circle)
    people = {str(m.person_id): m.person for m in selectors.circle_active_members(circle)}
    page = Paginator(selectors.rotation_history(circle), 50).get_page(request.GET.get("page"))
    context = {
        "circle": circle,
        "is_member": is_member,
        "page": page,
        "counts": selectors.rotation_counts(circle),
        "next_facilitator": [people[pk] for pk in proposal.facilitator.queue[:3]],
        "next_secretary": [people[pk] for pk in proposal.secretary.queue[:3]],
        "unavailable": [people[pk] for pk in proposal.facilitator.unavailable if pk in people],
        "meeting_form": forms.MeetingForm() if is_member else None,
        "unavailability_form": forms.UnavailabilityForm() if is_member else None,
        "my_turns": (
            circle.turns.filter(
                person=request.user.pk,
                kind="served",
                decision__isnull=True,
                held_on__gte=timezone.localdate(),
            ).order_by("held_on")[:3]
            if is_member
            else []
        ),
    }
    return render(request, "decisions/rotation.html", context)


@action
def meeting_roles(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    form = forms.MeetingForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Give the meeting's name and date."))
    facilitator, secretary = rotation.meeting_roles_assign(
        circle=circle, actor=request.user, **form.cleaned_data
    )
    messages.success(
        request,
        _("%(facilitator)s facilitates and %(secretary)s takes the minutes.")
        % {
            "facilitator": facilitator.person.public_name,
            "secretary": secretary.person.public_name,
        },
    )
    return redirect("decisions:rotation", circle.slug)


@action
def unavailability(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    form = forms.UnavailabilityForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Give both dates."))
    rotation.unavailability_declare(circle=circle, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Your unavailability is recorded; the rotation will skip you."))
    return redirect("decisions:rotation", circle.slug)


@action
def turn_pass(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    turn = get_object_or_404(FacilitationTurn.objects.select_related("circle", "decision"), pk=pk)
    successor = rotation.facilitation_pass(turn=turn, actor=request.user)
    messages.success(
        request,
        _("Your pass is recorded; %(name)s is asked.") % {"name": successor.person.public_name},
    )
    if turn.decision is not None:
        return redirect(turn.decision)
    return redirect("decisions:rotation", turn.circle.slug)


@action
def turn_take_over(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    turn = get_object_or_404(FacilitationTurn.objects.select_related("circle", "decision"), pk=pk)
    selectors.circle_get_visible(turn.circle.slug, request.user)
    successor = rotation.facilitation_take_over(turn=turn, actor=request.user)
    messages.success(
        request,
        _("You take the turn as %(role)s in place of the person absent.")
        % {"role": successor.get_role_display().lower()},
    )
    if turn.decision is not None:
        return redirect(turn.decision)
    return redirect("decisions:rotation", turn.circle.slug)


# ---------------------------------------------------------------- decisions


@login_required
def decision_propose(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    if not can(request.user, "decisions.propose", circle):
        raise PermissionDenied
    form = forms.ProposeForm(request.POST or None, circle=circle)
    status = 200
    if request.method == "POST" and form.is_valid():
        hit_person("write", request.user)
        try:
            decision = proposals.decision_propose(
                circle=circle,
                actor=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                scope=form.cleaned_data.get("scope") or [],
                review_date=form.cleaned_data["review_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 422
        else:
            messages.success(request, _("Your proposal is before the circle."))
            return redirect(decision)
    return render(
        request, "decisions/propose.html", {"circle": circle, "form": form}, status=status
    )


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_visible(pk, request.user)
    circle = decision.circle
    user = request.user
    is_member = person_is_member(user, circle)
    decision_rounds = selectors.decision_rounds(decision)
    versions = selectors.decision_versions(decision)
    open_round = next((r for r in decision_rounds if r.is_open), None)
    consent_round = next(
        (r for r in reversed(decision_rounds) if r.kind == Round.Kind.CONSENT), None
    )
    outcome = selectors.consent_outcome(consent_round) if consent_round else None
    delegation_of = selectors.delegation_of_members(circle) if circle.is_committee else {}
    for round_ in decision_rounds:
        items: list[Answer | RoundNote | AnswerChange] = [
            *round_.answers.all(),
            *round_.notes.all(),
            *round_.answer_changes.all(),
        ]
        for item in items:
            item.shown_name = selectors.visible_name(item.member, viewer_is_member=is_member)
            item.delegation_name = delegation_of.get(item.member_id, "")
    objections = [
        a for r in decision_rounds for a in r.answers.all() if a.kind == Answer.Kind.OBJECTION
    ]
    is_facilitator = can(user, "decisions.facilitate", decision)
    next_kind = next_round_kind(decision)
    latest_consent = consent_round if consent_round and not consent_round.is_open else None
    if (
        decision.state == Decision.State.AMEND
        and latest_consent is not None
        and latest_consent.version_id == versions[-1].pk
    ):
        next_kind = None  # the objections are integrated in a new version first
    members = selectors.circle_voices(circle) if is_facilitator else None
    is_voice = selectors.has_voice(user, circle)
    my_answer = None
    if open_round and is_member and open_round.kind == Round.Kind.CONSENT:
        my_answer = next((a for a in open_round.answers.all() if a.member_id == user.pk), None)
    my_turns = decision.turns.filter(person=user, kind="served") if user.is_authenticated else []
    # A member present may take the turn of the facilitator or secretary who is absent.
    others_turns = (
        [
            t
            for t in decision.turns.filter(kind="served")
            .exclude(person=user.pk)
            .select_related("person")
            if getattr(decision, f"{t.role}_id") == t.person_id
        ]
        if is_member and selectors.can_act(user)
        else []
    )
    context = {
        "decision": decision,
        "circle": circle,
        "is_member": is_member,
        "is_facilitator": is_facilitator,
        "can_amend": can(user, "decisions.amend", decision),
        "reply_form": forms.ReplyForm() if can(user, "decisions.amend", decision) else None,
        "can_assign": can(user, "decisions.assign_roles", circle),
        "states": _process_steps(decision),
        "versions": versions,
        "current_version": versions[-1],
        "rounds": decision_rounds,
        "open_round": open_round,
        "outcome": outcome,
        "objections": objections,
        "facilitator_name": selectors.visible_name(
            decision.facilitator, viewer_is_member=is_member
        ),
        "secretary_name": selectors.visible_name(decision.secretary, viewer_is_member=is_member),
        "open_form": (
            forms.RoundOpenForm(kind=next_kind)
            if is_facilitator and next_kind and not open_round
            else None
        ),
        "open_label": step_label(next_kind) if next_kind else "",
        "answer_form": (
            forms.AnswerForm(
                initial={
                    "kind": my_answer.kind,
                    "reason": my_answer.reason,
                    "acceptable_if": my_answer.acceptable_if,
                }
                if my_answer
                else None,
                members=members if open_round and open_round.mode == "live" else None,
            )
            if open_round
            and open_round.kind == Round.Kind.CONSENT
            and (
                (is_voice and open_round.mode == "async")
                or (is_facilitator and open_round.mode == "live")
            )
            else None
        ),
        "without_voice": bool(
            open_round
            and open_round.kind == Round.Kind.CONSENT
            and open_round.mode == "async"
            and is_member
            and not is_voice
        ),
        "note_form": (
            forms.NoteForm(members=members if open_round.mode == "live" else None)
            if open_round
            and open_round.kind != Round.Kind.CONSENT
            and ((is_member and open_round.mode == "async") or is_facilitator)
            else None
        ),
        "my_answer": my_answer,
        "my_turns": my_turns,
        "others_turns": others_turns,
        "final": decision.state in ("adopted", "withdrawn"),
    }
    return render(request, "decisions/decision_detail.html", context)


def _process_steps(decision: Any) -> list[dict[str, Any]]:
    """Return the process's steps for the progress list, the current one marked."""
    order = ["draft", "clarifying", "reactions", "consent", "adopted"]
    current = "consent" if decision.state == "amend" else decision.state
    labels = dict(decision.State.choices)
    reached = order.index(current) if current in order else -1
    return [
        {"label": labels[state], "current": state == current, "done": index < reached}
        for index, state in enumerate(order)
    ]


@login_required
def decision_amend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_visible(pk, request.user)
    if not can(request.user, "decisions.amend", decision):
        raise PermissionDenied
    objections = list(
        Answer.objects.filter(
            round__decision=decision,
            kind=Answer.Kind.OBJECTION,
            round__state=Round.State.CLOSED,
            integrated_in__isnull=True,
        )
    )
    latest = selectors.latest_version(decision)
    form = forms.AmendForm(
        request.POST or None, objections=objections, initial={"text": latest.text}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        hit_person("write", request.user)
        try:
            proposals.decision_amend(
                decision=decision,
                actor=request.user,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
                integrations=form.integrations(),
            )
        except ProcessConflict as error:
            return _conflict(request, error)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 422
        else:
            messages.success(request, _("The new version is recorded."))
            return redirect(decision)
    return render(
        request,
        "decisions/amend.html",
        {"decision": decision, "form": form, "latest": latest, "next_number": latest.number + 1},
        status=status,
    )


@action
def decision_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_visible(pk, request.user)
    proposals.decision_withdraw(decision=decision, actor=request.user)
    messages.success(request, _("The proposal is withdrawn."))
    return redirect(decision)


@action
def decision_assign_roles(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_visible(pk, request.user)
    rotation.decision_assign_roles(decision=decision, actor=request.user)
    messages.success(request, _("The rotation chose the facilitator and the secretary."))
    return redirect(decision)


@action
def round_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_visible(pk, request.user)
    form = forms.RoundOpenForm(request.POST, kind=next_round_kind(decision))
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    round_ = rounds.round_open(decision=decision, actor=request.user, **form.cleaned_data)
    messages.success(request, _("The round is open."))
    return redirect(round_.get_absolute_url())


@action
def round_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get_visible(pk, request.user)
    rounds.round_close(round=round_, actor=request.user)
    messages.success(request, _("The round is closed."))
    return redirect(round_.decision)


def _speaker(request: HttpRequest, form: Any) -> Person | None:
    member_id = form.cleaned_data.get("member")
    return Person.objects.filter(pk=member_id).first() if member_id else None


@login_required
def round_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get_visible(pk, request.user)
    if not person_is_member(request.user, round_.decision.circle):
        raise PermissionDenied
    live = round_.mode == Round.Mode.LIVE and can(request.user, "decisions.facilitate", round_)
    members = selectors.circle_voices(round_.decision.circle) if live else None
    form = forms.AnswerForm(request.POST or None, members=members)
    status = 200
    if request.method == "POST" and form.is_valid():
        hit_person("write", request.user)
        try:
            rounds.answer_submit(
                round=round_,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                acceptable_if=form.cleaned_data["acceptable_if"],
                member=_speaker(request, form),
            )
        except ProcessConflict as error:
            return _conflict(request, error)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 422
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect(round_.get_absolute_url())
    elif request.method == "POST":
        status = 422
    return render(request, "decisions/answer.html", {"round": round_, "form": form}, status=status)


@action
def round_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get_visible(pk, request.user)
    live = round_.mode == Round.Mode.LIVE
    form = forms.NoteForm(
        request.POST,
        members=selectors.circle_active_members(round_.decision.circle) if live else None,
    )
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    rounds.note_add(
        round=round_,
        actor=request.user,
        text=form.cleaned_data["text"],
        member=_speaker(request, form),
    )
    messages.success(request, _("Recorded."))
    return redirect(round_.get_absolute_url())


@action
def note_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(RoundNote.objects.select_related("round__decision__circle"), pk=pk)
    selectors.round_get_visible(note.round_id, request.user)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Write the reply."))
    rounds.note_reply(note=note, actor=request.user, reply=form.cleaned_data["reply"])
    messages.success(request, _("Your reply is recorded."))
    return redirect(note.round.get_absolute_url())


# ---------------------------------------------------------------- polls


@action
def poll_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    form = forms.PollForm(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    poll = polls.poll_open(
        circle=circle,
        actor=request.user,
        title=form.cleaned_data["title"],
        question=form.cleaned_data["question"],
        method=form.cleaned_data["method"],
        options=form.option_labels(),
    )
    return redirect(poll)


def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = selectors.poll_get_visible(pk, request.user)
    is_member = person_is_member(request.user, poll.circle)
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('people:login')}?next={request.path}")
        hit_person("write", request.user)
        grades = _posted_grades(request, poll)
        try:
            polls.poll_submit(poll=poll, actor=request.user, grades=grades)
        except ProcessConflict as error:
            return _conflict(request, error)
        except ValidationError as error:
            errors = _error_messages(error)
            status = 422
        else:
            messages.success(request, _("Your ballot is recorded."))
            return redirect(poll)
    results = selectors.poll_results(poll)
    options = list(poll.options.all())
    mine = selectors.voter_grades(poll, request.user)
    for option in options:
        option.my_grade = mine.get(option.pk)
    chart, profile_rows = charts.merit_profiles(results) if results.majority else (None, [])
    context = {
        "poll": poll,
        "is_member": is_member,
        "options": options,
        "results": results,
        "chart": chart,
        "profile_rows": profile_rows,
        "approval_rows": charts.approval_rows(results) if results.approval else None,
        "grade_choices": list(enumerate(results.grades)),
        "mine": mine,
        "errors": errors,
        "can_close": can(request.user, "decisions.close_poll", poll),
    }
    return render(request, "decisions/poll_detail.html", context, status=status)


def _posted_grades(request: HttpRequest, poll: Poll) -> dict[int, int]:
    grades: dict[int, int] = {}
    for option in poll.options.all():
        raw = request.POST.get(f"option-{option.pk}")
        if poll.method == Poll.Method.APPROVAL:
            grades[option.pk] = 1 if raw == "1" else 0
        elif raw is not None and raw.isdigit():
            grades[option.pk] = int(raw)
    return grades


@action
def poll_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    poll = selectors.poll_get_visible(pk, request.user)
    polls.poll_close(poll=poll, actor=request.user)
    return redirect(poll)


# ---------------------------------------------------------------- elections


@action
def election_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_get_visible(slug, request.user)
    form = forms.ElectionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Name the role to fill."))
    election = elections.election_open(circle=circle, actor=request.user, **form.cleaned_data)
    return redirect(election)


def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get_visible(pk, request.user)
    is_member = person_is_member(request.user, election.circle)
    members = selectors.circle_active_members(election.circle)
    context = {
        "election": election,
        "is_member": is_member,
        "nominations": selectors.election_nominations(election),
        "answers": list(election.answers.select_related("member")),
        "nomination_form": forms.NominationForm(members=members) if is_member else None,
        "answer_form": forms.AnswerForm() if is_member else None,
        "can_run": can(request.user, "decisions.run_election", election),
    }
    return render(request, "decisions/election_detail.html", context)


@action
def election_act(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    election = selectors.election_get_visible(pk, request.user)
    step = request.POST.get("step")
    if step == "advance":
        elections.election_advance(election=election, actor=request.user)
    elif step == "nominate":
        form = forms.NominationForm(
            request.POST, members=selectors.circle_active_members(election.circle)
        )
        if not form.is_valid():
            raise ValidationError(_("Choose a member and give your reason."))
        nominee = Person.objects.get(pk=form.cleaned_data["nominee"])
        elections.nomination_submit(
            election=election,
            actor=request.user,
            nominee=nominee,
            reason=form.cleaned_data["reason"],
        )
    elif step == "answer":
        elections.election_answer(
            election=election,
            actor=request.user,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            acceptable_if=request.POST.get("acceptable_if", ""),
        )
    else:
        raise ValidationError(_("Unknown step."))
    return redirect(election)


# ---------------------------------------------------------------- register and feed


def _territory(slug: str) -> Territory:
    territory = Territory.objects.filter(slug=slug).first()
    if territory is None:
        raise Http404("no such territory")
    return territory


def register(request: HttpRequest, slug: str) -> HttpResponse:
    territory = _territory(slug)
    decisions = selectors.register_decisions(territory_with_descendant_ids(territory))
    page = Paginator(decisions, 25).get_page(request.GET.get("page"))
    return render(request, "decisions/register.html", {"territory": territory, "page": page})


# Characters XML 1.0 cannot hold at all: one in a decision's text made the feed a 500.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _feed_text(value: str) -> str:
    return XML_FORBIDDEN.sub("", value)


class AdoptedDecisionsFeed(Feed):
    """Atom feed of the decisions adopted by the public circles of a territory.

    Titles are plain text in Atom; a summary is HTML to feed readers, hence escaped here.
    """

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Territory:
        return _territory(slug)

    def title(self, territory: Territory) -> str:
        return _("Decisions adopted — %(territory)s") % {"territory": _feed_text(territory.name)}

    def link(self, territory: Territory) -> str:
        return reverse("decisions:register", args=[territory.slug])

    def subtitle(self, territory: Territory) -> str:
        return _("Decisions adopted by consent in the public circles of %(territory)s.") % {
            "territory": _feed_text(territory.name)
        }

    def items(self, territory: Territory) -> Any:
        return selectors.register_decisions(
            territory_with_descendant_ids(territory)
        ).prefetch_related("versions")[:50]

    def item_title(self, decision: Any) -> str:
        return _feed_text(decision.title)

    def item_description(self, decision: Any) -> str:
        version = max(decision.versions.all(), key=lambda v: v.number)
        return escape(_feed_text(f"{decision.circle.name} — {version.text}"))

    def item_pubdate(self, decision: Any) -> Any:
        return decision.adopted_at

    def item_updateddate(self, decision: Any) -> Any:
        return decision.adopted_at

    def item_link(self, decision: Any) -> str:
        return decision.get_absolute_url()


feed = AdoptedDecisionsFeed()
