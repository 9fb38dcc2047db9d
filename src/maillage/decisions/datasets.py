"""Open data: the register of adopted decisions of public circles, and majority-judgment results.

No personal data: members are never named, except the facilitator's public name when that
person chose a public profile; objections are published with their reason and integration but
without their author.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from maillage.analysis.majority_judgment import GRADES
from maillage.core.opendata import Dataset, Field
from maillage.decisions.models import GRADE_LABELS, Answer, Decision, DecisionVersion, Poll, Round
from maillage.decisions.selectors import poll_results

BATCH = 200


def _decision_batches() -> Iterator[list[dict[str, Any]]]:
    qs = (
        Decision.objects.filter(state=Decision.State.ADOPTED, circle__is_public=True)
        .order_by("id")
        .values(
            "id",
            "title",
            "circle__slug",
            "circle__name",
            "circle__kind",
            "circle__territory__slug",
            "adopted_at",
            "review_date",
            "facilitator__public_profile",
            "facilitator__pseudonym",
            "facilitator__display_name",
            "facilitator__deleted_at",
        )
    )
    batch: list[dict[str, Any]] = []
    for row in qs.iterator(chunk_size=BATCH):
        batch.append(dict(row))  # a plain dict: the export adds columns to it
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _register_rows() -> Iterator[dict[str, Any]]:
    for batch in _decision_batches():
        ids = [row["id"] for row in batch]
        texts = {}
        for decision_id, number, text in (
            DecisionVersion.objects.filter(decision_id__in=ids)
            .order_by("decision_id", "number")
            .values_list("decision_id", "number", "text")
        ):
            texts[decision_id] = (number, text)
        rounds = dict(
            Round.objects.filter(decision_id__in=ids)
            .values("decision_id")
            .annotate(n=Count("id"))
            .values_list("decision_id", "n")
        )
        objections: dict[int, list[dict[str, str]]] = defaultdict(list)
        for decision_id, reason, acceptable_if, integration in (
            Answer.objects.filter(round__decision_id__in=ids, kind=Answer.Kind.OBJECTION)
            .order_by("round__decision_id", "round__number", "id")
            .values_list("round__decision_id", "reason", "acceptable_if", "integration")
        ):
            objections[decision_id].append(
                {"reason": reason, "acceptable_if": acceptable_if, "integration": integration}
            )
        statuses = {}
        for decision_id, outcome in (
            Round.objects.filter(decision_id__in=ids, kind=Round.Kind.CONSENT)
            .exclude(outcome={})
            .order_by("decision_id", "number")
            .values_list("decision_id", "outcome")
        ):
            statuses[decision_id] = [
                {"delegation": d["name"], "rule": d["rule"], "status": d["status"]}
                for d in outcome.get("delegations", [])
                if d.get("concerned")
            ]
        for row in batch:
            public = row["facilitator__public_profile"] and row["facilitator__deleted_at"] is None
            version, text = texts.get(row["id"], (0, ""))
            yield {
                "id": row["id"],
                "title": row["title"],
                "text": text,
                "version": version,
                "circle": row["circle__slug"],
                "circle_name": row["circle__name"],
                "circle_kind": row["circle__kind"],
                "territory": row["circle__territory__slug"],
                "adopted_at": row["adopted_at"],
                "review_date": row["review_date"],
                "rounds": rounds.get(row["id"], 0),
                "objections": len(objections[row["id"]]),
                "objections_detail": objections[row["id"]],
                "facilitator_public_name": (
                    (row["facilitator__pseudonym"] or row["facilitator__display_name"])
                    if public
                    else None
                ),
                "delegations_status": statuses.get(row["id"], []),
            }


def _majority_judgment_rows() -> Iterator[dict[str, Any]]:
    polls = (
        Poll.objects.filter(circle__is_public=True, method=Poll.Method.MAJORITY_JUDGMENT)
        .filter(Q(state=Poll.State.CLOSED))
        .select_related("circle")
        .order_by("id")
    )
    for poll in polls.iterator(chunk_size=BATCH):
        results = poll_results(poll)
        if results.majority is None:
            continue
        for option in results.majority.ranking:
            row: dict[str, Any] = {
                "id": f"{poll.pk}-{option.option}",
                "poll": poll.pk,
                "poll_title": poll.title,
                "circle": poll.circle.slug,
                "option": results.option_labels[option.option],
                "rank": option.rank,
                "majority_grade": option.majority_grade_label,
                "gauge": option.gauge_sign,
                "voters": results.voters,
            }
            for index, count in enumerate(option.tally):
                row[f"grade_{index}"] = count
            yield row


DATASETS = (
    Dataset(
        name="decisions-register",
        title=_("Decision register"),
        description=_(
            "Decisions adopted by consent in public circles and steering committees: the text "
            "adopted, the number of rounds, every objection with its reason, what would make "
            "the proposal acceptable and how it was integrated, each concerned delegation's "
            "status, and the review date."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("title", "string", _("Title"), required=True),
            Field("text", "string", _("Text adopted"), required=True),
            Field("version", "integer", _("Number of the version adopted"), required=True),
            Field("circle", "string", _("Circle slug"), required=True),
            Field("circle_name", "string", _("Circle name"), required=True),
            Field(
                "circle_kind",
                "string",
                _("Kind of circle"),
                required=True,
                enum=("organization_circle", "project_team", "steering_committee"),
            ),
            Field("territory", "string", _("Territory slug")),
            Field("adopted_at", "datetime", _("Adopted at"), required=True),
            Field("review_date", "date", _("Review date"), required=True),
            Field("rounds", "integer", _("Number of rounds"), required=True),
            Field("objections", "integer", _("Number of objections raised"), required=True),
            Field(
                "objections_detail",
                "array",
                _("Objections: reason, what would make it acceptable, how it was integrated"),
            ),
            Field(
                "facilitator_public_name",
                "string",
                _("Facilitator's public name, only when they chose a public profile"),
            ),
            Field(
                "delegations_status",
                "array",
                _("Status of each concerned delegation at adoption, with its internal rule"),
            ),
        ),
        rows=_register_rows,
        pseudonymization=_(
            "No member is named; objections are published without their author; the "
            "facilitator is named only when they chose a public profile."
        ),
        keywords=("décision", "consentement", "comité de pilotage", "sociocratie"),
    ),
    Dataset(
        name="majority-judgment-results",
        title=_("Majority judgment results"),
        description=_(
            "Results of the closed majority-judgment polls of public circles: for each option, "
            "its rank, majority grade, gauge sign and merit profile (number of each grade, "
            "grade_0 = Reject … grade_6 = Excellent)."
        ),
        fields=(
            Field("id", "string", _("Poll and option"), required=True),
            Field("poll", "integer", _("Poll identifier"), required=True),
            Field("poll_title", "string", _("Poll title"), required=True),
            Field("circle", "string", _("Circle slug"), required=True),
            Field("option", "string", _("Option"), required=True),
            Field("rank", "integer", _("Rank (1 = chosen; ties share a rank)"), required=True),
            Field(
                "majority_grade",
                "string",
                _("Majority grade"),
                required=True,
                enum=tuple(GRADE_LABELS[key] for key in GRADES),
            ),
            Field(
                "gauge",
                "string",
                _("Gauge: + when more grades lie above the majority grade"),
                enum=("+", "-"),
            ),
            Field("voters", "integer", _("Number of voters"), required=True),
            *(
                Field(
                    f"grade_{index}",
                    "integer",
                    format_lazy("{} {}", _("Number of grades:"), label),
                    required=True,
                )
                for index, label in enumerate(GRADE_LABELS[key] for key in GRADES)
            ),
        ),
        rows=_majority_judgment_rows,
        pseudonymization=_("Counts only: no voter is identified."),
        keywords=("jugement majoritaire", "vote", "scrutin"),
    ),
)
