"""Conversation pages: vote one statement at a time, see the opinion map, moderate, print."""

from __future__ import annotations

import secrets
from typing import Literal, overload

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.opinions import selectors, services
from maillage.opinions.forms import ConversationCreateForm, ConversationSettingsForm
from maillage.opinions.models import Conversation, Participant, Statement
from maillage.people.models import TerritoryRole
from maillage.people.selectors import territories_where

COOKIE = "mlg_participant"
# The territory roles that run conversations (see ``opinions.permissions``).
FACILITATING = (TerritoryRole.Role.ADMIN, TerritoryRole.Role.FACILITATOR)
SKIPPED = "opinions_skipped"


@overload
def _participant(
    request: HttpRequest, conversation: Conversation, create: Literal[True]
) -> Participant: ...
@overload
def _participant(
    request: HttpRequest, conversation: Conversation, create: bool
) -> Participant | None: ...
def _participant(
    request: HttpRequest, conversation: Conversation, create: bool
) -> Participant | None:
    person = request.user if request.user.is_authenticated else None
    key = request.COOKIES.get(COOKIE, "")
    if not create:
        if person:
            return Participant.objects.filter(conversation=conversation, person=person).first()
        if key:
            return Participant.objects.filter(
                conversation=conversation, cookie_hash=services.cookie_hash(key)
            ).first()
        return None
    if person is None and not key:
        key = secrets.token_urlsafe(24)
        request._new_participant_cookie = key  # type: ignore[attr-defined]
    return services.participant_get_or_create(
        conversation=conversation, person=person, cookie_key=key
    )


def _remember_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    key = getattr(request, "_new_participant_cookie", None)
    if key:
        response.set_cookie(
            COOKIE,
            key,
            max_age=3600 * 24 * 365,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def conversation_list(request: HttpRequest) -> HttpResponse:
    can_create = territories_where(request.user, FACILITATING).exists()
    return render(
        request,
        "opinions/list.html",
        {"conversations": selectors.conversation_list(), "can_create": can_create},
    )


@login_required
def conversation_create(request: AuthenticatedRequest) -> HttpResponse:
    territories = territories_where(request.user, FACILITATING)
    if not territories.exists():
        raise PermissionDenied
    form = ConversationCreateForm(request.POST or None, territories=territories)

    def save() -> HttpResponse:
        conversation = services.conversation_create(
            actor=request.user,
            territory=form.cleaned_data["territory"],
            seed_statements=form.seeds(),
            **form.settings(),
        )
        messages.success(
            request, _("The conversation is open: share its address with the inhabitants.")
        )
        return redirect(conversation)

    return form_submit(request, form, save) or render(
        request, "opinions/conversation_form.html", {"form": form}, status=form_status(request)
    )


def _facilitated(request: HttpRequest, slug: str) -> Conversation:
    conversation = get_object_or_404(Conversation.objects.select_related("territory"), slug=slug)
    if not request.user.has_perm("opinions.moderate_conversation", conversation):
        raise PermissionDenied
    return conversation


@login_required
def conversation_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    conversation = _facilitated(request, slug)
    initial = {
        "topic": conversation.topic,
        "description": conversation.description,
        "allow_anonymous": conversation.allow_anonymous,
        "participant_statements": conversation.participant_statements,
        "moderation": "before" if conversation.statements_need_moderation else "after",
    }
    form = ConversationSettingsForm(request.POST or None, initial=initial)

    def save() -> HttpResponse:
        services.conversation_update(
            conversation=conversation, actor=request.user, **form.settings()
        )
        messages.success(request, _("The conversation is updated."))
        return redirect(conversation)

    return form_submit(request, form, save) or render(
        request,
        "opinions/conversation_form.html",
        {"form": form, "conversation": conversation},
        status=form_status(request),
    )


@require_POST
@login_required
def conversation_open_or_close(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    conversation = _facilitated(request, slug)
    hit_person("write", request.user)
    try:
        if request.POST.get("action") == "reopen":
            services.conversation_reopen(conversation=conversation, actor=request.user)
            messages.success(request, _("The conversation is open again."))
        else:
            services.conversation_close(conversation=conversation, actor=request.user)
            messages.success(request, _("The conversation is closed; its map stays readable."))
    except services.ConversationConflict as error:
        messages.error(request, str(error))
    return redirect(conversation)


def conversation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.select_related("territory"), slug=slug)
    participant = _participant(request, conversation, create=False)
    result = selectors.analysis_of(conversation)
    skipped = request.session.get(SKIPPED, {}).get(str(conversation.pk), [])
    statement = selectors.next_statement(conversation, participant, skipped, result)
    voted = selectors.participant_vote_count(participant)
    total = selectors.visible_statements(conversation).count()
    threshold = min(7, total)
    context = {
        "conversation": conversation,
        "statement": statement,
        "voted": voted,
        "total": total,
        "threshold": threshold,
        "show_map": voted >= threshold > 0,
        "map": selectors.opinion_map(conversation, result, participant),
        "can_moderate": request.user.has_perm("opinions.moderate_conversation", conversation),
        "can_take_part": conversation.is_open
        and (request.user.is_authenticated or conversation.allow_anonymous),
    }
    return render(request, "opinions/detail.html", context)


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation, slug=slug)
    statement = get_object_or_404(
        Statement, pk=request.POST.get("statement"), conversation=conversation
    )
    try:
        value = int(request.POST.get("value", ""))
    except ValueError:
        value = None  # type: ignore[assignment]
    try:
        participant = _participant(request, conversation, create=True)
        services.vote_cast(participant=participant, statement=statement, value=value)
    except services.ConversationConflict as error:
        messages.error(request, str(error))
        return _remember_cookie(request, redirect(conversation))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return _remember_cookie(request, redirect(conversation))


