"""Demo: an answered consultation with ~2,000 varied contributions, and an open one to fill."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from maillage.consultations.models import Contribution, Response
from maillage.consultations.services import campaign_create
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN

QUESTION = "Comment avez-vous envie de vous sentir dans cet espace public ?"
QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "bien",
        "kind": "scale",
        "label": "Aujourd'hui, vous sentez-vous bien ici ?",
        "min": 1,
        "max": 5,
    },
    {
        "id": "moment",
        "kind": "single",
        "label": "Quand venez-vous le plus souvent ?",
        "options": ["Le matin", "En journée", "Le soir", "La nuit", "Le week-end"],
    },
    {
        "id": "usages",
        "kind": "multiple",
        "label": "Qu'y faites-vous ?",
        "options": [
            "Me reposer",
            "Jouer avec les enfants",
            "Traverser",
            "Rencontrer des gens",
            "Faire mes courses",
            "Faire du sport",
        ],
    },
]
OPENINGS = [
    "J'aimerais me sentir",
    "Je voudrais me sentir",
    "Ici, j'ai envie de me sentir",
    "Je rêve de me sentir",
    "On aimerait se sentir",
    "Moi, je veux juste me sentir",
    "Avec mes enfants, on voudrait se sentir",
    "Je souhaite me sentir",
    "J'ai besoin de me sentir",
]
FEELINGS = [
    "en sécurité",
    "apaisée",
    "apaisé",
    "accueilli",
    "libre",
    "chez moi",
    "au calme",
    "à l'aise",
    "en lien avec les voisins",
    "au frais",
    "respecté",
    "bienvenue quel que soit mon âge",
    "comme dans un jardin",
    "en confiance",
    "moins seule",
    "fier de mon quartier",
]
MOMENTS = [
    "quand je traverse la place le soir",
    "quand j'attends le bus",
    "quand je promène le chien",
    "quand je viens lire à midi",
    "avec ma poussette",
    "en rentrant du travail",
    "quand les enfants sortent de l'école",
    "le dimanche matin",
    "en été, quand il fait 35 degrés",
    "quand il pleut",
    "en fauteuil roulant",
    "à vélo",
    "quand je fais mon marché",
    "la nuit, en sortant du tram",
    "quand je retrouve mes amis",
]
ASKS = [
    ("bancs", "Il faudrait plus de bancs à l'ombre, avec des dossiers pour les anciens."),
    ("arbres", "Plantez des arbres : on étouffe l'été sur ce bitume."),
    ("éclairage", "Un éclairage doux mais suffisant, pas ces lampadaires aveuglants."),
    ("toilettes", "Des toilettes publiques propres et ouvertes."),
    ("fontaine", "Une fontaine à eau potable, surtout pour les enfants."),
    ("jeux", "Des jeux pour les petits et un coin pour les ados."),
    ("voitures", "Moins de voitures, ralentir la circulation devant l'école."),
    ("propreté", "Plus de poubelles et de tri, c'est souvent sale le lundi."),
    ("abri", "Un abri contre la pluie et le soleil."),
    ("marché", "Un petit marché de producteurs le samedi matin."),
    ("vélo", "Une piste cyclable continue et des arceaux pour les vélos."),
    ("jardinières", "Des jardinières que les habitants pourraient entretenir ensemble."),
    ("fêtes", "Des fêtes de quartier, de la musique, des repas partagés."),
    ("accessibilité", "Des trottoirs sans obstacles pour les fauteuils et les poussettes."),
    ("bruit", "Moins de bruit la nuit, on dort mal avec les scooters."),
    ("histoire", "Raconter l'histoire ouvrière du lieu, avec des panneaux ou des photos."),
    ("sport", "Des agrès de sport en accès libre."),
    ("piscine", "Une piscine en plein air, ce serait le rêve."),
]
EXTRAS = [
    "",
    "",
    "",
    " Merci de venir nous demander notre avis.",
    " Et surtout, que ça dure !",
    " C'est important pour les personnes âgées.",
    " Les jeunes aussi ont leur place ici.",
    " On pourrait le faire avec l'association du quartier.",
    " Ça changerait tout.",
]
SHORT = [
    "Plus d'ombre !",
    "Des bancs, tout simplement.",
    "Qu'on s'y sente en sécurité la nuit.",
    "Un endroit pour se poser sans rien acheter.",
    "Moins de voitures, plus d'enfants.",
    "Du vert, du vert, du vert.",
]
RESPONSES = [
    (
        "bancs",
        "Vingt bancs ombragés installés",
        "done",
        "Vingt bancs avec dossier et accoudoirs ont été posés sous les arbres existants.",
        "",
    ),
    (
        "arbres",
        "Plan de plantation de 120 arbres",
        "retained",
        "Le plan de plantation est voté ; les premières plantations auront lieu à l'automne.",
        "",
    ),
    (
        "éclairage",
        "Éclairage doux et détecteurs de présence",
        "under_study",
        "Un test d'éclairage est prévu sur deux sites avant généralisation.",
        "",
    ),
    (
        "toilettes",
        "Toilettes publiques",
        "retained",
        "Deux sanitaires autonomes seront ouverts près des aires de jeux.",
        "",
    ),
    ("fontaine", "Fontaines à eau potable", "done", "Quatre fontaines ont été raccordées.", ""),
    (
        "jeux",
        "Aire de jeux et espace ados",
        "under_study",
        "Un atelier de co-conception avec les jeunes est programmé.",
        "",
    ),
    (
        "voitures",
        "Zone de rencontre devant les écoles",
        "retained",
        "Limitation à 20 km/h et rue aux enfants le vendredi.",
        "",
    ),
    ("propreté", "Tri et collecte le week-end", "done", "Collecte ajoutée le dimanche soir.", ""),
    ("abri", "Abris ombragés", "received", "", ""),
    (
        "marché",
        "Marché de producteurs",
        "retained",
        "Un marché mensuel avec la chambre d'agriculture, puis hebdomadaire si le public suit.",
        "",
    ),
    ("vélo", "Continuité cyclable", "under_study", "Étude de tracé avec Vélo-Cité Bramont.", ""),
    (
        "jardinières",
        "Jardinières partagées",
        "done",
        "Quinze jardinières confiées aux Jardins partagés des Coteaux.",
        "",
    ),
    ("fêtes", "Fêtes de quartier", "retained", "Une enveloppe pour trois fêtes par an.", ""),
    (
        "accessibilité",
        "Trottoirs accessibles",
        "under_study",
        "Diagnostic avec l'APF en cours.",
        "",
    ),
    (
        "bruit",
        "Bruit nocturne",
        "not_retained",
        "",
        "La police municipale renforce déjà ses rondes ; une nouvelle mesure n'est pas prévue.",
    ),
    (
        "histoire",
        "Parcours de mémoire ouvrière",
        "retained",
        "Avec l'association Mémoire ouvrière et le laboratoire CRESAT.",
        "",
    ),
    ("sport", "Agrès sportifs", "received", "", ""),
    (
        "piscine",
        "Piscine en plein air",
        "not_retained",
        "",
        "Le coût d'investissement et d'entretien dépasse le budget ; une baignade est étudiée "
        "au plan d'eau intercommunal.",
    ),
]
HIDDEN = [
    (
        "Le voisin du 12, M. Schmitt, laisse tout traîner, appelez-le au 06 11 22 33 44.",
        "personal_data",
    ),
    ("Bande d'incapables à la mairie.", "insult"),
    ("Vends vélo bon état, contactez-moi.", "off_topic"),
]
AGE_BANDS = [v for v, _ in Contribution.AgeBand.choices]
RELATIONS = [v for v, _ in Contribution.Relation.choices]


def _text(rng: Any, site: str) -> tuple[str, str | None]:
    if rng.random() < 0.08:
        return rng.choice(SHORT), None
    key, ask = rng.choice(ASKS)
    wish = f"{rng.choice(OPENINGS)} {rng.choice(FEELINGS)} {rng.choice(MOMENTS)}."
    if rng.random() < 0.3:
        wish = f"{site} : {wish[0].lower()}{wish[1:]}"
    return f"{wish} {ask}{rng.choice(EXTRAS)}", key


def _answers(rng: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if rng.random() < 0.8:
        answers["bien"] = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 4, 2])[0]
    if rng.random() < 0.7:
        answers["moment"] = rng.choice(QUESTIONS[1]["options"])
    if rng.random() < 0.6:
        options = QUESTIONS[2]["options"]
        answers["usages"] = [o for o in options if rng.random() < 0.3] or [options[2]]
    return answers


def _contributions(
    ctx: DemoContext,
    campaign: Any,
    sites: list,
    agents: list,
    count: int,
    start: dt.datetime,
    days: int,
    *,
    moderated: bool,
) -> list[tuple[Contribution, str | None]]:
    rng = ctx.rng
    people = ctx.objects["people"][20:]
    made = []
    for _ in range(count):
        site = rng.choice(sites)
        text, key = _text(rng, site.name)
        consent = rng.random() < 0.88
        source = rng.choices(["field", "online", "paper"], weights=[80, 15, 5])[0]
        status = "pending"
        if not consent:
            status = "private"
        elif moderated:
            status = "published"
        author = rng.choice(people) if source == "online" and rng.random() < 0.4 else None
        captured = start + dt.timedelta(minutes=rng.randint(0, days * 24 * 60))
        row = Contribution(
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            campaign=campaign,
            site=site,
            text=text,
            answers=_answers(rng),
            age_band=rng.choice(["", *AGE_BANDS]),
            relation=rng.choice(["", *RELATIONS]),
            consent_publication=consent,
            source=source,
            agent=rng.choice(agents) if source != "online" else None,
            author=author,
            contact_email=(
                f"habitant.{rng.randint(1, 99999)}@{DEMO_DOMAIN}" if rng.random() < 0.1 else ""
            ),
            status=status,
            payload_hash=hashlib.sha256(text.encode()).hexdigest(),
            captured_at=captured,
        )
        made.append((row, key))
    return made


@demo_step(30, "field consultations")
@transaction.atomic
def build_consultations(ctx: DemoContext) -> None:
    by_email = ctx.objects["by_email"]
    agglo, sites = ctx.objects["agglo"], ctx.objects["sites"]
    facilitator = by_email[f"animatrice@{DEMO_DOMAIN}"]
    agents = [by_email[f"agent{i}@{DEMO_DOMAIN}"] for i in range(1, 9)]

    answered = campaign_create(
        actor=facilitator,
        title="Nos espaces publics : comment voulez-vous vous y sentir ?",
        slug="espaces-publics-2025",
        territory=agglo,
        open_question=QUESTION,
        description=(
            "Au printemps 2025, les huit agents du service participation sont allés sur douze "
            "places, parcs et berges à la rencontre des habitants, à la place des conseils de "
            "quartier. Chaque souhait a reçu une réponse."
        ),
        closed_questions=QUESTIONS,
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2025, 6, 30),
        sites=sites[:12],
        team=agents,
        facilitator=facilitator,
        status="answered",
    )
    start = dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC)
    made = _contributions(ctx, answered, sites[:12], agents, 1980, start, 90, moderated=True)
    for text, reason in HIDDEN:
        row = Contribution(
            client_uuid=uuid.UUID(int=ctx.rng.getrandbits(128), version=4),
            campaign=answered,
            site=sites[0],
            text=text,
            consent_publication=True,
            source="field",
            agent=agents[0],
            status="hidden",
            hidden_reason=reason,
            payload_hash=hashlib.sha256(text.encode()).hexdigest(),
            captured_at=start + dt.timedelta(days=10),
        )
        made.append((row, None))
    Contribution.objects.bulk_create([row for row, _ in made], batch_size=500)

    by_key: dict[str, list[int]] = {}
    for row, key in made:
        if key and row.status != "hidden":
            by_key.setdefault(key, []).append(row.pk)
    links = []
    for key, title, status, text, reason in RESPONSES:
        response = Response.objects.create(
            campaign=answered,
            title=title,
            status=status,
            text=text,
            reason=reason,
            author=facilitator,
        )
        links += [
            Response.contributions.through(response_id=response.pk, contribution_id=pk)
            for pk in by_key.get(key, [])
        ]
    Response.contributions.through.objects.bulk_create(links, batch_size=1000)

    today = timezone.localdate()
    open_campaign = campaign_create(
        actor=facilitator,
        title="Berges et friche DMC : comment voulez-vous vous y sentir ?",
        slug="berges-et-friche-2026",
        territory=agglo,
        open_question=QUESTION,
        description=(
            "Les agents du service participation sont sur les berges de l'Ill et aux abords de "
            "la friche DMC. Vous pouvez aussi contribuer en ligne."
        ),
        closed_questions=QUESTIONS[:2],
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=60),
        sites=[sites[2], sites[7], sites[9], sites[14], sites[18], sites[19]],
        team=agents,
        facilitator=facilitator,
        status="open",
    )
    recent = timezone.now() - dt.timedelta(days=14)
    pending = _contributions(
        ctx,
        open_campaign,
        list(open_campaign.sites.all()),
        agents,
        60,
        recent,
        13,
        moderated=False,
    )
    Contribution.objects.bulk_create([row for row, _ in pending])
    ctx.objects.update(campaigns=[answered, open_campaign])
