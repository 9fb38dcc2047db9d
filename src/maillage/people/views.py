"""Account pages: log in, register, profile, GDPR export and erasure, API tokens."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core import ratelimit
from maillage.organizations.selectors import person_public_memberships
from maillage.people import services
from maillage.people.forms import EmailAuthenticationForm, ProfileForm, RegistrationForm, TokenForm
from maillage.people.models import Person
from maillage.people.selectors import person_territory_roles


class LoginView(auth_views.LoginView):
    """Django's login with a per-account limit (5/min by default) shared by every worker."""

    form_class = EmailAuthenticationForm
    template_name = "people/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = request.POST.get("username", "").strip().lower()
        ratelimit.hit("login", email or ratelimit.client_ip(request))
        return super().post(request, *args, **kwargs)


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        ratelimit.hit("register", ratelimit.client_ip(request))
        if form.is_valid():
            person = services.person_register(**form.cleaned_data)
            login(request, person, backend="maillage.people.backends.EmailBackend")
            messages.success(request, _("Welcome! Your account is created."))
            return redirect("people:account")
    return render(request, "people/register.html", {"form": form})


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
        "tokens": person.api_tokens.filter(revoked_at__isnull=True),
        "token_form": TokenForm(),
    }
    return render(request, "people/account.html", context)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("people:account")
    token, key = services.api_token_create(
        person=request.user, actor=request.user, name=form.cleaned_data["name"]
    )
    return render(request, "people/token_created.html", {"token": token, "key": key})


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