@require_POST
def skip(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation, slug=slug)
    skipped = request.session.get(SKIPPED, {})
    skipped.setdefault(str(conversation.pk), []).append(int(request.POST.get("statement", 0)))
    request.session[SKIPPED] = skipped
    return redirect(conversation)


@require_POST
def submit_statement(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation, slug=slug)
    try:
        participant = _participant(request, conversation, create=True)
        services.statement_submit(participant=participant, text=request.POST.get("text", ""))
        messages.success(request, _("Thank you: your statement is added."))
    except services.DuplicateStatement as error:
        messages.error(
            request,
            format_html(
                '{} <a href="{}#statement-{}">{}</a>',
                error.messages[0],
                reverse("opinions:report", args=[conversation.slug]),
                error.existing.pk,
                _("See the existing statement"),
            ),
        )
    except services.ConversationConflict as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return _remember_cookie(request, redirect(conversation))


def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation, slug=slug)
    if not request.user.is_authenticated or not request.user.has_perm(
        "opinions.moderate_conversation", conversation
    ):
        raise PermissionDenied
    if request.method == "POST":
        statement = get_object_or_404(
            Statement, pk=request.POST.get("statement"), conversation=conversation
        )
        action = request.POST.get("action")
        if action not in {"accept", "reject", "meta"}:
            raise Http404("unknown moderation action")
        services.statement_moderate(
            statement=statement,
            actor=request.user,
            moderation=-1 if action == "reject" else 1,
            is_meta=True if action == "meta" else None,
        )
        return redirect("opinions:moderation", slug=slug)
    result = selectors.analysis_of(conversation)
    return render(
        request,
        "opinions/moderation.html",
        {
            "conversation": conversation,
            "statements": conversation.statements.order_by("moderation", "-created_at"),
            "blocs": (result or {}).get("blocs", []),
        },
    )


def report(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = get_object_or_404(Conversation, slug=slug)
    result = selectors.analysis_of(conversation)
    return render(
        request,
        "opinions/report.html",
        {
            "conversation": conversation,
            "map": selectors.opinion_map(conversation, result, None),
            "statements": selectors.visible_statements(conversation),
        },
    )
