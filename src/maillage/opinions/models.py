"""Opinion-mapping conversations: statements, participants, votes (with history), analyses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.analysis.opinions.duplicates import statement_key


class Conversation(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, related_name="conversations"
    )
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.CharField(_("topic"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_open = models.BooleanField(_("open for votes"), default=True)
    allow_anonymous = models.BooleanField(_("participation without an account"), default=True)
    participant_statements = models.BooleanField(
        _("participants may submit statements"), default=True
    )
    statements_need_moderation = models.BooleanField(
        _("statements are shown only once accepted"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation")

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("opinions:detail", args=[self.slug])


class Statement(models.Model):
    class Moderation(models.IntegerChoices):
        REJECTED = -1, _("rejected")
        UNMODERATED = 0, _("unmoderated")
        ACCEPTED = 1, _("accepted")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("statement"), max_length=1000)
    # The text without case, accents, punctuation or extra spaces: the same statement sent
    # twice has the same key (see ``analysis.opinions.duplicates``).
    text_key = models.CharField(max_length=1000, blank=True, editable=False)
    author = models.ForeignKey(
        "Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    is_seed = models.BooleanField(default=False)
    is_meta = models.BooleanField(_("meta statement"), default=False)
    moderation = models.SmallIntegerField(
        choices=Moderation.choices, default=Moderation.UNMODERATED
    )
    created_at = models.DateTimeField(default=timezone.now)
    external_id = models.IntegerField(null=True, blank=True, help_text="comment-id of an import")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "external_id"], name="one_statement_per_external_id"
            )
        ]
        indexes = [models.Index(fields=["conversation", "text_key"])]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.text_key = statement_key(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "text_key"}
        super().save(*args, **kwargs)

    @property
    def moderation_name(self) -> str:
        """Return the moderation state as a word ("accepted"), for the badge's style."""
        return self.Moderation(self.moderation).name.lower()


class Participant(models.Model):
    """A voter: a person, or a pseudonymous browser (cookie key stored hashed)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cookie_hash = models.CharField(max_length=64, blank=True)
    external_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Not columns: set on instances by selectors, with the statements each proposed.
    proposed: list[Statement]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "person"],
                condition=Q(person__isnull=False),
                name="one_participant_per_person",
            ),
            models.UniqueConstraint(
                fields=["conversation", "cookie_hash"],
                condition=~Q(cookie_hash=""),
                name="one_participant_per_cookie",
            ),
        ]

    def __str__(self) -> str:
        return f"participant {self.pk}"


class Vote(models.Model):
    """The current vote of a participant on a statement (agree +1, disagree −1, pass 0)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "statement"], name="one_vote_per_statement"
            ),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="vote_value_is_polis"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}→{self.statement_id}: {self.value:+d}"


class VoteEvent(models.Model):
    """Every vote ever cast, re-votes included (the history; the openData votes.csv)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.participant_id}→{self.statement_id}: {self.value:+d} at {self.created_at}"


class Analysis(models.Model):
    """The latest opinion map of a conversation, as plain JSON for pages and the API."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="analysis"
    )
    computed_at = models.DateTimeField()
    vote_count = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"analysis of {self.conversation_id} ({self.vote_count} votes)"
