"""Co-writing pages: list, editor, participants, comments, authorship, versions, publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.forms import form_status, form_submit
from maillage.core.http import AuthenticatedRequest
from maillage.core.ratelimit import hit_person
from maillage.cowriting import selectors, services
from maillage.cowriting.forms import (
    CommentForm,
    DecisionForm,
    InviteForm,
    ObjectiveForm,
    VersionForm,
    WorkForm,
    WorkSettingsForm,
)
from maillage.cowriting.models import Comment, Participant, PublishedVersion, SharedWork
from maillage.cowriting.permissions import participant_role
from maillage.cowriting.rendering import markdown_to_html
from maillage.people.models import Person


def _work_for(request: HttpRequest, pk: int) -> SharedWork:
    """Return the work if the user may read it; 404 otherwise (a private work stays unseen)."""
    try:
        work = selectors.work_get(pk)
    except SharedWork.DoesNotExist:
        raise Http404("no such work") from None
    if not request.user.has_perm("cowriting.view_work", work):
        raise Http404("no such work")
    return work


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def work_list(request: HttpRequest) -> HttpResponse:
    works = selectors.work_list_visible(request.user, archived=False)[:200]
    archived = selectors.work_list_visible(request.user, archived=True)[:200]
    return render(
        request,
        "cowriting/list.html",
        {"works": works, "archived": archived, "published": selectors.published_list()[:20]},
    )


@login_required
def work_new(request: AuthenticatedRequest) -> HttpResponse:
    form = WorkForm(request.POST or None, user=request.user)

    def save() -> HttpResponse:
        data = form.cleaned_data
        work = services.work_create(
            actor=request.user,
            title=data["title"],
            organization=data["organization"],
            vision=data["vision"],
            is_public=data["is_public"],
            publication_rule=data["publication_rule"],
            objection_days=data["objection_days"],
            objective=data["objective"],
        )
        return redirect(work)

    return form_submit(request, form, save) or render(
        request, "cowriting/new.html", {"form": form}, status=form_status(request)
    )


def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    role = participant_role(request.user, work)
    participants = selectors.participants_of(work)
    mine = next((p for p in participants if p.person_id == request.user.pk), None)
    can_comment = request.user.has_perm("cowriting.comment_work", work)
    context = {
        "work": work,
        "role": role,
        "participants": participants,
        "mine": mine,
        "can_write": role == Participant.Role.WRITER and not work.is_archived,
        "can_change": request.user.has_perm("cowriting.change_work", work),
        "can_comment": can_comment,
        "can_invite": request.user.has_perm("cowriting.invite_to_work", work),
        "comments": selectors.comments_of(work) if can_comment else [],
        "comment_form": CommentForm(),
        "invite_form": InviteForm(),
        "objective_form": ObjectiveForm(initial={"objective": mine.objective if mine else ""}),
        "text": services.work_text(work=work),
        "editor_config": {
            "websocket": f"/ws/cowriting/{work.pk}/",
            "room": f"maillage-cowriting-{work.pk}",
            "readOnly": role != Participant.Role.WRITER or work.is_archived,
            "userName": request.user.public_name if request.user.is_authenticated else "",
            "commentUrl": reverse("cowriting:comment", args=[work.pk]) if can_comment else "",
        },
    }
    return render(request, "cowriting/detail.html", context)


def _changeable(request: HttpRequest, pk: int) -> SharedWork:
    work = _work_for(request, pk)
    if not request.user.has_perm("cowriting.change_work", work):
        raise PermissionDenied("cowriting.change_work")
    return work


@login_required
def work_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Rename the work, change its vision, visibility or publication rule; archive it."""
    work = _changeable(request, pk)
    form = WorkSettingsForm(request.POST or None, instance=selectors.work_get(pk))

    def save() -> HttpResponse:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.work_update(work=work, actor=request.user, **changes)
        if "is_public" in changes:
            messages.success(
                request, _("Saved. The other participants are told of the new visibility.")
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("cowriting:settings", pk=work.pk)

    return form_submit(request, form, save) or render(
        request,
        "cowriting/settings.html",
        {"work": work, "form": form},
        status=form_status(request),
    )


@require_POST
@login_required
def work_archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Archive the work (read-only, out of the works in progress), or bring it back."""
    work = _changeable(request, pk)
    hit_person("write", request.user)
    archived = request.POST.get("archived") == "1"
    try:
        services.work_update(work=work, actor=request.user, archived=archived)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The work is archived: it stays readable, and nobody can change it.")
            if archived
            else _("The work is back among the works in progress."),
        )
    return redirect("cowriting:settings", pk=work.pk)


@require_POST
@login_required
def participant_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        hit_person("write", request.user)
        # Only a verified address is bound to its owner; the answer never says whether an
        # account uses the address (the work's writers need not learn who has one).
        person = Person.objects.filter(
            email__iexact=form.cleaned_data["email"],
            is_active=True,
            email_verified_at__isnull=False,
        ).first()
        invited = person is None
        if person is not None:
            try:
                services.participant_invite(
                    work=work, actor=request.user, person=person, role=form.cleaned_data["role"]
                )
                invited = True
            except ValidationError as error:
                messages.error(request, _error_text(error))
            except PermissionDenied:
                messages.error(
                    request,
                    _(
                        "Only the person who started this work, or its organization's "
                        "administrators, can change a participant's role."
                    ),
                )
        if invited:
            messages.success(
                request,
                _(
                    "If this address belongs to a Maillage account, its owner is invited "
                    "and notified by email."
                ),
            )
    else:
        messages.error(request, _("Give a valid email address and a role."))
    return redirect(work)


@require_POST
@login_required
def objective_set(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    participant = get_object_or_404(Participant, work=work, person=request.user)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        services.participant_set_objective(
            participant=participant, actor=request.user, objective=form.cleaned_data["objective"]
        )
        messages.success(request, _("Your objective is saved."))
    return redirect(work)


@require_POST
@login_required
def comment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Select a passage and write a comment."))
        return redirect(work)
    hit_person("write", request.user)
    try:
        services.comment_create(work=work, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your comment is added."))
    return redirect(reverse("cowriting:detail", args=[work.pk]) + "#comments")


@require_POST
@login_required
def comment_done(request: AuthenticatedRequest, pk: int, comment_pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    comment = get_object_or_404(Comment, pk=comment_pk, work=work)
    services.comment_resolve(comment=comment, actor=request.user)
    return redirect(reverse("cowriting:detail", args=[work.pk]) + "#comments")


def work_authors(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    return render(
        request,
        "cowriting/authors.html",
        {
            "work": work,
            "shares": selectors.work_authorship(work=work),
            "timeline": selectors.work_timeline(work=work),
        },
    )


def work_versions(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    form = VersionForm(request.POST or None)

    def save() -> HttpResponse:
        if not request.user.is_authenticated:
            raise PermissionDenied("cowriting.name_version")
        services.version_create(work=work, actor=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("The version is saved."))
        return redirect("cowriting:versions", pk=work.pk)

    saved = form_submit(request, form, save)
    if saved is not None:
        return saved
    versions = list(work.versions.select_related("created_by"))
    by_id = {v.pk: v for v in versions}
    old, new = _pick(request.GET.get("a"), by_id), _pick(request.GET.get("b"), by_id)
    diff = selectors.text_diff(old.text, new.text) if old and new else None
    return render(
        request,
        "cowriting/versions.html",
        {
            "work": work,
            "versions": versions,
            "form": form,
            "can_name": request.user.has_perm("cowriting.name_version", work),
            "old": old,
            "new": new,
            "diff": diff,
        },
        status=form_status(request),
    )


def _pick(value: str | None, by_id: dict[int, Any]) -> Any:
    return by_id.get(int(value)) if value and value.isdigit() else None


def work_publication(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work_for(request, pk)
    proposal = selectors.open_proposal(work)
    if proposal is not None and services.proposal_settle(proposal=proposal):
        proposal = None  # its deadline passed with no objection: it is published now
    decision_form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        hit_person("write", request.user)
        action = request.POST.get("action")
        try:
            if action == "propose":
                version = get_object_or_404(work.versions, pk=request.POST.get("version"))
                services.proposal_create(work=work, actor=request.user, version=version)
                messages.success(request, _("The version is proposed to the co-authors."))
                return redirect("cowriting:publication", pk=work.pk)
            if action == "withdraw" and proposal is not None:
                services.proposal_withdraw(proposal=proposal, actor=request.user)
                return redirect("cowriting:publication", pk=work.pk)
            if action == "decide" and proposal is not None and decision_form.is_valid():
                services.proposal_decide(
                    proposal=proposal,
                    actor=request.user,
                    decision=decision_form.cleaned_data["decision"],
                    reason=decision_form.cleaned_data["reason"],
                )
                messages.success(request, _("Your decision is recorded."))
                return redirect("cowriting:publication", pk=work.pk)
        except ValidationError as error:
            messages.error(request, _error_text(error))
    coauthors = services.coauthors(work)
    signatures = {s.person_id: s for s in proposal.signatures.all()} if proposal else {}
    return render(
        request,
        "cowriting/publication.html",
        {
            "work": work,
            "proposal": proposal,
            "rows": [(person, signatures.get(person.pk)) for person in coauthors],
            "versions": work.versions.all(),
            "can_propose": request.user.has_perm("cowriting.propose_publication", work),
            "can_decide": request.user.has_perm("cowriting.cosign", work),
            "decision_form": decision_form,
            "publications": work.publications.all(),
        },
    )


def published_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "cowriting/published_list.html", {"publications": selectors.published_list()}
    )


def published_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(PublishedVersion.objects.select_related("work"), pk=pk)
    return render(
        request,
        "cowriting/published.html",
        {"publication": publication, "html": markdown_to_html(publication.text)},
    )


def published_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(PublishedVersion, pk=pk)
    authors = ", ".join(share["name"] for share in publication.shares)
    body = (
        f"---\ntitle: {publication.title}\nauthors: {authors}\n"
        f"published: {publication.published_at.isoformat()}\n---\n\n{publication.text}\n"
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="publication-{publication.pk}.md"'
    return response


def published_html(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(PublishedVersion, pk=pk)
    response = render(
        request,
        "cowriting/published_export.html",
        {"publication": publication, "html": markdown_to_html(publication.text)},
    )
    response["Content-Disposition"] = f'attachment; filename="publication-{publication.pk}.html"'
    return response
