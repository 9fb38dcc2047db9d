"""Writes on consultations, one module per job: campaigns, contributions (their validation and
the online form), the field sync and its photos, moderation, responses (follow-up). Each write
checks permissions, runs atomically and notifies only after commit.

Views, the API and other apps call the public writes from here; the modules import one
another's helpers directly.
"""

from maillage.consultations.services.campaigns import (
    campaign_archive,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_team_add,
    campaign_team_remove,
    campaign_update,
)
from maillage.consultations.services.contributions import contribution_submit_online
from maillage.consultations.services.moderation import (
    contribution_hide,
    contribution_moderate_bulk,
    contribution_publish,
    contribution_redact,
)
from maillage.consultations.services.photos import contribution_attach_photo
from maillage.consultations.services.responses import (
    response_create,
    response_recipients,
    response_update,
)
from maillage.consultations.services.sync import contribution_sync_batch

__all__ = [
    "campaign_archive",
    "campaign_close",
    "campaign_create",
    "campaign_open",
    "campaign_team_add",
    "campaign_team_remove",
    "campaign_update",
    "contribution_attach_photo",
    "contribution_hide",
    "contribution_moderate_bulk",
    "contribution_publish",
    "contribution_redact",
    "contribution_submit_online",
    "contribution_sync_batch",
    "response_create",
    "response_recipients",
    "response_update",
]
