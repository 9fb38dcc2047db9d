"""Account pages: log in, register, profile, GDPR export and erasure, API tokens."""

from __future__ import annotations

import dataclasses
import json
import time

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core import ratelimit
from maillage.core.forms import add_service_errors
from maillage.core.http import AuthenticatedRequest
from maillage.organizations.selectors import person_public_memberships
from maillage.people import oidc, services
from maillage.people.forms import (
    EmailAuthenticationForm,
    ExternalLinkConfirmForm,
    InvitationAcceptForm,
    LimitedPasswordResetForm,
    ProfileForm,
    RegistrationForm,
    TokenForm,
)
from maillage.people.models import ApiToken, ExternalIdentity, Person
from maillage.people.selectors import person_api_tokens, person_territory_roles


class LoginView(auth_views.LoginView):
    """Django's login; the limits per account and per address live in the backend."""

    form_class = EmailAuthenticationForm
    template_name = "people/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict:
        return {**super().get_context_data(**kwargs), "providers": oidc.providers()}


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a provider's sign-in, its session ends too (FranceConnect
    requires it): the person passes through its end-session endpoint with the ID token."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        signed_in_with = request.session.get(OIDC_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if signed_in_with:
            provider = oidc.provider(signed_in_with["provider"])
            if provider is not None:
                # The session is new by now: the logout's state is kept in it.
                redirect_to = oidc.logout_redirect(request, provider, signed_in_with["id_token"])
                if redirect_to is not None:
                    return redirect_to
        return response


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


def _named_links(person: Person) -> list[ExternalIdentity]:
    """The person's links, each with its provider's name (its slug once it is unconfigured)."""
    names = {p.slug: p.name for p in oidc.providers()}
    links = list(person.external_identities.order_by("created_at"))
    for link in links:
        link.provider_name = names.get(link.provider, link.provider)  # type: ignore[attr-defined]
    return links


@login_required
def account(request: AuthenticatedRequest) -> HttpResponse:
    person = request.user
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.person_update_profile(person=person, actor=person, **data)
        messages.success(request, _("Your profile is saved."))
        return redirect("people:account")
    links = _named_links(person)
    context = {
        "form": form,
        "roles": person_territory_roles(person),
        "memberships": person_public_memberships(person),
        "tokens": person_api_tokens(person),
        "token_form": TokenForm(),
        "external_identities": links,
        # Only the services not linked yet are offered.
        "providers": [p for p in oidc.providers() if p.slug not in {x.provider for x in links}],
    }
    return render(request, "people/account.html", context)


@login_required
@require_POST
def token_create(request: AuthenticatedRequest) -> HttpResponse:
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
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("people:account")


