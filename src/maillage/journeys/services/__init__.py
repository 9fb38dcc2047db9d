"""Writes on journeys, one module per job: journeys (walkers, stages, GPX route), encounters
(validation, offline sync, online form), the co-written account, self-observation. Each write
checks permissions and runs atomically; the GPX and self-observation maths are in
``maillage.analysis``.

Views, the API and other apps call the public writes from here; the modules import one
another's helpers directly.
"""

from maillage.journeys.services.account import account_start
from maillage.journeys.services.encounters import encounter_record, encounter_sync_batch
from maillage.journeys.services.journeys import (
    journey_create,
    journey_export_gpx,
    journey_import_gpx,
    journey_set_walkers,
    stage_add,
)
from maillage.journeys.services.self_observation import (
    question_add,
    question_remove,
    question_update,
    questionnaire_ensure_default,
    response_submit,
    round_close,
    round_create,
)

__all__ = [
    "account_start",
    "encounter_record",
    "encounter_sync_batch",
    "journey_create",
    "journey_export_gpx",
    "journey_import_gpx",
    "journey_set_walkers",
    "question_add",
    "question_remove",
    "question_update",
    "questionnaire_ensure_default",
    "response_submit",
    "round_close",
    "round_create",
    "stage_add",
]
