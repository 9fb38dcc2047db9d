"""Reads on journeys and self-observation; lists cost a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from maillage.analysis.self_observation import (
    MIN_RESPONDENTS,
    Answer,
    CollectiveWave,
    Scale,
    WaveScores,
    collective_aggregates,
    respondent_evolution,
)
from maillage.core.periods import active_q
from maillage.journeys.models import (
    AnswerValue,
    Encounter,
    Journey,
    Questionnaire,
    Response,
    Round,
)
from maillage.organizations.models import Organization
from maillage.people.models import TerritoryRole
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


COWRITING = "maillage.cowriting"


def journey_visible_list(user: Any, *, territory_ids: list[int] | None = None) -> QuerySet[Journey]:
    """Return the journeys ``user`` may see, with their encounter counts, newest first."""
    qs = Journey.objects.select_related("territory")
    if not getattr(user, "is_superuser", False):
        visible = Q(is_public=True)
        if getattr(user, "is_authenticated", False):
            visible |= Q(walkers=user)
        qs = qs.filter(visible).distinct()
    if territory_ids is not None:
        qs = qs.filter(territory_id__in=territory_ids)
    return qs.annotate(encounter_count=Count("encounters", distinct=True)).order_by(
        "-starts_on", "-id"
    )


def journey_get(slug: str) -> Journey:
    """Return the journey with ``slug`` (raise Journey.DoesNotExist)."""
    return Journey.objects.select_related("territory").get(slug=slug)


def journey_encounters(journey: Journey) -> QuerySet[Encounter]:
    return journey.encounters.select_related("territory").order_by("met_on", "id")


def journey_map_geojson(journey: Journey, encounters: list[Encounter]) -> dict[str, Any]:
    """Return the route as a line, and the encounters' territories as points at their centroid.

    An encounter without a territory (a place name only) is in the table, not on the map.
    """
    features: list[dict[str, Any]] = []
    if journey.route:
        features.append(
            {
                "type": "Feature",
                "geometry": journey.route,
                "properties": {
                    "name": f"{journey.title} — {journey.route_length_km:.0f} km",
                    "color": "#9a3412",
                    "fillOpacity": 0,
                },
            }
        )
    by_territory: dict[int, list[Encounter]] = {}
    places: dict[int, Territory] = {}
    for encounter in encounters:
        if encounter.territory is not None and encounter.territory.centroid_lat is not None:
            by_territory.setdefault(encounter.territory.pk, []).append(encounter)
            places.setdefault(encounter.territory.pk, encounter.territory)
    for territory_pk, items in by_territory.items():
        territory = places[territory_pk]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [territory.centroid_lon, territory.centroid_lat],
                },
                "properties": {
                    "name": f"{territory.name} — {len(items)}",
                    "url": f"#encounter-{items[0].pk}",
                    "radius": 5 + 3 * len(items) ** 0.5,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def theme_counts(encounters: list[Encounter]) -> list[tuple[str, int]]:
    """Return the themes of the encounters with how often each came up, most frequent first."""
    counts: dict[str, int] = {}
    for encounter in encounters:
        for theme in encounter.themes or []:
            counts[theme] = counts.get(theme, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def cowriting_installed() -> bool:
    return apps.is_installed(COWRITING)


def journey_shared_work(journey: Journey) -> Any:
    """Return the co-written account attached to ``journey``, or None (or no co-writing)."""
    if not cowriting_installed():
        return None
    from django.contrib.contenttypes.models import ContentType

    from maillage.cowriting.models import SharedWork

    return (
        SharedWork.objects.filter(
            attached_type=ContentType.objects.get_for_model(Journey), attached_id=journey.pk
        )
        .order_by("id")
        .first()
    )


def territory_section(territory: Territory, ids: list[int]) -> dict | None:
    journeys = list(journey_visible_list(None, territory_ids=ids)[:10])
    if not journeys:
        return None
    return {
        "title": "journeys",
        "template": "journeys/territory_section.html",
        "context": {"journeys": journeys, "index_url": reverse("journeys:index")},
    }


# ---------------------------------------------------------------------------------------------
# Self-observation


def questionnaire_default() -> Questionnaire | None:
    return Questionnaire.objects.order_by("id").first()


def rounds_open_to(user: Any) -> list[Round]:
    """Return the rounds ``user`` may answer today: personal ones and their collectives'."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    orgs = user.memberships.filter(active_q()).values("organization_id")
    return list(
        Round.objects.filter(Q(organization__isnull=True) | Q(organization_id__in=orgs))
        .filter(closed_at__isnull=True, opens_on__lte=today)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .select_related("organization", "questionnaire")
        .order_by("opens_on", "id")
    )


