"""Journeys across a territory: route, stages, walkers, encounters; and self-observation.

An encounter's place is a territory or a place name, never a point: inhabitants are not
located. Self-observation lives here because the Institut's journeys are where people are
helped to observe their own cooperation; collectives (organizations) answer it too.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Journey(models.Model):
    """A walk of several days across a territory, to meet the people who live there."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="journeys",
        verbose_name=_("territory"),
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    walkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="journeys", blank=True, verbose_name=_("walkers")
    )
    is_public = models.BooleanField(_("public"), default=True)
    # The simplified route as a GeoJSON LineString or MultiLineString (one line per segment).
    route = models.JSONField(_("route"), null=True, blank=True, editable=False)
    route_points_read = models.PositiveIntegerField(default=0, editable=False)
    route_points_kept = models.PositiveIntegerField(default=0, editable=False)
    route_points_dropped = models.PositiveIntegerField(default=0, editable=False)
    route_tolerance_m = models.FloatField(default=0, editable=False)
    route_length_km = models.FloatField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="journey_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("journeys:detail", args=[self.slug])


class Stage(models.Model):
    """A leg of a journey, from one place to another, over one or several days."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["journey", "position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["journey", "position"], name="stage_position_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="stage_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Encounter(models.Model):
    """Who was met, where (a territory or a place name), what came up, with consent for notes.

    ``client_uuid`` is made by the walker's phone: the unique constraint makes a replayed sync
    record each encounter once; ``payload_hash`` tells a replay from a conflicting record.
    """

    client_uuid = models.UUIDField(default=uuid.uuid4)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="encounters")
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="encounters",
        verbose_name=_("place (territory)"),
    )
    place_name = models.CharField(_("place name"), max_length=200, blank=True)
    met_on = models.DateField(_("day"))
    who = models.CharField(
        _("who was met (no name)"),
        max_length=200,
        help_text=_("A role or a few words, e.g. “a baker”, “two pupils”: never a name."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    consent_notes = models.BooleanField(_("the inhabitant agreed to notes"), default=False)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["met_on", "id"]
        verbose_name = _("encounter")
        verbose_name_plural = _("encounters")
        constraints = [
            models.UniqueConstraint(fields=["client_uuid"], name="encounter_client_uuid_unique"),
            models.CheckConstraint(
                condition=Q(territory__isnull=False) | ~Q(place_name=""),
                name="encounter_has_a_place",
            ),
            models.CheckConstraint(
                condition=Q(notes="") | Q(consent_notes=True), name="encounter_notes_consented"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.met_on} — {self.who}"

    @property
    def place_label(self) -> str:
        if self.territory is None:
            return self.place_name
        if self.place_name:
            return f"{self.place_name} ({self.territory.name})"
        return self.territory.name


# ---------------------------------------------------------------------------------------------
# Self-observation


class Dimension(models.TextChoices):
    JE = "je", _("The I (je): myself in cooperation")
    NOUS = "nous", _("The we (nous): our collective")
    DANS = "dans", _("The within (dans): our territory")


class Questionnaire(models.Model):
    """A set of questions on the je, the nous and the dans, answered on one scale.

    Its title and the meanings of the scale's ends are worded in French and in English, as its
    questions are: a page shows the wording of its own language (:meth:`wording`).
    """

    title = models.CharField(_("title in French"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    scale_low = models.PositiveSmallIntegerField(_("lowest answer"), default=1)
    scale_high = models.PositiveSmallIntegerField(_("highest answer"), default=5)
    low_label = models.CharField(_("meaning of the lowest, in French"), max_length=100, blank=True)
    high_label = models.CharField(
        _("meaning of the highest, in French"), max_length=100, blank=True
    )
    low_label_en = models.CharField(
        _("meaning of the lowest, in English"), max_length=100, blank=True
    )
    high_label_en = models.CharField(
        _("meaning of the highest, in English"), max_length=100, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_high__gt=models.F("scale_low")), name="questionnaire_scale"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def wording(self, language: str) -> dict[str, str]:
        """Return the title and the scale's meanings in ``language`` (French when no English)."""
        french = language.startswith("fr")
        return {
            "title": self.title if french else self.title_en or self.title,
            "low_label": self.low_label if french else self.low_label_en or self.low_label,
            "high_label": self.high_label if french else self.high_label_en or self.high_label,
        }


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("order"))
    dimension = models.CharField(_("dimension"), max_length=4, choices=Dimension.choices)
    text_fr = models.CharField(_("question in French"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="question_key_unique")
        ]

    def __str__(self) -> str:
        return self.text_en

    def text(self, language: str) -> str:
        return self.text_fr if language.startswith("fr") else self.text_en


class Round(models.Model):
    """One point in time at which a person or a collective answers the questionnaire."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observation_rounds",
        verbose_name=_("collective"),
        help_text=_("Empty for a round open to every person, each for themselves."),
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opens_on", "id"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: dt.date) -> bool:
        return (
            self.closed_at is None
            and self.opens_on <= day
            and (self.closes_on is None or day <= self.closes_on)
        )


class Response(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observation_responses"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["round", "respondent"], name="one_response_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.respondent_id}"


class AnswerValue(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="values")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_value_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"
