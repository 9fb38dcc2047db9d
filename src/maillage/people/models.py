"""Persons (accounts with email login), their roles on territories and their API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DELETED_NAME = _("deleted participant")


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, *, email_verified: bool = True, **fields
    ) -> Person:
        """Create an account; trusted callers (commands, demo) vouch for the address.

        Self-service registration passes ``email_verified=False``: the address is verified
        later through the link sent to it (``people.services.person_verify_email``).
        """
        if not email:
            raise ValueError("an email address is required")
        if email_verified:
            fields.setdefault("email_verified_at", timezone.now())
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields) -> Person:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Person(AbstractBaseUser, PermissionsMixin):
    """An account. Shown publicly by pseudonym when set, else by display name."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120)
    pseudonym = models.CharField(_("public pseudonym"), max_length=60, blank=True)
    public_profile = models.BooleanField(
        _("public profile"),
        default=False,
        help_text=_("Show a public page with your name, organizations and contributions."),
    )
    bio = models.TextField(_("about me"), blank=True)
    residence_territories = models.ManyToManyField(
        "territories.Territory",
        blank=True,
        related_name="residents",
        verbose_name=_("territories where I live"),
    )
    work_territories = models.ManyToManyField(
        "territories.Territory",
        blank=True,
        related_name="workers",
        verbose_name=_("territories where I work"),
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Null until the person follows the link sent to the address: personal data matched by
    # email (contributions, registrations, invitations) is only theirs once it is verified.
    email_verified_at = models.DateTimeField(
        _("email verified at"), null=True, blank=True, editable=False
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return str(self.public_name)

    @property
    def public_name(self) -> str:
        """Return the name others may see."""
        if self.deleted_at:
            return str(DELETED_NAME)
        return self.pseudonym or self.display_name

    def get_absolute_url(self) -> str:
        return reverse("people:profile", args=[self.pk])

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def verified_email(self) -> str | None:
        """Return the address to match personal data by, or None while it is unverified."""
        return self.email if self.email_verified_at and not self.deleted_at else None


class TerritoryRole(models.Model):
    """A role a person holds on a territory (and so on everything below it)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Territory admin (participation service)")
        FACILITATOR = "facilitator", _("Facilitator / moderator")
        FIELD_AGENT = "field_agent", _("Field agent")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="territory_roles")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("territory role")
        verbose_name_plural = _("territory roles")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "territory", "role"],
                condition=Q(until__isnull=True),
                name="one_active_territory_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} — {self.territory}"


class ApiToken(models.Model):
    """A token for scripts: only its SHA-256 is stored; the key is shown once at creation.

    A token expires, and a read token only reads (GET, HEAD, OPTIONS): a leaked script key
    cannot write, and a password change revokes every token.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class StaffInvitation(models.Model):
    """An invitation to hold a role on a territory, sent to an address.

    Only the SHA-256 of the link's key is stored; the link works once, before ``expires_at``,
    and following it verifies the address.
    """

    email = models.EmailField(_("email address"))
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=TerritoryRole.Role.choices)
    invited_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.territory}"


class ExternalIdentity(models.Model):
    """A sign-in through an OpenID Connect provider linked to an account.

    The provider's subject identifies the person there (never the address, which may change);
    each (provider, subject) belongs to one account. Roles are never read from the provider.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("provider"), max_length=40)
    subject = models.CharField(max_length=255)
    # The address the provider gave when the link was made, shown to the person.
    email = models.EmailField(_("email address"), blank=True)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("external sign-in")
        verbose_name_plural = _("external sign-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="one_account_per_external_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} — {self.person}"
