"""Offline sync, written once: records made on a device, sent in batches, recorded once each.

A phone (a field agent's, a walker's) gives each record a UUID and sends its records in
batches, again until it has an answer. The protocol makes resending always safe:

- a record is recorded once, by its UUID: a replay is a 200 ``duplicate`` naming the existing
  row; the same UUID with other contents (the fields that define a record) is a 409
  ``conflict``, and the existing row is kept;
- a batch is answered record by record (each ``status`` is that record's alone), so that a bad
  record never sinks the good ones;
- the new rows of a batch go in one ``INSERT … ON CONFLICT DO NOTHING`` statement, in UUID
  order, so that concurrent batches take their row locks in the same order and cannot
  deadlock, and the unique UUID settles every race; the batch commits at once, so that a
  crash half-writes nothing.

Each kind of record brings a ``SyncSpec``: who may send it where, the validation of its
contents and its row.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from maillage.core.metrics import SYNC_BATCHES
from maillage.core.storable import printable, unstorable_field

MAX_BATCH = 500


@dataclass
class RecordResult:
    uuid: str
    status: int
    result: str  # created, duplicate, conflict, invalid, forbidden
    id: int | None = None
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Refusal:
    """Why a record is refused whatever it holds: an unknown parent (422) or no right (403)."""

    status: int
    message: str
    field: str = ""  # the field an unknown parent was named in

    @classmethod
    def unknown(cls, field: str, message: str) -> Refusal:
        return cls(422, message, field)

    @classmethod
    def forbidden(cls, message: str) -> Refusal:
        return cls(403, message)

    def result(self, uid: str) -> RecordResult:
        if self.status == 403:
            return RecordResult(uid, 403, "forbidden", message=self.message)
        return RecordResult(
            uid, self.status, "invalid", message=self.message, errors={self.field: [self.message]}
        )


@dataclass(frozen=True)
class NewRecord:
    """A validated record to insert: its UUID, the digest of its payload, its model fields."""

    uuid: str
    digest: str
    fields: dict[str, Any]


class SyncSpec(ABC):
    """One kind of offline record: its model, what defines it, who may send it, its checks.

    An instance serves one batch of one sender. The model has a unique ``client_uuid`` and a
    ``payload_hash`` column.
    """

    model: ClassVar[type[models.Model]]
    # The fields that define a record: a replay must carry the same values to be a duplicate.
    hashed_fields: ClassVar[tuple[str, ...]]
    # What a record is called in the message of a conflict ("contribution").
    noun: ClassVar[str]

    @abstractmethod
    def load(self, records: list[dict[str, Any]]) -> None:
        """Load what checking ``records`` needs (parents, rights, known ids) in a few queries."""

    @abstractmethod
    def admit(self, record: dict[str, Any]) -> Refusal | None:
        """Return why the sender may not send ``record`` where it goes, or None.

        Asked before the record is compared with what is recorded, so that a sender learns
        nothing of what others recorded, and before its contents are validated, so that a
        replay to a parent that no longer accepts records (a closed campaign) is still
        acknowledged.
        """

    @abstractmethod
    def validate(self, record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Return (model fields, errors by field) for an admitted record."""

    @abstractmethod
    def row(self, new: NewRecord) -> models.Model:
        """Return the unsaved row of a validated record."""

    def inserted(self, rows: list[models.Model]) -> None:  # noqa: B027 — optional hook
        """React, inside the batch's transaction, to the rows this batch created."""


def parse_uuid(value: Any) -> str | None:
    """Return ``value`` as a canonical UUID string, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def payload_hash(record: dict[str, Any], fields: Sequence[str]) -> str:
    """Return the SHA-256 of the record's defining ``fields``, as canonical JSON.

    Stored with every row: changing how it is computed would turn the replays of records
    synced before the change into conflicts.
    """
    canonical = json.dumps(
        {name: record.get(name) for name in fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def duplicate_or_conflict(
    uid: str, existing_id: int, existing_digest: str, digest: str, noun: str
) -> RecordResult:
    """Return the answer to a record whose UUID is already recorded."""
    if existing_digest == digest:
        return RecordResult(
            uid, 200, "duplicate", existing_id, "already recorded: the existing row is kept"
        )
    return RecordResult(
        uid,
        409,
        "conflict",
        existing_id,
        f"a different {noun} was already recorded with this UUID; the existing one is kept. "
        "Give the new record a new UUID.",
    )


def recorded(model: type[models.Model], uids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Return (id, payload hash) of the rows of ``model`` recorded under ``uids``, by UUID."""
    rows = model._default_manager.filter(client_uuid__in=list(uids)).values_list(
        "client_uuid", "pk", "payload_hash"
    )
    return {str(uid): (pk, digest) for uid, pk, digest in rows}


