"""Self-observation: the default je/nous/dans questionnaire, its wording, rounds and answers
(the scale and the aggregates are in ``maillage.analysis.self_observation``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from maillage.analysis.self_observation import Answer, Scale
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.journeys.models import (
    AnswerValue,
    Dimension,
    Question,
    Questionnaire,
    Response,
    Round,
)
from maillage.journeys.selectors import questionnaire_has_answers, round_may_open

if TYPE_CHECKING:
    from maillage.people.models import Person


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
                "title_en",
                "low_label_en",
                "high_label_en",
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
def question_update(*, question: Question, actor: Person, text_fr: str, text_en: str) -> Question:
    """Reword a question (facilitators); its key and dimension stay, so history stays comparable."""
    require(actor, "journeys.change_questionnaire", question.questionnaire)
    if not text_fr.strip() or not text_en.strip():
        raise ValidationError(_("Both the French and the English wording are required."))
    question.text_fr, question.text_en = text_fr.strip()[:300], text_en.strip()[:300]
    question.save(update_fields=["text_fr", "text_en"])
    audit_record(actor=actor, action="journeys.question.update", target=question)
    return question


@transaction.atomic
def question_add(
    *,
    questionnaire: Questionnaire,
    actor: Person,
    key: str,
    dimension: str,
    text_fr: str,
    text_en: str,
) -> Question:
    """Add a question (facilitators), only before the first answer to the questionnaire.

    Answers already given would otherwise miss it, and the rounds would stop being comparable.
    """
    require(actor, "journeys.change_questionnaire", questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire_has_answers(questionnaire):
        raise ValidationError(
            _("People have already answered: the set of questions can only be reworded now.")
        )
    errors: dict[str, str] = {}
    key = slugify(key)[:40]
    if not key:
        errors["key"] = _("Give a short key (letters, digits, dashes).")
    elif questionnaire.questions.filter(key=key).exists():
        errors["key"] = _("Another question already has this key.")
    if dimension not in Dimension.values:
        errors["dimension"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Dimension.values)
        }
    if not text_fr.strip() or not text_en.strip():
        errors["text_en" if text_fr.strip() else "text_fr"] = _(
            "Both the French and the English wording are required."
        )
    if errors:
        raise ValidationError(errors)
    last = questionnaire.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question.objects.create(
        questionnaire=questionnaire,
        key=key,
        position=(last or 0) + 1,
        dimension=dimension,
        text_fr=text_fr.strip()[:300],
        text_en=text_en.strip()[:300],
    )
    audit_record(actor=actor, action="journeys.question.add", target=question)
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: Person) -> None:
    """Remove a question (facilitators), only before the first answer to the questionnaire."""
    require(actor, "journeys.change_questionnaire", question.questionnaire)
    if questionnaire_has_answers(question.questionnaire):
        raise ValidationError(
            _("People have already answered: the set of questions can only be reworded now.")
        )
    if question.questionnaire.questions.count() <= 1:
        raise ValidationError(_("A questionnaire keeps at least one question."))
    audit_record(actor=actor, action="journeys.question.remove", data={"key": question.key})
    question.delete()


@transaction.atomic
def round_create(
    *,
    actor: Person,
    questionnaire: Questionnaire,
    title: str,
    opens_on: dt.date,
    organization: Any = None,
    closes_on: dt.date | None = None,
) -> Round:
    """Open a round: for a collective (its admins or the facilitators of its territories) or
    for everyone, each for themselves (facilitators).

    A collective smaller than the anonymity threshold may have a round: each member sees their
    own answers, and the collective's aggregate stays withheld (``selectors.round_below_threshold``).
    """
    if not round_may_open(actor, questionnaire, organization):
        raise PermissionDenied("journeys.open_round")
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the round a title.")
    if closes_on is not None and closes_on < opens_on:
        errors["closes_on"] = _("The round closes before it opens.")
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        questionnaire=questionnaire,
        organization=organization,
        title=title.strip()[:200],
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action="journeys.round.create", target=round_)
    return round_


@transaction.atomic
def round_close(*, round_: Round, actor: Person) -> Round:
    """Close a round now: no more answers; what was answered stays."""
    if not round_may_open(actor, round_.questionnaire, round_.organization):
        raise PermissionDenied("journeys.close_round")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.closed_at is not None:
        raise ValidationError(_("This round is already closed."))
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_at"])
    audit_record(actor=actor, action="journeys.round.close", target=round_)
    return round_


def response_submit(*, round_: Round, actor: Person, answers: dict[str, Any]) -> Response:
    """Record ``actor``'s answers (question key → value) to ``round_``, once.

    Raise ValidationError naming the allowed range for an answer outside the scale, and for
    unknown or missing questions; PermissionDenied when the round is not open to ``actor``.
    """
    require(actor, "journeys.answer_round", round_)
    if not round_.is_open_on(timezone.localdate()):
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
