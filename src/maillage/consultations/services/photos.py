"""The photo of a synced field contribution, uploaded after its record, stored once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from maillage.consultations.models import Contribution
from maillage.consultations.photos import (
    MAX_PHOTO_BYTES,
    PhotoTooLarge,
    photo_prepare,
    photo_store,
)
from maillage.consultations.services.moderation import counts_changed
from maillage.core.storage import discard_quietly
from maillage.core.sync import parse_uuid
from maillage.core.uploads import Upload, upload_read, upload_size

if TYPE_CHECKING:
    from maillage.people.models import Person


def _photo_target(actor: Person, client_uuid: str) -> Contribution:
    uid = parse_uuid(client_uuid)
    contribution = (
        Contribution.objects.select_related("campaign__territory").filter(client_uuid=uid).first()
        if uid
        else None
    )
    if contribution is None:
        from django.http import Http404

        raise Http404(f"no contribution with UUID {client_uuid}: sync the record first")
    if contribution.agent_id != actor.pk and not actor.has_perm(
        "consultations.moderate_contribution", contribution
    ):
        raise PermissionDenied("consultations.capture_contribution")
    return contribution


def contribution_attach_photo(
    *, actor: Person, client_uuid: str, data: Upload
) -> tuple[Contribution, bool]:
    """Store the photo of a synced record once; return (contribution, whether it was stored).

    Permission and the declared size are checked before the file is read. A second upload for
    the same record is acknowledged without replacing the first, so that a retried upload is
    harmless.
    """
    contribution = _photo_target(actor, client_uuid)
    if contribution.photo:
        return contribution, False
    if upload_size(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(upload_size(data))
    name = photo_store(photo_prepare(upload_read(data)))
    try:
        with transaction.atomic():
            locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
            stored = not locked.photo
            if stored:
                locked.photo.name = name
                locked.save(update_fields=["photo"])
                if locked.status == Contribution.Status.PUBLISHED:
                    counts_changed(locked.campaign_id)
    except BaseException:
        discard_quietly(name)
        raise
    if not stored:
        # Another upload of the same record won the race: keep the first, drop this copy.
        discard_quietly(name)
    return locked, stored
