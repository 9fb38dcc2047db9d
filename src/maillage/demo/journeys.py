"""Demo: a 320 km journey looping through the agglomeration and beyond, 40 encounters, its
co-written account (when co-writing is installed), and two rounds of self-observation for two
collectives."""

from __future__ import annotations

import datetime as dt
import math
import uuid

from django.apps import apps
from django.test import override_settings
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.journeys.services import (
    account_start,
    encounter_sync_batch,
    journey_create,
    journey_import_gpx,
    questionnaire_ensure_default,
    response_submit,
    round_create,
    stage_add,
)
from maillage.organizations.models import Membership, Organization
from maillage.people.models import Person

# (lon, lat) the route passes by: the five communes, then north along the vineyards, east to
# the Rhine and back south; meanders bring it to about 320 km.
WAYPOINTS = [
    (7.335, 47.750),
    (7.250, 47.710),
    (7.255, 47.795),
    (7.22, 47.90),
    (7.30, 48.02),
    (7.36, 48.08),
    (7.45, 48.05),
    (7.56, 47.95),
    (7.55, 47.80),
    (7.52, 47.66),
    (7.415, 47.700),
    (7.420, 47.800),
    (7.335, 47.750),
]
PLACES_BEYOND = [
    "Marché de Guebwiller",
    "Ferme-auberge du Grand Ballon",
    "Écluse du canal du Rhône au Rhin",
    "Lavoir de Soultz",
    "Gare de Colmar",
    "Berges du Rhin à Chalampé",
    "Cave coopérative de Pfaffenheim",
    "Place du village d'Ensisheim",
]
WHO = [
    "une boulangère",
    "deux lycéens",
    "un agriculteur à la retraite",
    "une élue municipale",
    "un chauffeur de bus",
    "une bénévole du Repair Café",
    "un ouvrier de la fonderie",
    "une infirmière de nuit",
    "un éclusier",
    "une famille en vélo",
]
NOTES = [
    "Ici, tout le monde se connaît, mais personne ne se parle des projets de la commune.",
    "Le marché du samedi est le seul moment où l'on croise les nouveaux habitants.",
    "On a mis en commun le matériel entre trois villages, sans convention : ça marche.",
    "Les jeunes partent à Bâle pour travailler ; ils aimeraient un lieu pour se retrouver ici.",
    "La friche fait peur la nuit ; le jour, les enfants y jouent.",
    "Personne ne nous a jamais demandé notre avis sur la ligne de bus.",
]
THEMES = [
    "mobilité",
    "commerce de proximité",
    "jeunesse",
    "friche",
    "lien social",
    "agriculture",
    "frontière",
    "mémoire ouvrière",
    "entraide",
]
STAGES = [
    "Bramont – Lutterbach-la-Forge",
    "Lutterbach – Riedwihr-les-Prés",
    "Riedwihr – Soultz",
    "Soultz – Guebwiller",
    "Guebwiller – Rouffach",
    "Rouffach – Colmar",
    "Colmar – Neuf-Brisach",
    "Neuf-Brisach – Fessenheim",
    "Fessenheim – Chalampé",
    "Chalampé – Ottmarsheim",
    "Ottmarsheim – Sainte-Odile-des-Champs",
    "Sainte-Odile – Hautecombe – Bramont",
]


def _track(rng, target_km: float = 320.0, points: int = 4000) -> list[tuple[float, float]]:
    """Return a meandering loop through WAYPOINTS of about ``target_km`` (deterministic)."""

    def build(amplitude: float) -> list[tuple[float, float]]:
        result = []
        per = points // (len(WAYPOINTS) - 1)
        for (lon0, lat0), (lon1, lat1) in zip(WAYPOINTS, WAYPOINTS[1:], strict=False):
            dx, dy = lon1 - lon0, lat1 - lat0
            norm = math.hypot(dx, dy) or 1.0
            for i in range(per):
                t = i / per
                bend = amplitude * math.sin(t * math.pi * 9) * math.sin(t * math.pi)
                result.append((lon0 + dx * t - dy / norm * bend, lat0 + dy * t + dx / norm * bend))
        result.append(WAYPOINTS[-1])
        return result

    def length(line: list[tuple[float, float]]) -> float:
        km = 0.0
        for (lon0, lat0), (lon1, lat1) in zip(line, line[1:], strict=False):
            km += math.hypot((lon1 - lon0) * 75.0, (lat1 - lat0) * 111.2)
        return km

    low, high = 0.0, 0.2
    for _ in range(30):  # bisection on the meander amplitude to reach the target length
        middle = (low + high) / 2
        if length(build(middle)) < target_km:
            low = middle
        else:
            high = middle
    jitter = 0.00003
    return [
        (lon + rng.uniform(-jitter, jitter), lat + rng.uniform(-jitter, jitter))
        for lon, lat in build(low)
    ]