def questionnaire_has_answers(questionnaire: Questionnaire) -> bool:
    """Return whether anyone answered the questionnaire (its set of questions is then fixed)."""
    return Response.objects.filter(round__questionnaire=questionnaire).exists()


def organizations_for_rounds(user: Any) -> QuerySet[Organization]:
    """Return the collectives ``user`` may open a round for (see journeys.open_collective_round)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.order_by("name")
    administered = user.memberships.filter(active_q(), role="admin").values("organization_id")
    facilitated = Q()
    for path in (
        TerritoryRole.objects.filter(person=user, role__in=("admin", "facilitator"))
        .filter(active_q())
        .values_list("territory__path", flat=True)
    ):
        facilitated |= Q(territories__path__startswith=path)
    where = Q(pk__in=administered) | facilitated if facilitated else Q(pk__in=administered)
    return Organization.objects.filter(where).distinct().order_by("name")


def rounds_run_by(user: Any) -> list[Round]:
    """Return the rounds ``user`` opened or may close, newest first, with their answer counts."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Round.objects.all()
    if not user.is_superuser:
        qs = qs.filter(Q(created_by=user) | Q(organization__in=organizations_for_rounds(user)))
    return list(
        qs.select_related("organization", "questionnaire")
        .annotate(answer_count=Count("responses"))
        .order_by("-opens_on", "-id")
    )


def _answers(values: QuerySet[AnswerValue]) -> list[Answer]:
    return [
        Answer(
            respondent=str(respondent),
            wave=str(round_id),
            question=key,
            dimension=dimension,
            value=value,
        )
        for respondent, round_id, key, dimension, value in values.values_list(
            "response__respondent_id",
            "response__round_id",
            "question__key",
            "question__dimension",
            "value",
        )
    ]


def _scale(questionnaire: Questionnaire) -> Scale:
    return Scale(questionnaire.scale_low, questionnaire.scale_high)


def person_evolution(
    person: Any, questionnaire: Questionnaire
) -> tuple[list[Round], list[WaveScores]]:
    """Return the rounds ``person`` answered and their mean per dimension in each, in order."""
    rounds = list(
        Round.objects.filter(questionnaire=questionnaire, responses__respondent=person)
        .select_related("organization")
        .order_by("opens_on", "id")
    )
    answers = _answers(
        AnswerValue.objects.filter(
            response__respondent=person, response__round__questionnaire=questionnaire
        )
    )
    waves = [str(r.pk) for r in rounds]
    return rounds, respondent_evolution(
        answers, str(person.pk), waves=waves, scale=_scale(questionnaire)
    )


def collective_evolution(
    organization: Any, questionnaire: Questionnaire
) -> tuple[list[Round], list[CollectiveWave]]:
    """Return a collective's rounds and their aggregates, suppressed under 5 respondents."""
    rounds = list(
        Round.objects.filter(questionnaire=questionnaire, organization=organization).order_by(
            "opens_on", "id"
        )
    )
    answers = _answers(AnswerValue.objects.filter(response__round__in=rounds))
    return rounds, collective_aggregates(
        answers, waves=[str(r.pk) for r in rounds], scale=_scale(questionnaire)
    )


def journeys_export_for_person(person: Any) -> dict[str, Any]:
    """Return what a person walked, recorded and answered, for their GDPR export."""
    return {
        "walked": list(person.journeys.values_list("title", flat=True)),
        "encounters_recorded": [
            {
                "journey": e.journey.title,
                "met_on": e.met_on.isoformat(),
                "place": e.place_label,
                "who": e.who,
                "notes": e.notes,
                "themes": e.themes,
            }
            for e in Encounter.objects.filter(recorded_by=person).select_related(
                "journey", "territory"
            )
        ],
        "self_observation": [
            {
                "round": r.round.title,
                "submitted_at": r.submitted_at.isoformat(),
                "answers": {v.question.key: v.value for v in r.values.all()},
            }
            for r in Response.objects.filter(respondent=person)
            .select_related("round")
            .prefetch_related("values__question")
        ],
    }


def round_may_open(actor: Person, questionnaire: Questionnaire, organization: Any) -> bool:
    """Return whether ``actor`` may open a round: a collective's, or one for everyone."""
    if organization is not None:
        return actor.has_perm("journeys.open_collective_round", organization)
    return actor.has_perm("journeys.change_questionnaire", questionnaire)


def round_below_threshold(round_: Round) -> int | None:
    """Return the collective's member count when under the anonymity threshold, else None."""
    if round_.organization is None:
        return None
    members = round_.organization.memberships.filter(active_q()).count()
    return members if members < MIN_RESPONDENTS else None
