"""Moderation: publish, hide with a reason, redact; each move of the published data drops the
cached counts and public parts of its campaign."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.consultations.models import TEXT_MAX_LENGTH, Contribution
from maillage.consultations.selectors import published_counts_forget
from maillage.core.permissions import require
from maillage.core.services import audit_record

if TYPE_CHECKING:
    from maillage.people.models import Person


def counts_changed(campaign_id: int) -> None:
    """Drop the cached counts and public parts of a campaign whose published data changed.

    Now for this request, and after commit so that no reader caches the old ones meanwhile.
    """
    published_counts_forget(campaign_id)
    transaction.on_commit(lambda: published_counts_forget(campaign_id))


@transaction.atomic
def contribution_publish(*, contribution: Contribution, actor: Person) -> Contribution:
    """Publish a contribution; only one whose author consented to publication."""
    require(actor, "consultations.moderate_contribution", contribution)
    if not contribution.consent_publication:
        raise ValidationError(_("The inhabitant did not consent to publication."))
    previous = contribution.status
    contribution.status = Contribution.Status.PUBLISHED
    contribution.hidden_reason = ""
    contribution.save(update_fields=["status", "hidden_reason"])
    counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.publish",
        target=contribution,
        data={"previous_status": previous},
    )
    return contribution


@transaction.atomic
def contribution_hide(*, contribution: Contribution, actor: Person, reason: str) -> Contribution:
    """Hide a contribution from every public place, with a reason."""
    require(actor, "consultations.moderate_contribution", contribution)
    if reason not in Contribution.HiddenReason.values:
        raise ValidationError(
            {"reason": f"the reason must be one of {', '.join(Contribution.HiddenReason.values)}"}
        )
    previous = contribution.status
    contribution.status = Contribution.Status.HIDDEN
    contribution.hidden_reason = reason
    contribution.save(update_fields=["status", "hidden_reason"])
    counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.hide",
        target=contribution,
        data={"previous_status": previous, "reason": reason},
    )
    return contribution


@transaction.atomic
def contribution_redact(
    *, contribution: Contribution, actor: Person, text: str, remove_photo: bool = False
) -> Contribution:
    """Replace the text (to edit out personal data); the original stays in the audit log only."""
    require(actor, "consultations.moderate_contribution", contribution)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("The text cannot be empty.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": f"the text is limited to {TEXT_MAX_LENGTH} characters"})
    original = contribution.text
    contribution.text = text
    fields = ["text"]
    photo_removed = False
    if remove_photo and contribution.photo:
        contribution.photo.delete(save=False)
        fields.append("photo")
        photo_removed = True
    contribution.save(update_fields=fields)
    # The old words must leave the public pages at once, cached parts included.
    counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.redact",
        target=contribution,
        data={"original_text": original, "photo_removed": photo_removed},
    )
    return contribution


@dataclass
class BulkResult:
    """What a bulk moderation did: the contributions changed and those refused, with why."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


MAX_BULK = 500


def contribution_moderate_bulk(
    *, campaign: Any, actor: Person, ids: Sequence[int], action: str, reason: str = ""
) -> BulkResult:
    """Publish or hide (with ``reason``) many contributions of ``campaign`` at once.

    Each is moderated on its own: one that cannot be (no consent to publication) is reported
    and the others are kept, never the whole batch lost for one.
    """
    require(actor, "consultations.moderate_contribution", campaign)
    if action not in ("publish", "hide"):
        raise ValidationError(_("Unknown action."))
    if action == "hide" and reason not in Contribution.HiddenReason.values:
        raise ValidationError({"reason": _("Choose a reason to hide the contributions.")})
    if not ids:
        raise ValidationError(_("Select at least one contribution."))
    if len(ids) > MAX_BULK:
        raise ValidationError(
            _("Select at most %(limit)s contributions at once.") % {"limit": MAX_BULK}
        )
    result = BulkResult()
    for contribution in Contribution.objects.filter(campaign=campaign, pk__in=ids).order_by("pk"):
        try:
            if action == "publish":
                contribution_publish(contribution=contribution, actor=actor)
            else:
                contribution_hide(contribution=contribution, actor=actor, reason=reason)
        except ValidationError as error:
            result.refused.append((contribution.pk, " ".join(error.messages)))
        else:
            result.done.append(contribution.pk)
    return result