def _gpx(points: list[tuple[float, float]], start: dt.datetime) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Maillage demo" xmlns="http://www.topografix.com/GPX/1/1">',
        "<trk><name>Traversée coopérative du Sud-Alsace</name><trkseg>",
    ]
    for i, (lon, lat) in enumerate(points):
        moment = (start + dt.timedelta(seconds=290 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><time>{moment}</time></trkpt>')
    lines += ["</trkseg></trk>", "</gpx>"]
    return "\n".join(lines).encode()


@demo_step(70, "journeys: a 320 km walk, its encounters and its account")
def build_journeys(ctx: DemoContext) -> None:
    rng = ctx.rng
    by_email = ctx.objects["by_email"]
    facilitator = by_email[f"animatrice@{DEMO_DOMAIN}"]
    institute = next(
        o for o in ctx.objects["organizations"] if o.name.startswith("Institut des territoires")
    )
    institute_members = list(
        Person.objects.filter(
            active_q("memberships__"), memberships__organization=institute
        ).order_by("id")[:2]
    )
    walkers = [by_email[f"habitante@{DEMO_DOMAIN}"], *institute_members]
    start = dt.date(2026, 5, 4)
    journey = journey_create(
        actor=facilitator,
        title="Traversée coopérative du Sud-Alsace",
        territory=ctx.objects["agglo"],
        starts_on=start,
        ends_on=start + dt.timedelta(days=13),
        description=(
            "Quatorze jours à pied, 320 km, pour aller à la rencontre de ceux qui savent parce "
            "qu'ils font. Pas de rapport d'itinérance : un récit co-écrit avec les personnes "
            "rencontrées."
        ),
        walkers=walkers,
        slug="traversee-cooperative-sud-alsace",
    )
    for index, title in enumerate(STAGES):
        day = start + dt.timedelta(days=index + index // 6)
        stage_add(
            journey=journey,
            actor=facilitator,
            title=title,
            starts_on=day,
            ends_on=day,
            distance_km=round(320 / len(STAGES), 1),
        )
    gpx = _gpx(_track(rng), dt.datetime.combine(start, dt.time(7, 30)))
    journey_import_gpx(journey=journey, actor=facilitator, data=gpx)

    places = ctx.objects["communes"] + ctx.objects["neighbourhoods"]
    records = []
    for i in range(40):
        beyond = i % 3 == 2
        consent = rng.random() < 0.8
        records.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "journey": journey.slug,
                "territory": None if beyond else rng.choice(places).pk,
                "place_name": rng.choice(PLACES_BEYOND) if beyond else "",
                "met_on": (start + dt.timedelta(days=i * 14 // 40)).isoformat(),
                "who": rng.choice(WHO),
                "notes": rng.choice(NOTES) if consent else "",
                "consent": consent,
                "themes": rng.sample(THEMES, rng.randint(1, 3)),
            }
        )
    encounter_sync_batch(actor=walkers[0], records=records)
    if apps.is_installed("maillage.cowriting"):
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            account_start(journey=journey, actor=walkers[0])
    ctx.objects["journey"] = journey


@demo_step(71, "self-observation: two rounds for two collectives")
def build_self_observation(ctx: DemoContext) -> None:
    rng = ctx.rng
    by_email = ctx.objects["by_email"]
    admin = by_email[f"admin@{DEMO_DOMAIN}"]
    questionnaire = questionnaire_ensure_default()
    questions = list(questionnaire.questions.all())
    names = ["Association des habitants des Tisserands", "Collectif Friche Vivante"]
    pool = ctx.objects["people"][30:]  # demo inhabitants, not the named logins
    today = timezone.localdate()
    for name, drift in zip(names, (0.6, 0.3), strict=True):
        organization = Organization.objects.get(name=name)
        members = list(
            Person.objects.filter(
                active_q("memberships__"), memberships__organization=organization
            ).order_by("id")
        )
        # At least seven members, so that both rounds pass the anonymity floor of five.
        for person in rng.sample(pool, 10):
            if len(members) >= 7:
                break
            if person not in members:
                Membership.objects.create(person=person, organization=organization)
                members.append(person)
        rounds = [
            round_create(
                actor=admin,
                questionnaire=questionnaire,
                organization=organization,
                title=title,
                opens_on=today - dt.timedelta(days=days),
            )
            for title, days in (("Premier tour", 200), ("Second tour, six mois après", 20))
        ]
        base = {p.pk: {q.key: rng.randint(1, 4) for q in questions} for p in members}
        for number, round_ in enumerate(rounds):
            for person in members:
                answers = {
                    key: max(1, min(5, value + round(number * drift + rng.uniform(-0.4, 1.0))))
                    for key, value in base[person.pk].items()
                }
                response_submit(round_=round_, actor=person, answers=answers)
