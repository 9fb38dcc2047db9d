"""Demo: 60 offers and 40 needs between the organizations, 25 exchanges (with a loop of three
organizations), and the stored suggestions of the matching engine."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.organizations.models import Membership
from maillage.pooling.services import (
    exchange_confirm,
    exchange_record,
    listing_create,
    suggestion_recompute_all,
)

# (category, title, description) — offered and needed alike, so that matches exist.
ITEMS = [
    ("skills", "Animation d'ateliers participatifs", "World café, forum ouvert, théâtre-forum."),
    ("skills", "Comptabilité associative", "Aide au budget, au bilan et aux subventions."),
    ("skills", "Traduction allemand-français", "Documents et réunions transfrontalières."),
    ("skills", "Cartographie participative", "Cartes sensibles avec les habitants, QGIS."),
    ("skills", "Réparation de vélos", "Ateliers d'autoréparation, pièces de réemploi."),
    ("skills", "Graphisme et affiches", "Affiches, flyers et signalétique accessibles."),
    ("skills", "Développement web libre", "Sites et outils numériques open source."),
    ("skills", "Facilitation en sociocratie", "Élection sans candidat, décision par consentement."),
    ("skills", "Médiation interculturelle", "Accompagner les habitants allophones."),
    ("skills", "Montage de dossiers européens", "Interreg, FEDER, LEADER."),
    ("equipment", "Imprimante 3D et découpe laser", "Fablab, prêt avec formation."),
    ("equipment", "Sonorisation mobile", "Enceintes, micros sans fil pour 200 personnes."),
    ("equipment", "Vélo cargo électrique", "Transport de matériel en ville."),
    ("equipment", "Barnums et tables pliantes", "Pour fêtes de quartier et marchés."),
    ("equipment", "Vidéoprojecteur et écran", "Projection en plein air possible."),
    ("equipment", "Minibus 9 places", "Sorties des aînés, transport de groupes."),
    ("equipment", "Outils de jardinage", "Bêches, grelinettes, broyeur à végétaux."),
    ("equipment", "Matériel de captation vidéo", "Caméra, trépied, micros-cravates."),
    ("spaces", "Salle de réunion de 40 places", "Accessible, équipée, en centre-ville."),
    ("spaces", "Atelier partagé à la friche", "Établis et stockage dans la halle."),
    ("spaces", "Cuisine professionnelle", "Pour ateliers cuisine et repas solidaires."),
    ("spaces", "Jardin pour animations", "Parcelle ouverte aux écoles."),
    ("spaces", "Bureau en coworking", "Deux postes, une demi-journée par semaine."),
    ("spaces", "Amphithéâtre universitaire", "Conférences publiques le soir."),
    (
        "methods",
        "Méthode de concertation sur l'espace public",
        "Comment avez-vous envie de vous sentir ici ?",
    ),
    (
        "methods",
        "Budget participatif clé en main",
        "Règlement, calendrier, vote en ligne et papier.",
    ),
    (
        "methods",
        "Démarche de design de service",
        "Immersion, prototypage et test avec les usagers.",
    ),
    (
        "methods",
        "Marche exploratoire de nuit",
        "Avec les habitantes, pour l'éclairage et la sécurité.",
    ),
    ("methods", "Observatoire de l'implicite", "Repérer les coopérations entre les plis."),
    ("methods", "Évaluation d'impact social", "Indicateurs co-construits avec les bénéficiaires."),
]
CONDITIONS = ["free", "free", "exchange", "cost_price"]


def _member(organization, members):
    """Return an active member of ``organization`` (who may record for it)."""
    return members.get(organization.pk)


@demo_step(60, "pooling: offers, needs, exchanges")
def build_pooling(ctx: DemoContext) -> None:
    rng = ctx.rng
    admin = ctx.objects["by_email"][f"admin@{DEMO_DOMAIN}"]
    organizations = ctx.objects["organizations"]
    places = ctx.objects["communes"] + ctx.objects["neighbourhoods"]
    today = timezone.localdate()
    for kind, count in (("offer", 60), ("need", 40)):
        for i in range(count):
            category, title, description = ITEMS[(i * 7 + (kind == "need") * 3) % len(ITEMS)]
            organization = organizations[(i * 5 + (kind == "need") * 11) % len(organizations)]
            start = today + dt.timedelta(days=rng.randint(-60, 30))
            listing_create(
                kind=kind,
                actor=admin,
                organization=organization,
                category=category,
                title=title if kind == "offer" else f"Besoin : {title[0].lower()}{title[1:]}",
                description=description,
                territory=rng.choice(places),
                available_from=start,
                available_until=start + dt.timedelta(days=rng.randint(30, 300)),
                conditions=rng.choice(CONDITIONS),
            )
    members = {}
    for membership in Membership.objects.filter(active_q()).order_by("id"):
        members.setdefault(membership.organization_id, membership.person)
    by_name = {o.name: o for o in organizations}
    loop = [
        by_name["Fablab de la Fonderie"],
        by_name["Collectif Friche Vivante"],
        by_name["Repair Café de la Forge"],
    ]
    pairs = [(loop[0], loop[1]), (loop[1], loop[2]), (loop[2], loop[0])]
    candidates = [o for o in organizations if o.pk in members]
    while len(pairs) < 25:
        giver, receiver = rng.sample(candidates, 2)
        pairs.append((giver, receiver))
    whats = [
        "Prêt de la sonorisation pour la fête de quartier",
        "Deux demi-journées d'animation en sociocratie",
        "Accueil d'un atelier dans la salle de réunion",
        "Formation à la découpe laser",
        "Traduction d'un dossier Interreg",
        "Prêt du vélo cargo pour un déménagement d'association",
        "Partage de la méthode de concertation sur l'espace public",
        "Réparation de 12 vélos pour l'école",
    ]
    feedback = ["Très utile, à refaire.", "Merci !", "Un vrai coup de main.", ""]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for index, (giver, receiver) in enumerate(pairs):
            exchange = exchange_record(
                actor=members[giver.pk],
                giver=giver,
                receiver=receiver,
                what=whats[index % len(whats)]
                if index >= 3
                else ["Impression 3D de pièces", "Ouverture de la halle", "Réparation du broyeur"][
                    index
                ],
                happened_on=today - dt.timedelta(days=rng.randint(3, 400)),
                duration_hours=rng.choice([2, 3.5, 8, 16]),
                feedback=rng.choice(feedback),
            )
            # The receiver confirms, but the last one, still awaiting its confirmation.
            if index < len(pairs) - 1 and receiver.pk in members and not exchange.is_confirmed:
                exchange_confirm(
                    exchange=exchange, actor=members[receiver.pk], feedback=rng.choice(feedback)
                )
    suggestion_recompute_all()
