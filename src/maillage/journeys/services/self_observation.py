"""Self-observation: the default je/nous/dans questionnaire, its wording, rounds and answers
(the scale and the aggregates are in ``maillage.analysis.self_observation``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis.self_observation import Answer, Scale
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.journeys.models import AnswerValue, Question, Questionnaire, Response, Round

DEFAULT_QUESTIONNAIRE = (
    Path(__file__).resolve().parent.parent / "data" / "self_observation_default.json"
)


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
