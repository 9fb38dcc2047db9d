"""The shared shape of the ``POST …/sync`` endpoints that receive offline batches.

Each capability validates and stores its own records; reading the body, the size limit and the
per-record answer are the same everywhere and live here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Schema, Status

from maillage.core.sync import RecordResult


class RecordResultOut(Schema):
    uuid: str
    status: int
    result: str
    id: int | None
    message: str
    errors: dict[str, list[str]]


class SyncOut(Schema):
    results: list[RecordResultOut]
    created: int
    duplicates: int
    failed: int


class ErrorOut(Schema):
    detail: str
    limit: int | None = None


def sync_body_schema(record_schema: type[Schema], max_batch: int) -> dict[str, Any]:
    """Return the OpenAPI request body of a sync endpoint (the body is read by hand)."""
    records = {"type": "array", "maxItems": max_batch, "items": record_schema.model_json_schema()}
    schema = {"type": "object", "required": ["records"], "properties": {"records": records}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def read_records(request: HttpRequest, max_batch: int) -> list[Any] | Status:
    """Return the batch's records, or the 400/413 answer that names what is wrong with it."""
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, {"detail": "the request body is too large"})
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as error:
        return Status(400, {"detail": f"malformed JSON: {error}"})
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        return Status(400, {"detail": 'expected a JSON object {"records": [...]}'})
    if len(records) > max_batch:
        return Status(
            413,
            {
                "detail": f"the batch has {len(records)} records; the limit is {max_batch} "
                "per request: split it",
                "limit": max_batch,
            },
        )
    return records


def sync_answer(results: Sequence[RecordResult]) -> dict[str, Any]:
    """Return the per-record results and their tally."""
    return {
        "results": [r.as_dict() for r in results],
        "created": sum(r.result == "created" for r in results),
        "duplicates": sum(r.result == "duplicate" for r in results),
        "failed": sum(r.status >= 400 for r in results),
    }
