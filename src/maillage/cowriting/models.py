"""Shared works written together: participants, the Yjs update log, versions, co-signature.

The server's record of who sent which update (``Update.author``, the connection's user) is the
trusted attribution; anything a client writes into the document itself could be spoofed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """A published version was asked to change."""


class SharedWork(models.Model):
    """A common work: its vision is shared, each participant's objective need not be."""

    class PublicationRule(models.TextChoices):
        UNANIMOUS = "unanimous", _("Published when every co-author has consented")
        DEADLINE = "deadline", _("Published when the deadline passes with no objection")

    title = models.CharField(_("title"), max_length=200)
    vision = models.TextField(
        _("common vision"),
        blank=True,
        help_text=_("What the co-authors write together, and why."),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shared_works",
        verbose_name=_("organization"),
    )
    # Or attached to a campaign, a circle or a journey of another app.
    attached_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    attached_id = models.PositiveBigIntegerField(null=True, blank=True)
    attached_to = GenericForeignKey("attached_type", "attached_id")
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Anyone may read a public work; only participants may read a private one."),
    )
    publication_rule = models.CharField(
        _("publication rule"),
        max_length=10,
        choices=PublicationRule.choices,
        default=PublicationRule.UNANIMOUS,
    )
    objection_days = models.PositiveSmallIntegerField(
        _("days to object"),
        default=7,
        # With no day to object, a proposal would publish the moment it is made.
        validators=[MinValueValidator(1, message=_("Co-authors need at least one day to object."))],
        help_text=_("With the deadline rule: how long co-authors have to object."),
    )
    archived_at = models.DateTimeField(
        _("archived at"),
        null=True,
        blank=True,
        help_text=_("An archived work is kept, read-only, out of the list of works in progress."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The sequence number of the last stored update (allocated atomically by every worker).
    last_sequence = models.PositiveBigIntegerField(default=0, editable=False)

    # Not columns: set on instances by selectors and the API, for the work's schema.
    participant_rows: list[dict[str, str]]
    text: str
    authorship: list[dict[str, Any]]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shared work")
        verbose_name_plural = _("shared works")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organization__isnull=False, attached_type__isnull=True)
                    | Q(
                        organization__isnull=True,
                        attached_type__isnull=False,
                        attached_id__isnull=False,
                    )
                ),
                name="shared_work_has_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(objection_days__gte=1), name="shared_work_objection_days_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cowriting:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Participant(models.Model):
    """A person taking part in a shared work, with a role and their own objective."""

    class Role(models.TextChoices):
        WRITER = "writer", _("Writer")
        COMMENTER = "commenter", _("Commenter")
        READER = "reader", _("Reader")

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cowriting_participations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.WRITER)
    objective = models.TextField(
        _("my own objective"),
        blank=True,
        help_text=_("What you want from this work; it need not be the others' objective."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["work", "person"], name="one_participation_per_work")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class Update(models.Model):
    """One Yjs update as the server received it: only what the server did not have yet."""

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="updates")
    sequence = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["work", "sequence"], name="one_update_per_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.work_id}#{self.sequence}"


class Snapshot(models.Model):
    """The compacted state of a work that covers every update up to ``through_sequence``."""

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="snapshots")
    through_sequence = models.PositiveBigIntegerField()
    state = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work", "-through_sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "through_sequence"], name="one_snapshot_per_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_id}@{self.through_sequence}"


class Version(models.Model):
    """A named snapshot with its Markdown text."""

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=120)
    through_sequence = models.PositiveBigIntegerField()
    state = models.BinaryField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work", "-created_at", "-id"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    """A comment anchored to a passage by two Yjs relative positions (binary, as Yjs encodes)."""

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    anchor_start = models.BinaryField()
    anchor_end = models.BinaryField()
    quote = models.TextField(_("quoted passage"), blank=True)
    text = models.TextField(_("comment"))
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resolved", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]


class PublicationProposal(models.Model):
    """A writer's proposal to publish a version; co-authors consent or object."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    work = models.ForeignKey(SharedWork, on_delete=models.CASCADE, related_name="proposals")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("publication proposal")
        verbose_name_plural = _("publication proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["work"], condition=Q(status="open"), name="one_open_proposal_per_work"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.get_status_display()}"


class CoSignature(models.Model):
    """A co-author's consent or objection (with its reason) to a proposal."""

    class Decision(models.TextChoices):
        CONSENT = "consent", _("I consent")
        OBJECTION = "objection", _("I object")

    proposal = models.ForeignKey(
        PublicationProposal, on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"], name="one_decision_per_coauthor"
            ),
            models.CheckConstraint(
                condition=~Q(decision="objection") | ~Q(reason=""),
                name="objection_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.decision}"


class PublishedVersion(models.Model):
    """The text as published, with its authorship shares: it never changes once written."""

    work = models.ForeignKey(SharedWork, on_delete=models.PROTECT, related_name="publications")
    proposal = models.OneToOneField(
        PublicationProposal, on_delete=models.PROTECT, related_name="publication"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    # [{"person_id", "name", "inserted", "surviving", "deleted", "share"}] in share order.
    shares = models.JSONField(default=list)
    signatories = models.JSONField(default=list)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")

    def __str__(self) -> str:
        return f"{self.title} ({self.published_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("a published version cannot change")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cowriting:published", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("a published version cannot be deleted")