def insert_new(rows: Sequence[models.Model]) -> dict[str, int]:
    """Insert the rows whose ``client_uuid`` is not recorded yet; return their ids by UUID.

    ``INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING`` writes the new rows and skips
    the UUIDs recorded before or meanwhile by another request, in one round trip instead of
    three per row (savepoint, insert, release). Rows go in the order given: requests that may
    insert the same UUIDs at once must give them in the same order (UUID order), so that they
    take their row locks in that order and cannot deadlock. The rows must be valid: any other
    constraint that refuses one fails the statement. The rows created get their primary key;
    at most ``MAX_BATCH`` rows go in one statement.
    """
    if not rows:
        return {}
    meta = rows[0]._meta
    uuid_field = meta.get_field("client_uuid")
    assert isinstance(uuid_field, models.Field)  # a column of the row's own table
    keyed = [(str(uuid.UUID(str(uuid_field.value_from_object(row)))), row) for row in rows]
    # The connection itself, not the proxy: each attribute read through the proxy costs a
    # context-local lookup, and the loop below makes about twenty per row.
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    uuid_column = quote(uuid_field.column)
    head = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 — names from the model
        f"({', '.join(quote(f.column) for f in columns)}) "
    )
    tail = (
        f" ON CONFLICT ({uuid_column}) DO NOTHING RETURNING {quote(meta.pk.column)}, {uuid_column}"
    )
    created: dict[str, int] = {}
    for start in range(0, len(keyed), MAX_BATCH):
        chunk = [row for _uid, row in keyed[start : start + MAX_BATCH]]
        values = [
            [f.get_db_prep_save(f.pre_save(row, add=True), db) for f in columns] for row in chunk
        ]
        if db.vendor == "postgresql":
            # One array per column: the statement's text is the same for every batch size, so
            # the driver parses it once and PostgreSQL gets a dozen parameters, not a thousand.
            arrays = ", ".join(f"%s::{f.db_type(db)}[]" for f in columns)
            source = f"SELECT * FROM unnest({arrays})"  # noqa: S608 — types from the model
            params: list[Any] = [list(column) for column in zip(*values, strict=True)]
        else:
            placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
            source = f"VALUES {', '.join([placeholders] * len(chunk))}"
            params = [value for row_values in values for value in row_values]
        with db.cursor() as cursor:
            cursor.execute(head + source + tail, params)
            # PostgreSQL returns a UUID, SQLite its 32 hex digits.
            created.update({str(uuid.UUID(str(uid))): pk for pk, uid in cursor.fetchall()})
    for uid, row in keyed:
        pk = created.get(uid)
        if pk is not None:
            row.pk = pk
            row._state.adding = False
            row._state.db = db.alias
    return created


def sync_batch(spec: SyncSpec, records: list[Any]) -> list[RecordResult]:
    """Record a batch of ``spec``'s records; return one result per record, in the same order.

    Raise ValidationError for a batch of more than ``MAX_BATCH`` records.
    """
    if len(records) > MAX_BATCH:
        raise ValidationError(f"a batch holds at most {MAX_BATCH} records")
    SYNC_BATCHES.labels(spec.model._meta.label_lower).inc()
    unstorable = [unstorable_field(r) if isinstance(r, dict) else None for r in records]
    spec.load(
        [
            r
            for r, bad in zip(records, unstorable, strict=True)
            if isinstance(r, dict) and bad is None
        ]
    )
    uids = [parse_uuid(r.get("uuid")) if isinstance(r, dict) else None for r in records]
    existing = recorded(spec.model, [u for u in uids if u])
    results: list[RecordResult | None] = [None] * len(records)
    pending: list[tuple[int, NewRecord]] = []
    seen_in_batch: dict[str, str] = {}
    for index, record in enumerate(records):
        uid = uids[index]
        if not isinstance(record, dict):
            results[index] = RecordResult("", 422, "invalid", message="a record must be an object")
            continue
        bad_field = unstorable[index]
        if bad_field is not None:
            message = (
                f"the field {bad_field!r} holds a character that cannot be stored "
                "(a NUL or a lone UTF-16 surrogate): correct it on the device"
            )
            results[index] = RecordResult(
                uid or printable(str(record.get("uuid", ""))),
                422,
                "invalid",
                message=message,
                errors={bad_field: [message]},
            )
            continue
        if uid is None:
            results[index] = RecordResult(
                printable(str(record.get("uuid", ""))),
                422,
                "invalid",
                message="the record has no valid UUID",
                errors={"uuid": ["a UUID made on the device is required"]},
            )
            continue
        refusal = spec.admit(record)
        if refusal is not None:
            results[index] = refusal.result(uid)
            continue
        digest = payload_hash(record, spec.hashed_fields)
        if uid in existing:
            results[index] = duplicate_or_conflict(uid, *existing[uid], digest, spec.noun)
            continue
        if uid in seen_in_batch:
            results[index] = (
                RecordResult(uid, 200, "duplicate", message="repeated in the same batch")
                if seen_in_batch[uid] == digest
                else RecordResult(
                    uid,
                    409,
                    "conflict",
                    message="the same UUID appears twice in the batch with different contents",
                )
            )
            continue
        fields, errors = spec.validate(record)
        if errors:
            first = next(iter(errors.values()))[0]
            results[index] = RecordResult(uid, 422, "invalid", message=first, errors=errors)
            continue
        seen_in_batch[uid] = digest
        pending.append((index, NewRecord(uid, digest, fields)))
    pending.sort(key=lambda item: item[1].uuid)
    rows = [spec.row(new) for _index, new in pending]
    with transaction.atomic():
        created = insert_new(rows)
        spec.inserted([row for row in rows if row.pk is not None])
    # Recorded by another request since the lookup above: a duplicate or a conflict after all.
    late = recorded(spec.model, [new.uuid for _i, new in pending if new.uuid not in created])
    for index, new in pending:
        if new.uuid in created:
            results[index] = RecordResult(new.uuid, 201, "created", created[new.uuid], "recorded")
        else:
            results[index] = duplicate_or_conflict(new.uuid, *late[new.uuid], new.digest, spec.noun)
    return [r for r in results if r is not None]
