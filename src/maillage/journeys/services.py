"""Writes on journeys (route, stages, walkers, encounters, offline sync, co-written account)
and on self-observation (questions, rounds, answers). Each write checks permissions and runs
atomically; the GPX and self-observation maths are in ``maillage.analysis``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from maillage.analysis.gpx import GpxError, Track, import_gpx, to_gpx
from maillage.analysis.self_observation import Answer, Scale
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.sync import (
    NewRecord,
    RecordResult,
    Refusal,
    SyncSpec,
    payload_hash,
    sync_batch,
)
from maillage.journeys.models import (
    AnswerValue,
    Encounter,
    Journey,
    Question,
    Questionnaire,
    Response,
    Round,
    Stage,
)
from maillage.journeys.selectors import cowriting_installed, journey_shared_work
from maillage.territories.models import Territory
from maillage.territories.services import unique_slug

MAX_GPX_BYTES = 200 * 1024 * 1024
GPX_TOLERANCE_M = 10.0
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
DEFAULT_QUESTIONNAIRE = Path(__file__).resolve().parent / "data" / "self_observation_default.json"


# ---------------------------------------------------------------------------------------------
# Journeys


@transaction.atomic
def journey_create(
    *,
    actor: Any,
    title: str,
    territory: Territory,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    walkers: Iterable[Any] = (),
    is_public: bool = True,
    slug: str | None = None,
) -> Journey:
    """Create a journey on ``territory``; a facilitator of the territory organizes it."""
    require(actor, "journeys.add_journey", territory)
    if not title.strip():
        raise ValidationError({"title": _("A title is required.")})
    if ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": _("The journey ends on %(end)s, before it starts on %(start)s.")
                % {"end": ends_on.isoformat(), "start": starts_on.isoformat()}
            }
        )
    journey = Journey.objects.create(
        title=title.strip()[:200],
        slug=slug or unique_slug(title, Journey),
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
        is_public=is_public,
        created_by=actor,
    )
    journey.walkers.set(list(walkers))
    audit_record(actor=actor, action="journeys.journey.create", target=journey)
    return journey


@transaction.atomic
def journey_set_walkers(*, journey: Journey, actor: Any, walkers: Iterable[Any]) -> Journey:
    """Replace the walkers of ``journey``."""
    require(actor, "journeys.change_journey", journey)
    journey.walkers.set(list(walkers))
    journey.__dict__.pop("_walker_cache", None)
    audit_record(actor=actor, action="journeys.journey.walkers", target=journey)
    return journey


@transaction.atomic
def stage_add(
    *,
    journey: Journey,
    actor: Any,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    distance_km: float | None = None,
) -> Stage:
    """Add a stage at the end of the journey; its days must lie within the journey's."""
    require(actor, "journeys.change_journey", journey)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The stage ends before it starts.")})
    if starts_on < journey.starts_on or ends_on > journey.ends_on:
        raise ValidationError(
            {"starts_on": _("The stage's days must lie within the journey's days.")}
        )
    last = journey.stages.order_by("-position").values_list("position", flat=True).first() or 0
    return Stage.objects.create(
        journey=journey,
        position=last + 1,
        title=title.strip()[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        distance_km=distance_km,
    )


@dataclass(frozen=True)
class RouteImport:
    """What a GPX import did: points read, kept and dropped, tolerance and length."""

    read: int
    kept: int
    dropped: int
    tolerance_m: float
    length_km: float


def _route_geometry(track: Track) -> dict[str, Any]:
    lines = []
    for first, stop in zip(track.segment_starts[:-1], track.segment_starts[1:], strict=True):
        if stop - first >= 2:
            lines.append(
                np.round(
                    np.column_stack([track.lon[first:stop], track.lat[first:stop]]), 6
                ).tolist()
            )
    if not lines:
        raise GpxError("the track has fewer than two points: there is no route to draw")
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def journey_import_gpx(
    *, journey: Journey, actor: Any, data: bytes, tolerance_m: float = GPX_TOLERANCE_M
) -> RouteImport:
    """Replace the route of ``journey`` by a GPX file's track, simplified (Douglas–Peucker).

    Raise ValidationError naming the problem: not GPX, no track, bad points, too large.
    """
    require(actor, "journeys.change_journey", journey)
    if len(data) > MAX_GPX_BYTES:
        raise ValidationError(
            {
                "gpx": _("The file is %(size)d MB; the limit is %(limit)d MB.")
                % {"size": len(data) // 2**20, "limit": MAX_GPX_BYTES // 2**20}
            }
        )
    try:
        simplified = import_gpx(data, tolerance_m=tolerance_m)
        geometry = _route_geometry(simplified.track)
    except GpxError as error:
        raise ValidationError({"gpx": str(error)}) from None
    result = RouteImport(
        read=simplified.kept + simplified.dropped,
        kept=simplified.kept,
        dropped=simplified.dropped,
        tolerance_m=simplified.tolerance_m,
        length_km=simplified.length_km,
    )
    with transaction.atomic():
        journey.route = geometry
        journey.route_points_read = result.read
        journey.route_points_kept = result.kept
        journey.route_points_dropped = result.dropped
        journey.route_tolerance_m = result.tolerance_m
        journey.route_length_km = result.length_km
        journey.save(
            update_fields=[
                "route",
                "route_points_read",
                "route_points_kept",
                "route_points_dropped",
                "route_tolerance_m",
                "route_length_km",
            ]
        )
        audit_record(
            actor=actor,
            action="journeys.journey.import_gpx",
            target=journey,
            data={"read": result.read, "kept": result.kept},
        )
    return result


def journey_export_gpx(journey: Journey) -> bytes:
    """Return the journey's (simplified) route as a GPX 1.1 file."""
    if not journey.route:
        raise ValidationError(_("This journey has no route yet."))
    lines = (
        [journey.route["coordinates"]]
        if journey.route["type"] == "LineString"
        else journey.route["coordinates"]
    )
    points = [p for line in lines for p in line]
    starts = np.cumsum([0, *[len(line) for line in lines]])
    n = len(points)
    track = Track(
        name=journey.title,
        lat=np.array([p[1] for p in points], dtype=np.float64),
        lon=np.array([p[0] for p in points], dtype=np.float64),
        ele=np.full(n, np.nan),
        time=np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"),
        segment_starts=starts.astype(np.int64),
    )
    return to_gpx(track)


# ---------------------------------------------------------------------------------------------
# Encounters: one validation for the online form and the offline sync


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
        territory_id = int(territory_id)
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

    def __init__(self, actor: Any) -> None:
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


def encounter_sync_batch(*, actor: Any, records: list[Any]) -> list[RecordResult]:
    """Record a batch of encounters captured offline; one result per record, in order.

    The guarantees are those of ``core.sync``, as for the consultations' field sync.
    """
    return sync_batch(EncounterSync(actor), records)


def encounter_record(*, journey: Journey, actor: Any, record: dict[str, Any]) -> Encounter:
    """Record one encounter typed online; raise ValidationError on bad input."""
    require(actor, "journeys.record_encounter", journey)
    fields, errors = encounter_validate(journey, record)
    if errors:
        raise ValidationError(errors)
    digest = payload_hash({**record, "journey": journey.slug}, HASHED_FIELDS)
    return Encounter.objects.create(
        client_uuid=uuid.uuid4(), payload_hash=digest, recorded_by=actor, **fields
    )


# ---------------------------------------------------------------------------------------------
# The co-written account (only when the co-writing capability is installed)


def account_draft(journey: Journey) -> str:
    """Return the Markdown the account starts from: the stages, then the consented notes."""
    lines = [f"# {journey.title}", ""]
    if journey.description:
        lines += [journey.description, ""]
    for encounter in journey.encounters.select_related("territory").order_by("met_on", "id"):
        themes = ", ".join(encounter.themes)
        lines.append(f"## {encounter.met_on.isoformat()} — {encounter.place_label}")
        lines.append(f"*{encounter.who}*" + (f" — {themes}" if themes else ""))
        if encounter.notes:
            lines += ["", encounter.notes]
        lines.append("")
    return "\n".join(lines)


@transaction.atomic
def account_start(*, journey: Journey, actor: Any) -> Any:
    """Start the co-written account of ``journey`` with its walkers; return the shared work.

    No report: the encounters and notes become a draft that the walkers write together, and
    that the co-writing capability publishes only with their co-signature. Raise
    ValidationError when co-writing is not installed; return the existing work if any.
    """
    require(actor, "journeys.start_account", journey)
    if not cowriting_installed():
        raise ValidationError(_("Co-writing is not available on this platform."))
    existing = journey_shared_work(journey)
    if existing is not None:
        return existing
    from pycrdt import Doc, Text

    from maillage.cowriting import services as cowriting
    from maillage.cowriting.authorship import TEXT_NAME

    work = cowriting.work_create(
        actor=actor,
        title=_("Account of the journey “%(title)s”") % {"title": journey.title},
        attached_to=journey,
        vision=_(
            "No report: what we heard on the way, written together with those we walked with."
        ),
    )
    for walker in journey.walkers.exclude(pk=actor.pk).filter(is_active=True):
        cowriting.participant_invite(work=work, actor=actor, person=walker, role="writer")
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    text += account_draft(journey)
    cowriting.updates_append(work_id=work.pk, items=[(actor.pk, doc.get_update())])
    audit_record(actor=actor, action="journeys.account.start", target=journey)
    return work


# ---------------------------------------------------------------------------------------------
# Self-observation


@transaction.atomic
def questionnaire_ensure_default() -> Questionnaire:
    """Return the default je/nous/dans questionnaire, creating it from the shipped data."""
    data = json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    questionnaire, created = Questionnaire.objects.get_or_create(
        slug=data["slug"],
        defaults={
            key: data[key]
            for key in (
                "title",
                "description",
                "scale_low",
                "scale_high",
                "low_label",
                "high_label",
            )
        },
    )
    if created:
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                key=item["key"],
                position=position,
                dimension=item["dimension"],
                text_fr=item["fr"],
                text_en=item["en"],
            )
            for position, item in enumerate(data["questions"], start=1)
        )
    return questionnaire


