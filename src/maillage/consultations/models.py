"""Field consultations: campaigns on public spaces, contributions, and the follow-up of each."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maillage.consultations.questions import validate_questions
from maillage.core.profiles import AgeBand

if TYPE_CHECKING:
    from maillage.territories.models import Territory

TEXT_MAX_LENGTH = 5000


def _validate_questions_field(value: object) -> None:
    validate_questions(value)


class Campaign(models.Model):
    """A consultation on some sites of a territory, run by a facilitator with a team of agents."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ANALYSED = "analysed", _("Analysed")
        ANSWERED = "answered", _("Answered")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("territory"),
    )
    sites = models.ManyToManyField(
        "territories.Territory",
        related_name="site_campaigns",
        limit_choices_to={"kind": "site"},
        verbose_name=_("sites"),
    )
    description = models.TextField(_("description"), blank=True)
    open_question = models.CharField(_("open question"), max_length=300)
    closed_questions = models.JSONField(
        _("closed questions"), default=list, blank=True, validators=[_validate_questions_field]
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="field_campaigns",
        verbose_name=_("team of field agents"),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_campaigns",
        verbose_name=_("facilitator"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on instances by selectors and the API, from the cached counts.
    published_count: int
    sites_with_counts: list[Territory]

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def accepts_contributions(self) -> bool:
        return self.status == self.Status.OPEN


class Contribution(models.Model):
    """An inhabitant's words on a site: captured by an agent, online or on paper.

    ``client_uuid`` is made by the capturing device; the unique constraint on it is what makes
    a replayed sync batch record each contribution exactly once. ``payload_hash`` tells a replay
    (same hash) from a different record reusing the same UUID (a conflict).
    """

    AgeBand = AgeBand  # the shared bands of core.profiles, also reachable from this model

    class Relation(models.TextChoices):
        LIVES = "lives", _("Lives here")
        WORKS = "works", _("Works here")
        PASSES_BY = "passes_by", _("Passes by")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        FIELD = "field", _("Field capture")
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")
        PRIVATE = "private", _("Not for publication (no consent)")

    class HiddenReason(models.TextChoices):
        INSULT = "insult", _("Insult")
        PERSONAL_DATA = "personal_data", _("Personal data")
        OFF_TOPIC = "off_topic", _("Off topic")

    client_uuid = models.UUIDField(_("UUID made by the capturing device"), default=uuid.uuid4)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("campaign")
    )
    site = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("site"),
    )
    text = models.TextField(_("words of the inhabitant"), max_length=TEXT_MAX_LENGTH)
    answers = models.JSONField(_("answers to the closed questions"), default=dict, blank=True)
    photo = models.ImageField(_("photo"), upload_to="consultations/%Y/%m/", blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    relation = models.CharField(
        _("relation to the place"), max_length=10, choices=Relation.choices, blank=True
    )
    consent_publication = models.BooleanField(_("consents to publication"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_contributions",
        verbose_name=_("field agent"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_contributions",
        verbose_name=_("author (account)"),
    )
    contact_email = models.EmailField(_("email for follow-up (never published)"), blank=True)
    status = models.CharField(
        _("moderation status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=20, choices=HiddenReason.choices, blank=True
    )
    payload_hash = models.CharField(max_length=64, editable=False)
    captured_at = models.DateTimeField(_("captured at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-captured_at", "-id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(fields=["client_uuid"], name="contribution_client_uuid_unique"),
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""),
                name="contribution_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(consent_publication=True),
                name="contribution_published_has_consent",
            ),
        ]
        indexes = [
            # The public list's filter and order, id included: a page is one index range scan.
            models.Index(
                fields=["campaign", "status", "-captured_at", "-id"], name="contribution_list_idx"
            ),
            # The public filters (site, then profile): the per-site counts and the capped count
            # of a filtered list read this index alone, not a million rows of the table.
            models.Index(
                fields=["campaign", "status", "site", "age_band", "relation"],
                name="contribution_filter_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"

    @property
    def profile_label(self) -> str:
        parts = [self.get_age_band_display(), self.get_relation_display()]
        return " · ".join(str(p) for p in parts if p)


class Response(models.Model):
    """What became of one idea or of a group of them: a status, an explanation, a link."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_STUDY = "under_study", _("Under study")
        RETAINED = "retained", _("Retained")
        DONE = "done", _("Done")
        NOT_RETAINED = "not_retained", _("Not retained")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    text = models.TextField(_("response"), blank=True)
    reason = models.TextField(_("reason (required when not retained)"), blank=True)
    link_url = models.URLField(_("link to a decision, document or action"), blank=True)
    contributions = models.ManyToManyField(
        Contribution, blank=True, related_name="responses", verbose_name=_("contributions")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not columns: set on instances by selectors and the API, for pages and schemas.
    published: list[Contribution]
    contribution_ids: list[int]

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_retained") | ~Q(reason=""),
                name="response_not_retained_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == self.Status.NOT_RETAINED and not self.reason.strip():
            raise ValidationError({"reason": _("Say why the idea is not retained.")})
