"""Encounters: one validation for the online form and the offline sync (whose protocol is
``core.sync``); a place is a territory or a name, never a precise point."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date

from maillage.core.permissions import require
from maillage.core.sync import NewRecord, RecordResult, Refusal, SyncSpec, payload_hash, sync_batch
from maillage.journeys.models import Encounter, Journey
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


NOTES_MAX_LENGTH = 5000
MAX_THEMES = 12
# The fields of an encounter that define it: a replay must carry the same values to be a duplicate.
HASHED_FIELDS = (
    "journey",
    "territory",
    "place_name",
    "met_on",
    "who",
    "notes",
    "consent",
    "themes",
)
# Keys a phone might send that would locate an inhabitant: refused, never stored.
POSITION_KEYS = ("lat", "lon", "latitude", "longitude", "position", "coordinates", "geometry")


def encounter_validate(
    journey: Journey, record: dict[str, Any], *, known_territories: set[int] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (model fields, errors by field) for one encounter of ``journey``."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for key in POSITION_KEYS:
        if record.get(key) not in (None, "", [], {}):
            fail(
                key,
                "a precise position is never stored for an inhabitant: give a territory or a "
                "place name instead",
            )
    territory_id = record.get("territory")
    if territory_id in ("", None):
        territory_id = None
    elif isinstance(territory_id, bool) or not str(territory_id).isdecimal():
        fail("territory", "the territory must be a territory id")
        territory_id = None
    else:
        territory_id = int(str(territory_id))
        exists = (
            territory_id in known_territories
            if known_territories is not None
            else Territory.objects.filter(pk=territory_id).exists()
        )
        if not exists:
            fail("territory", f"unknown territory {territory_id}")
    place_name = record.get("place_name") or ""
    place_name = place_name.strip()[:200] if isinstance(place_name, str) else ""
    if territory_id is None and not place_name:
        fail("place", "say where: a territory or a place name")
    met_on = record.get("met_on")
    day = parse_date(met_on) if isinstance(met_on, str) else None
    if day is None:
        fail("met_on", "met_on must be a date (YYYY-MM-DD)")
    elif (
        not journey.starts_on - dt.timedelta(days=1)
        <= day
        <= journey.ends_on + dt.timedelta(days=1)
    ):
        fail(
            "met_on",
            f"the day {day.isoformat()} is outside the journey "
            f"({journey.starts_on.isoformat()} to {journey.ends_on.isoformat()})",
        )
    who = record.get("who") or ""
    who = who.strip() if isinstance(who, str) else ""
    if not who:
        fail("who", "say who was met, in a few words and without a name")
    notes = record.get("notes") or ""
    notes = notes.strip() if isinstance(notes, str) else ""
    consent = record.get("consent", False)
    if not isinstance(consent, bool):
        fail("consent", "consent must be true or false")
    if notes and consent is not True:
        fail("notes", "notes are kept only with the inhabitant's consent")
    if len(notes) > NOTES_MAX_LENGTH:
        fail("notes", f"the notes have {len(notes)} characters; the limit is {NOTES_MAX_LENGTH}")
    themes = record.get("themes") or []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        fail("themes", "themes must be a list of words")
        themes = []
    themes = sorted({t.strip().lower()[:60] for t in themes if t.strip()})
    if len(themes) > MAX_THEMES:
        fail("themes", f"at most {MAX_THEMES} themes")
    return {
        "journey": journey,
        "territory_id": territory_id,
        "place_name": place_name,
        "met_on": day,
        "who": who[:200],
        "notes": notes,
        "consent_notes": consent is True,
        "themes": themes,
    }, errors


class EncounterSync(SyncSpec):
    """Encounters captured offline: a walker records those of the journeys they walk."""

    model = Encounter
    hashed_fields = HASHED_FIELDS
    noun = "encounter"

    def __init__(self, actor: Person) -> None:
        self.actor = actor

    def load(self, records: list[dict[str, Any]]) -> None:
        slugs = {r.get("journey") for r in records if isinstance(r.get("journey"), str)}
        self.journeys = {j.slug: j for j in Journey.objects.filter(slug__in=slugs)}
        self.allowed = {
            slug: self.actor.has_perm("journeys.record_encounter", j)
            for slug, j in self.journeys.items()
        }
        territory_values = {
            int(r["territory"])
            for r in records
            if str(r.get("territory", "")).isdecimal() and not isinstance(r.get("territory"), bool)
        }
        self.known_territories = set(
            Territory.objects.filter(pk__in=territory_values).values_list("pk", flat=True)
        )

    def admit(self, record: dict[str, Any]) -> Refusal | None:
        slug = record.get("journey")
        journey = self.journeys.get(slug) if isinstance(slug, str) else None
        if journey is None:
            return Refusal.unknown("journey", f"unknown journey {slug!r}")
        if not self.allowed[journey.slug]:
            return Refusal.forbidden(f"you are not a walker of {journey.slug!r}")
        return None

    def validate(self, record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        return encounter_validate(
            self.journeys[record["journey"]], record, known_territories=self.known_territories
        )

    def row(self, new: NewRecord) -> Encounter:
        return Encounter(
            client_uuid=new.uuid, payload_hash=new.digest, recorded_by=self.actor, **new.fields
        )


def encounter_sync_batch(*, actor: Person, records: list[Any]) -> list[RecordResult]:
    """Record a batch of encounters captured offline; one result per record, in order.

    The guarantees are those of ``core.sync``, as for the consultations' field sync.
    """
    return sync_batch(EncounterSync(actor), records)


def encounter_record(*, journey: Journey, actor: Person, record: dict[str, Any]) -> Encounter:
    """Record one encounter typed online; raise ValidationError on bad input."""
    require(actor, "journeys.record_encounter", journey)
    fields, errors = encounter_validate(journey, record)
    if errors:
        raise ValidationError(errors)
    digest = payload_hash({**record, "journey": journey.slug}, HASHED_FIELDS)
    return Encounter.objects.create(
        client_uuid=uuid.uuid4(), payload_hash=digest, recorded_by=actor, **fields
    )