@transaction.atomic
def question_update(*, question: Question, actor: Any, text_fr: str, text_en: str) -> Question:
    """Reword a question (facilitators); its key and dimension stay, so history stays comparable."""
    require(actor, "journeys.change_questionnaire", question.questionnaire)
    if not text_fr.strip() or not text_en.strip():
        raise ValidationError(_("Both the French and the English wording are required."))
    question.text_fr, question.text_en = text_fr.strip()[:300], text_en.strip()[:300]
    question.save(update_fields=["text_fr", "text_en"])
    audit_record(actor=actor, action="journeys.question.update", target=question)
    return question


@transaction.atomic
def round_create(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    title: str,
    opens_on: dt.date,
    organization: Any = None,
    closes_on: dt.date | None = None,
) -> Round:
    """Open a round: for a collective (its admins open it) or for everyone (facilitators)."""
    if organization is not None:
        require(actor, "organizations.change_organization", organization)
    else:
        require(actor, "journeys.change_questionnaire", questionnaire)
    if closes_on is not None and closes_on < opens_on:
        raise ValidationError({"closes_on": _("The round closes before it opens.")})
    return Round.objects.create(
        questionnaire=questionnaire,
        organization=organization,
        title=title.strip()[:200],
        opens_on=opens_on,
        closes_on=closes_on,
    )