@login_required
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    data = services.person_export_data(person=request.user, actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="maillage-my-data.json"'
    return response


@login_required
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
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


OIDC_SESSION_KEY = "oidc_signed_in_with"
OIDC_NEXT_KEY = "oidc_next"
OIDC_PENDING_KEY = "oidc_pending_link"
PENDING_LINK_SECONDS = 600


def _provider_or_404(slug: str) -> oidc.Provider:
    provider = oidc.provider(slug)
    if provider is None:
        raise Http404("no such sign-in provider")
    return provider


def _login_page(request: HttpRequest, error: str, status: int) -> HttpResponse:
    """The login page with the reason a provider's sign-in failed: the password form still works."""
    context = {
        "form": EmailAuthenticationForm(request),
        "next": request.session.get(OIDC_NEXT_KEY, ""),
        "providers": oidc.providers(),
        "oidc_error": error,
    }
    return render(request, "people/login.html", context, status=status)


def _sign_in(request: HttpRequest, identity: oidc.Identity) -> HttpResponse:
    link = ExternalIdentity.objects.select_related("person").get(
        provider=identity.provider, subject=identity.subject
    )
    person = authenticate(request, external_identity=link)
    if person is None:
        return _login_page(request, _("This account is closed."), 403)
    next_url = request.session.get(OIDC_NEXT_KEY, "")
    login(request, person)
    # Kept for the logout, which ends the provider's session with this token as hint.
    request.session[OIDC_SESSION_KEY] = {
        "provider": identity.provider,
        "id_token": identity.id_token,
    }
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("site:home")


@require_POST
def oidc_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave for the provider: from the login page, or from the account page to link it."""
    provider = _provider_or_404(slug)
    ratelimit.hit("login_ip", ratelimit.client_ip(request))
    request.session[OIDC_NEXT_KEY] = request.POST.get("next", "")
    try:
        return oidc.authorize_redirect(request, provider)
    except oidc.SignInError as error:
        if request.user.is_authenticated:
            messages.error(request, error.message)
            return redirect("people:account")
        return _login_page(request, error.message, error.status)


def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's answer: sign in, create the account, or ask to confirm a link."""
    provider = _provider_or_404(slug)
    ratelimit.hit("login_ip", ratelimit.client_ip(request))
    try:
        identity = oidc.complete(request, provider)
    except oidc.SignInError as error:
        return _login_page(request, error.message, error.status)
    if request.user.is_authenticated:
        # Started from the account page by the signed-in person: that is their confirmation.
        try:
            services.external_identity_link(
                person=request.user, actor=request.user, identity=identity
            )
        except ValidationError as invalid:
            messages.error(request, invalid.messages[0])
        else:
            messages.success(
                request, _("You can now sign in with %(provider)s.") % {"provider": provider.name}
            )
        return redirect("people:account")
    try:
        outcome, person = services.external_sign_in(identity=identity)
    except ValidationError as invalid:
        return _login_page(request, invalid.messages[0], 403)
    if outcome == services.ExternalSignIn.CONFIRM:
        request.session[OIDC_PENDING_KEY] = {
            **dataclasses.asdict(identity),
            "person": person.pk,
            "until": time.time() + PENDING_LINK_SECONDS,
        }
        return redirect("people:oidc_confirm")
    return _sign_in(request, identity)


def _pending_link(request: HttpRequest) -> tuple[oidc.Identity, Person] | None:
    pending = dict(request.session.get(OIDC_PENDING_KEY) or {})
    if not pending or pending.pop("until", 0) < time.time():
        return None
    person = Person.objects.filter(pk=pending.pop("person"), is_active=True).first()
    return (oidc.Identity(**pending), person) if person is not None else None


def oidc_confirm(request: HttpRequest) -> HttpResponse:
    """Link a provider's sign-in to the account holding the same address, once its owner
    proves it with the account's password."""
    pending = _pending_link(request)
    if pending is None:
        request.session.pop(OIDC_PENDING_KEY, None)
        return _login_page(request, _("This sign-in has expired: start again."), 400)
    identity, person = pending
    provider = _provider_or_404(identity.provider)
    if request.method == "POST" and request.POST.get("cancel"):
        request.session.pop(OIDC_PENDING_KEY, None)
        messages.info(request, _("Nothing was linked."))
        return redirect("people:login")
    form = ExternalLinkConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = authenticate(
            request, username=person.email, password=form.cleaned_data["password"]
        )
        if checked is None or checked.pk != person.pk:
            form.add_error("password", _("This is not the password of this account."))
        else:
            request.session.pop(OIDC_PENDING_KEY, None)
            try:
                services.external_identity_link(person=person, actor=person, identity=identity)
            except ValidationError as invalid:
                return _login_page(request, invalid.messages[0], 409)
            messages.success(
                request,
                _("Your account is linked: you can now sign in with %(provider)s.")
                % {"provider": provider.name},
            )
            return _sign_in(request, identity)
    context = {
        "form": form,
        "provider": provider,
        "email": person.email,
        "has_password": person.has_usable_password(),
    }
    return render(request, "people/oidc_confirm.html", context, status=400 if form.errors else 200)


def oidc_logged_out(request: HttpRequest, slug: str) -> HttpResponse:
    """Back from the provider's end-session endpoint."""
    provider = _provider_or_404(slug)
    if oidc.logout_complete(request, provider):
        messages.success(
            request,
            _("You are signed out of Maillage and of %(provider)s.") % {"provider": provider.name},
        )
    return redirect("site:home")


@login_required
@require_POST
def oidc_unlink(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ExternalIdentity, pk=pk, person=request.user)
    try:
        services.external_identity_unlink(link=link, actor=request.user)
    except ValidationError as invalid:
        messages.error(request, invalid.messages[0])
    else:
        messages.success(request, _("This sign-in is removed from your account."))
    return redirect("people:account")
