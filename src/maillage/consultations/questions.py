"""Closed questions of a campaign and the answers to them, validated on every write.

A question is ``{"id": "q1", "kind": "scale"|"single"|"multiple", "label": str, ...}``:
a scale has integer ``min`` and ``max`` (e.g. 1 to 5); single and multiple choices have
``options``, a list of distinct non-empty strings. Answers are ``{question id: value}`` where a
scale value is an integer in range, a single choice one option and a multiple choice a list of
distinct options. Every question is optional for the inhabitant.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = ("scale", "single", "multiple")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def validate_questions(questions: Any) -> list[dict[str, Any]]:
    """Return the questions normalized, or raise ValidationError naming the faulty one."""
    if not isinstance(questions, list):
        raise ValidationError(_("The closed questions must be a list."))
    seen: set[str] = set()
    clean: list[dict[str, Any]] = []
    for index, question in enumerate(questions, start=1):
        where = _("Question %(number)s") % {"number": index}
        if not isinstance(question, dict):
            raise ValidationError(_("%(where)s: must be an object.") % {"where": where})
        qid, kind, label = question.get("id"), question.get("kind"), question.get("label")
        if not isinstance(qid, str) or not _ID.match(qid):
            raise ValidationError(
                _("%(where)s: the id must be lowercase letters, digits or _ (e.g. q1).")
                % {"where": where}
            )
        if qid in seen:
            raise ValidationError(
                _("%(where)s: the id %(id)s is used twice.") % {"where": where, "id": qid}
            )
        seen.add(qid)
        if kind not in KINDS:
            raise ValidationError(
                _("%(where)s: the kind must be one of %(kinds)s.")
                % {"where": where, "kinds": ", ".join(KINDS)}
            )
        if not isinstance(label, str) or not label.strip():
            raise ValidationError(_("%(where)s: the question is required.") % {"where": where})
        item: dict[str, Any] = {"id": qid, "kind": kind, "label": label.strip()}
        if kind == "scale":
            low, high = question.get("min", 1), question.get("max", 5)
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
                raise ValidationError(
                    _("%(where)s: min and max must be integers.") % {"where": where}
                )
            if not 0 <= low < high <= 10:
                raise ValidationError(
                    _("%(where)s: the scale must go from a lower to a higher value, 0 to 10.")
                    % {"where": where}
                )
            item.update(min=low, max=high)
        else:
            options = question.get("options")
            if (
                not isinstance(options, list)
                or len(options) < 2
                or not all(isinstance(o, str) and o.strip() for o in options)
            ):
                raise ValidationError(
                    _("%(where)s: a choice needs at least two options.") % {"where": where}
                )
            options = [o.strip() for o in options]
            if len(set(options)) != len(options):
                raise ValidationError(
                    _("%(where)s: the options must be different.") % {"where": where}
                )
            item["options"] = options
        clean.append(item)
    return clean


def validate_answers(questions: list[dict[str, Any]], answers: Any) -> dict[str, Any]:
    """Return ``answers`` checked against ``questions``; raise ValidationError otherwise."""
    if answers in (None, ""):
        return {}
    if not isinstance(answers, dict):
        raise ValidationError("answers must be an object {question id: value}")
    by_id = {q["id"]: q for q in questions}
    clean: dict[str, Any] = {}
    for qid, value in answers.items():
        question = by_id.get(qid)
        if question is None:
            raise ValidationError(f"answers: unknown question {qid!r}")
        if value in (None, "", []):
            continue
        kind = question["kind"]
        if kind == "scale":
            if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError(f"answers: {qid} must be an integer")
            if not question["min"] <= value <= question["max"]:
                raise ValidationError(
                    f"answers: {qid} must be between {question['min']} and {question['max']}"
                )
        elif kind == "single":
            if value not in question["options"]:
                raise ValidationError(f"answers: {qid} must be one of the options")
        else:
            if not isinstance(value, list) or not all(v in question["options"] for v in value):
                raise ValidationError(f"answers: {qid} must be a list of the options")
            value = [o for o in question["options"] if o in value]
        clean[qid] = value
    return clean
