"""Import a day of paper contributions from a CSV file, with a dry run reporting by line.

Columns: ``site`` (id or exact name of one of the campaign's sites), ``text``, ``consent``
(oui/non, yes/no, 1/0, true/false) are required; ``captured_at`` (ISO date or date-time),
``age_band``, ``relation``, ``contact_email`` and one column per closed question (its id) are
optional. Comma or semicolon separated (the French spreadsheet default), UTF-8.

Each line gets a UUID derived from the campaign, the line's content and its rank among
identical lines, so importing the same file twice records every line once.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from charset_normalizer import from_bytes
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.consultations.models import Campaign, Contribution
from maillage.consultations.selectors import contributions_received
from maillage.consultations.services.contributions import (
    HASHED_FIELDS,
    campaign_context,
    contribution_validate,
)
from maillage.core.permissions import require
from maillage.core.sync import insert_new, payload_hash

if TYPE_CHECKING:
    from maillage.people.models import Person


REQUIRED_COLUMNS = ("site", "text", "consent")
OPTIONAL_COLUMNS = ("captured_at", "age_band", "relation", "contact_email")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
_NAMESPACE = uuid.UUID("6f1d7c1e-4d0b-4c57-9a53-1d2f0b6c9e41")
_TRUE = {"oui", "yes", "1", "true", "vrai", "o", "y", "x"}
_FALSE = {"non", "no", "0", "false", "faux", "n", ""}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class LineError:
    line: int
    messages: list[str]


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run)."""

    dry_run: bool
    total: int = 0
    valid: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)


def expected_columns(campaign: Campaign) -> list[str]:
    """Return every column the file may have, required first."""
    return [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *(q["id"] for q in campaign.closed_questions)]


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower() in {"utf-8", "utf8"} else encoding)
    except LookupError:
        raise ImportFileError(_("unknown encoding %(encoding)r") % {"encoding": encoding}) from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        guess = from_bytes(data).best()
        message = _("line %(line)s is not valid %(encoding)s (byte 0x%(byte)02x)") % {
            "line": line,
            "encoding": encoding,
            "byte": data[error.start],
        }
        if guess and guess.encoding:
            message += _("; it looks like %(guess)s") % {"guess": guess.encoding}
        raise ImportFileError(
            message
            + ". "
            + _("Save the file as UTF-8, or choose the file's encoding, and try again.")
        ) from None


def _rows(text: str, campaign: Campaign) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            _(
                "missing columns: %(missing)s. Expected columns: %(expected)s (the first three are required)"
            )
            % {"missing": ", ".join(missing), "expected": ", ".join(expected_columns(campaign))}
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return header, rows


def _record(
    campaign: Campaign, row: dict[str, str], site_by_name: dict[str, int]
) -> tuple[dict[str, Any], list[str]]:
    problems = []
    site: Any = row.get("site", "")
    if not site.isdigit():
        site = site_by_name.get(site.casefold(), site)
    consent_text = row.get("consent", "").casefold()
    if consent_text in _TRUE:
        consent: Any = True
    elif consent_text in _FALSE:
        consent = False
    else:
        consent = None
        problems.append(
            _("consent: %(value)r is not yes or no (oui or non)") % {"value": row.get("consent")}
        )
    answers: dict[str, Any] = {}
    for question in campaign.closed_questions:
        value = row.get(question["id"], "")
        if not value:
            continue
        if question["kind"] == "multiple":
            answers[question["id"]] = [v.strip() for v in value.split("|") if v.strip()]
        else:
            answers[question["id"]] = value
    record = {
        "campaign": campaign.slug,
        "site": site,
        "text": row.get("text", ""),
        "answers": answers,
        "age_band": row.get("age_band", ""),
        "relation": row.get("relation", ""),
        "consent": consent if consent is not None else False,
        "captured_at": row.get("captured_at", ""),
        "contact_email": row.get("contact_email", ""),
    }
    if len(record["captured_at"]) == 10:  # a date alone: noon, so the day survives time zones
        record["captured_at"] += "T12:00:00"
    return record, problems


def paper_import(
    *, campaign: Campaign, actor: Person, data: bytes, dry_run: bool = True, encoding: str = "utf-8"
) -> ImportReport:
    """Check (and unless ``dry_run``, record) the lines of a CSV of paper contributions.

    Valid lines are recorded even when others have errors; the report names every bad line so
    that a corrected file can be imported again without duplicating the good ones.
    """
    require(actor, "consultations.import_contributions", campaign)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _("the file is larger than %(size)s MB") % {"size": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    _header, rows = _rows(_decode(data, encoding), campaign)
    report = ImportReport(dry_run=dry_run, total=len(rows))
    ctx = campaign_context(campaign)
    site_by_name = {name.casefold(): pk for pk, name in ctx.site_names.items()}
    occurrences: dict[str, int] = {}
    to_insert = []
    for line, row in rows:
        record, problems = _record(campaign, row, site_by_name)
        fields, errors = contribution_validate(ctx, record)
        messages = problems + [m for msgs in errors.values() for m in msgs]
        if messages:
            report.errors.append(LineError(line, messages))
            continue
        report.valid += 1
        content = json.dumps(record, sort_keys=True, ensure_ascii=False)
        occurrences[content] = occurrences.get(content, 0) + 1
        uid = str(uuid.uuid5(_NAMESPACE, f"{campaign.pk}:{occurrences[content]}:{content}"))
        to_insert.append(
            Contribution(
                client_uuid=uid,
                payload_hash=payload_hash(record, HASHED_FIELDS),
                source=Contribution.Source.PAPER,
                agent=actor,
                **fields,
            )
        )
    if dry_run:
        return report
    with transaction.atomic():
        # A line's UUID comes from its contents: one already recorded is the same line again.
        report.created = len(insert_new(to_insert))
        if report.created:
            transaction.on_commit(partial(contributions_received, campaign.pk))
    report.duplicates = len(to_insert) - report.created
    return report
