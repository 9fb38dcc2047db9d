"""Pooling (mutualisation): offers and needs of organizations, exchanges, stored suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from maillage.organizations.models import Organization


class Category(models.TextChoices):
    SKILLS = "skills", _("Skills and know-how")
    EQUIPMENT = "equipment", _("Equipment")
    SPACES = "spaces", _("Spaces")
    METHODS = "methods", _("Methods")


class Conditions(models.TextChoices):
    FREE = "free", _("Free")
    EXCHANGE = "exchange", _("In exchange")
    COST_PRICE = "cost_price", _("At cost price")


class Listing(models.Model):
    """What an organization offers or needs, where and when. Offers and needs share it."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("organization"),
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"))
    conditions = models.CharField(
        _("conditions"), max_length=12, choices=Conditions.choices, default=Conditions.FREE
    )
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="pooling_%(class)ss",
        verbose_name=_("territory"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Django's default manager, declared so that code choosing Offer or Need at run time
    # (``MODELS[kind].objects``) is typed.
    objects = models.Manager()
    kind: ClassVar[str]  # "offer" or "need", set by each of the two

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=models.F("available_from")),
                name="%(app_label)s_%(class)s_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(f"pooling:{self.kind}", args=[self.pk])


class Offer(Listing):
    class Meta(Listing.Meta):
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["is_active", "category"])]

    kind = "offer"


class Need(Listing):
    class Meta(Listing.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["is_active", "category"])]

    kind = "need"


class ExchangeQuerySet(models.QuerySet):
    def confirmed(self) -> ExchangeQuerySet:
        """Exchanges both organizations stand behind: the only ones that count publicly."""
        return self.filter(confirmed_at__isnull=False)

    def pending(self) -> ExchangeQuerySet:
        return self.filter(confirmed_at__isnull=True)


class Exchange(models.Model):
    """An exchange that happened: who gave what to whom, when, for how long, and feedback.

    One side records it; it counts (public lists, open data, the cooperation mesh, the partner
    bonus of the matching) only once the other side has confirmed it.
    """

    giver = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="exchanges_given",
        verbose_name=_("giving organization"),
    )
    receiver = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="exchanges_received",
        verbose_name=_("receiving organization"),
    )
    offer = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
        verbose_name=_("offer"),
    )
    need = models.ForeignKey(
        Need,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
        verbose_name=_("need"),
    )
    what = models.CharField(_("what was given"), max_length=300)
    happened_on = models.DateField(_("when"))
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    giver_feedback = models.CharField(_("feedback of the giver"), max_length=500, blank=True)
    receiver_feedback = models.CharField(_("feedback of the receiver"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_for = models.CharField(
        _("recorded by the side"),
        max_length=8,
        choices=[("giver", _("giver")), ("receiver", _("receiver"))],
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on instances by the organization's exchanges page, for its template.
    awaited: Organization
    is_ours_to_confirm: bool

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="pooling_exchange_two_organizations"
            ),
            models.CheckConstraint(
                condition=Q(duration_hours__isnull=True) | Q(duration_hours__gte=0),
                name="pooling_exchange_duration_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver}: {self.what}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirming_side(self) -> str:
        """The side whose word is awaited: the one that did not record it."""
        return "receiver" if self.recorded_for == "giver" else "giver"


class Suggestion(models.Model):
    """An offer suggested for a need by the nightly recomputation, with each term of its score."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="suggestions")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="suggested_for")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["need", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["need", "rank"], name="pooling_suggestion_rank_unique"),
            models.UniqueConstraint(
                fields=["need", "offer"], name="pooling_suggestion_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.offer_id} ({self.score:.2f})"
