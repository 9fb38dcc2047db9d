"""The photo of a synced field contribution, uploaded after its record, stored once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from maillage.consultations.models import Contribution
from maillage.consultations.photos import photo_prepare
from maillage.consultations.services.moderation import counts_changed
from maillage.core.sync import parse_uuid


def _photo_target(actor: Any, client_uuid: str) -> Contribution:
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
    *, actor: Any, client_uuid: str, data: bytes
) -> tuple[Contribution, bool]:
    """Store the photo of a synced record once; return (contribution, whether it was stored).

    A second upload for the same record is acknowledged without replacing the first, so that
    a retried upload is harmless.
    """
    contribution = _photo_target(actor, client_uuid)
    if contribution.photo:
        return contribution, False
    prepared = photo_prepare(data, name=str(contribution.client_uuid))
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.photo:
            return locked, False
        locked.photo.save(prepared.name, prepared, save=False)
        locked.save(update_fields=["photo"])
        if locked.status == Contribution.Status.PUBLISHED:
            counts_changed(locked.campaign_id)
    return locked, True
