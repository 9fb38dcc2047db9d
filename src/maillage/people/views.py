"""Account pages: log in, register, profile, GDPR export and erasure, API tokens."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core import ratelimit
from maillage.core.forms import add_service_errors
from maillage.organizations.selectors import person_public_memberships
from maillage.people import services
from maillage.people.forms import (
    EmailAuthenticationForm,
    InvitationAcceptForm,
    LimitedPasswordResetForm,
    ProfileForm,
    RegistrationForm,
    TokenForm,
)
from maillage.people.models import ApiToken, Person
from maillage.people.selectors import person_api_tokens, person_territory_roles


class LoginView(auth_views.LoginView):
    """Django's login; the limits per account and per address live in the backend."""

    form_class = EmailAuthenticationForm
    template_name = "people/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset: the same answer whether the address has an account; rate-limited."""

    form_class = LimitedPasswordResetForm
    template_name = "people/password_reset.html"
    email_template_name = "people/password_reset_email.txt"
    success_url = reverse_lazy("people:password_reset_done")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        ratelimit.hit("register", ratelimit.client_ip(request))
        if form.is_valid():
            services.person_register(**form.cleaned_data)
            return render(
                request, "people/register_done.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "people/register.html", {"form": form})


def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        pk = 0
    person = Person.objects.filter(pk=pk, deleted_at__isnull=True).first() if pk else None
    if person is None:
        error = _("This link has expired or is not valid: sign in to get a new one.")
        return render(request, "people/verify_email.html", {"error": error}, status=400)
    try:
        services.person_verify_email(person=person, token=token)
    except ValidationError as invalid:
        return render(
            request, "people/verify_email.html", {"error": invalid.messages[0]}, status=400
        )
    messages.success(request, _("Your email address is verified: you can sign in."))
    return redirect("people:login")


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    person = Person.objects.filter(pk=pk).first()
    if person is None or not request.user.has_perm("people.view_profile", person):
        raise Http404("no public profile")
    return render(
        request,
        "people/profile.html",
        {"person": person, "memberships": person_public_memberships(person)},
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    person = request.user
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.person_update_profile(person=person, actor=person, **data)
        messages.success(request, _("Your profile is saved."))
        return redirect("people:account")
    context = {
        "form": form,
        "roles": person_territory_roles(person),
        "memberships": person_public_memberships(person),
        "tokens": person_api_tokens(person),
        "token_form": TokenForm(),
    }
    return render(request, "people/account.html", context)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name, a scope and a lifetime."))
        return redirect("people:account")
    token, key = services.api_token_create(
        person=request.user, actor=request.user, **form.cleaned_data
    )
    return render(request, "people/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("people:account")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = services.person_export_data(person=request.user, actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="maillage-my-data.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the deletion."))
            return redirect("people:delete")
        person = request.user
        services.person_delete(person=person, actor=person)
        logout(request)
        messages.success(
            request,
            _(
                "Your account is deleted. What you contributed stays, attributed to a deleted participant."
            ),
        )
        return redirect("site:home")
    return render(request, "people/delete.html")


def invitation(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invited = services.staff_invitation_for_key(key)
    except ValidationError as error:
        return render(request, "people/invitation.html", {"error": error.messages[0]}, status=400)
    has_account = Person.objects.filter(email__iexact=invited.email).exists()
    form = InvitationAcceptForm(request.POST or None, email=invited.email)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_invitation_accept(key=key, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Welcome to the team: sign in with your new password."))
            return redirect("people:login")
    context = {"invitation": invited, "form": form, "has_account": has_account}
    return render(request, "people/invitation.html", context, status=400 if form.errors else 200)