def response_submit(*, round_: Round, actor: Any, answers: dict[str, Any]) -> Response:
    """Record ``actor``'s answers (question key → value) to ``round_``, once.

    Raise ValidationError naming the allowed range for an answer outside the scale, and for
    unknown or missing questions; PermissionDenied when the round is not open to ``actor``.
    """
    require(actor, "journeys.answer_round", round_)
    today = timezone.localdate()
    if today < round_.opens_on or (round_.closes_on and today > round_.closes_on):
        raise ValidationError(_("This round is not open today."))
    questionnaire = round_.questionnaire
    questions = {q.key: q for q in questionnaire.questions.all()}
    scale = Scale(questionnaire.scale_low, questionnaire.scale_high)
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            errors.setdefault(key, []).append(f"unknown question {key!r}")
            continue
        try:
            scale.check(Answer(str(actor.pk), "", key, question.dimension, value))
        except ValueError as error:
            errors.setdefault(key, []).append(str(error))
    missing = sorted(set(questions) - set(answers))
    if missing:
        errors["answers"] = [f"unanswered questions: {', '.join(missing)}"]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(round=round_, respondent=actor)
            AnswerValue.objects.bulk_create(
                AnswerValue(response=response, question=questions[key], value=value)
                for key, value in answers.items()
            )
    except IntegrityError:
        raise ValidationError(_("You already answered this round.")) from None
    return response
