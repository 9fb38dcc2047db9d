"""Organizations of the territory and the memberships of persons in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.periods import is_active


class Organization(models.Model):
    class Kind(models.TextChoices):
        PUBLIC_BODY = "public_body", _("Public body")
        COMMUNE = "commune", _("Commune")
        INTERCOMMUNALITY = "intercommunality", _("Intercommunality")
        BUSINESS = "business", _("Business")
        UNIVERSITY = "university", _("University / research")
        ASSOCIATION = "association", _("Association")
        CITIZEN_COLLECTIVE = "citizen_collective", _("Citizen collective")
        LIVING_LAB = "living_lab", _("Living lab")

    # The five worlds between which the observatory measures hybridization.
    SECTOR_OF_KIND = {
        Kind.PUBLIC_BODY: "public",
        Kind.COMMUNE: "public",
        Kind.INTERCOMMUNALITY: "public",
        Kind.BUSINESS: "business",
        Kind.UNIVERSITY: "academic",
        Kind.ASSOCIATION: "association",
        Kind.CITIZEN_COLLECTIVE: "citizens",
        Kind.LIVING_LAB: "association",
    }

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    mission = models.TextField(_("mission statement (raison d'être)"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_mission_company = models.BooleanField(_("entreprise à mission"), default=False)
    website = models.URLField(_("website"), blank=True)
    territories = models.ManyToManyField(
        "territories.Territory",
        blank=True,
        related_name="organizations",
        verbose_name=_("territories where active"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A kind that speaks for an institution shows as such only once a territory admin of one
    # of its territories (or the platform admin) approved it: anyone may claim to be a commune.
    kind_approved_at = models.DateTimeField(_("kind approved at"), null=True, blank=True)
    kind_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", args=[self.slug])

    @property
    def sector(self) -> str:
        return self.SECTOR_OF_KIND[self.Kind(self.kind)]

    @property
    def speaks_for_institution(self) -> bool:
        return self.kind in INSTITUTION_KINDS

    @property
    def kind_pending(self) -> bool:
        """Return whether it claims an institutional kind not approved yet."""
        return self.speaks_for_institution and self.kind_approved_at is None


INSTITUTION_KINDS = (
    Organization.Kind.COMMUNE,
    Organization.Kind.PUBLIC_BODY,
    Organization.Kind.INTERCOMMUNALITY,
)


class Membership(models.Model):
    """A person's membership of an organization; ended memberships are kept (history)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Organization admin")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(_("title"), max_length=120, blank=True)
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"],
                condition=Q(until__isnull=True),
                name="one_active_membership",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"

    @property
    def is_active(self) -> bool:
        return is_active(self.until)
