"""Account forms."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from maillage.core import ratelimit
from maillage.core.forms import form_field
from maillage.people.models import ApiToken, Person, TerritoryRole
from maillage.people.services import (
    TOKEN_LIFETIMES_DAYS,
    email_verification_send,
    person_set_password,
)


def _refuse_unverified(person: Person) -> None:
    """Refuse an account whose address is not verified, mailing it a fresh link.

    Said only to whoever typed the right password: it reveals nothing to others.
    """
    if person.email_verified_at is None:
        email_verification_send(person=person)
        raise forms.ValidationError(
            _(
                "Your email address is not verified yet. We have sent a link to it: "
                "follow it, then sign in."
            ),
            code="unverified",
        )


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def confirm_login_allowed(self, user: Person) -> None:
        super().confirm_login_allowed(user)
        _refuse_unverified(user)


class AdminEmailAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: the same backend limits, the same verified-address rule."""

    def confirm_login_allowed(self, user: Person) -> None:
        super().confirm_login_allowed(user)
        _refuse_unverified(user)


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form (same answer whether the address has an account), rate-limited."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.request is not None:
            ratelimit.hit("password_reset", ratelimit.client_ip(self.request))
        ratelimit.hit("password_reset", f"email:{email}")
        return email


class ServicePasswordForm(SetPasswordForm):
    """Set the password through the service: API tokens are revoked, the address verified."""

    def save(self, commit: bool = True) -> Person:
        return person_set_password(
            person=self.user,
            actor=self.user,
            password=self.cleaned_data["new_password1"],
            email_proven=True,
        )


class ServicePasswordChangeForm(PasswordChangeForm):
    """Change one's password through the service (every API token is revoked)."""

    def save(self, commit: bool = True) -> Person:
        return person_set_password(
            person=self.user, actor=self.user, password=self.cleaned_data["new_password1"]
        )


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pseudonym = forms.CharField(
        label=_("Public pseudonym (optional)"),
        max_length=60,
        required=False,
        help_text=_("Shown instead of your name on public pages."),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )

    def clean_email(self) -> str:
        # Whether an account already uses it is never said here (see person_register).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            candidate = Person(
                email=cleaned.get("email", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "display_name",
            "pseudonym",
            "public_profile",
            "bio",
            "residence_territories",
            "work_territories",
        ]
        widgets = {
            "residence_territories": forms.SelectMultiple(attrs={"size": 6}),
            "work_territories": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("residence_territories", "work_territories"):
            field = form_field(self, name, forms.ModelMultipleChoiceField)
            assert field.queryset is not None  # a model form's relation field has one
            field.queryset = field.queryset.exclude(kind="site")
            field.required = False


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("What it may do"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[(d, _("%(days)d days") % {"days": d}) for d in TOKEN_LIFETIMES_DAYS],
    )


class StaffInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=TerritoryRole.Role.choices)


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, Person(email=self.email))
        return password


class ExternalLinkConfirmForm(forms.Form):
    """The password of the account an OpenID Connect sign-in is about to be linked to."""

    password = forms.CharField(
        label=_("Password of your Maillage account"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
