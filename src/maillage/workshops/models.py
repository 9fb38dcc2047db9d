"""Workshops of a living lab: registrations with a waiting list, attendance, outputs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maillage.core.profiles import AgeBand


class Workshop(models.Model):
    """A workshop mixing themes, publics, disciplines and methods, on site or by video."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    theme = models.CharField(_("theme"), max_length=200)
    method = models.CharField(_("method"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="workshops",
        verbose_name=_("territory"),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    organizers = models.ManyToManyField(
        "organizations.Organization", related_name="workshops", verbose_name=_("organizers")
    )
    # The people who run it on the day, among the organizing organizations' members: the
    # organizations say who stands behind the workshop, these people say who to ask.
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="hosted_workshops",
        verbose_name=_("people who run it"),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_url=""), name="workshop_has_place_or_link"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workshop_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", args=[self.slug])


class Registration(models.Model):
    """A place at a workshop, with or without an account; past capacity, on the waiting list.

    The profile fields are what the diversity is measured on; they are optional and never
    published one by one.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public body")
        BUSINESS = "business", _("Business")
        ACADEMIC = "academic", _("University / research")
        ASSOCIATION = "association", _("Association")
        CITIZENS = "citizens", _("Inhabitant / citizen collective")

    AgeBand = AgeBand  # the shared bands of core.profiles, also reachable from this model

    class Public(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        WORKER = "worker", _("Works here")
        STUDENT = "student", _("Student")
        OTHER = "other", _("Other")

    class Discipline(models.TextChoices):
        DESIGN = "design", _("Design")
        ENGINEERING = "engineering", _("Engineering / technology")
        SOCIAL_SCIENCES = "social_sciences", _("Humanities and social sciences")
        PLANNING = "planning", _("Urban planning / architecture")
        ECONOMICS = "economics", _("Economics / management")
        ARTS = "arts", _("Arts and culture")
        ECOLOGY = "ecology", _("Ecology / environment")
        CARE = "care", _("Health and social care")
        NONE = "none", _("None in particular")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_registrations",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    public = models.CharField(_("you come as"), max_length=10, choices=Public.choices, blank=True)
    discipline = models.CharField(
        _("discipline"), max_length=16, choices=Discipline.choices, blank=True
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("where you live or work"),
    )
    attended = models.BooleanField(_("attended"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "email"], name="one_registration_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.workshop} — {self.get_status_display()}"


class Output(models.Model):
    """What a workshop produced: a contribution, a document, a decision… (a URL and a label)."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        DOCUMENT = "document", _("Document")
        DECISION = "decision", _("Decision")
        OTHER = "other", _("Other")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=200)
    url = models.CharField(_("address"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label
