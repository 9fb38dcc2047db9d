"""Demo: "Quel avenir pour la friche ?" — 300 participants, 60 statements, three opinion groups."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from maillage.analysis.opinions.duplicates import statement_key
from maillage.demo import DemoContext, demo_step
from maillage.opinions.models import Conversation, Participant, Statement, Vote, VoteEvent
from maillage.opinions.services import analysis_compute

# (statement, camp): camp "nature", "industry", "housing", or "all" for consensus statements.
STATEMENTS = [
    ("La friche doit devenir un grand parc ouvert à tous.", "nature"),
    ("Il faut garder les arbres qui ont poussé sur la friche.", "nature"),
    ("Un jardin partagé aurait sa place sur une partie du site.", "nature"),
    ("La dépollution des sols doit passer avant tout projet.", "all"),
    ("Les bâtiments industriels doivent accueillir des entreprises et des emplois.", "industry"),
    ("Une pépinière d'entreprises créerait des emplois pour les jeunes du quartier.", "industry"),
    ("Il faut construire des logements abordables sur la friche.", "housing"),
    ("Des logements pour étudiants manquent près de l'université.", "housing"),
    ("Les habitants doivent être associés à chaque étape du projet.", "all"),
    ("La mémoire ouvrière du site doit être conservée et racontée.", "all"),
    ("Une zone humide pourrait protéger le quartier des inondations.", "nature"),
    ("Le site doit rester accessible à pied et à vélo depuis la gare.", "all"),
    ("Un tiers-lieu culturel dans la grande halle attirerait du monde.", "housing"),
    ("Les entreprises à mission doivent être prioritaires pour s'installer.", "industry"),
    ("Il faut éviter de bétonner davantage : assez de sols artificialisés.", "nature"),
    ("Un parking relais serait utile pour les travailleurs frontaliers.", "industry"),
    ("Une école ou une crèche devrait être prévue si l'on construit des logements.", "housing"),
    ("La friche peut accueillir des ateliers d'artisans et de réparation.", "industry"),
    ("Les animaux et les oiseaux qui vivent sur la friche doivent être protégés.", "nature"),
    ("Le projet doit être décidé par les cinq communes ensemble.", "all"),
    ("Des logements en habitat participatif pourraient y être expérimentés.", "housing"),
    ("Une ferme urbaine fournirait des légumes aux cantines.", "nature"),
    ("L'activité industrielle doit revenir, même si elle fait du bruit.", "industry"),
    ("Il faut des commerces de proximité au pied des immeubles.", "housing"),
    ("Les travaux doivent commencer vite, le site se dégrade.", "industry"),
    ("Un espace de baignade naturelle serait formidable l'été.", "nature"),
    ("La grande cheminée doit rester comme repère du quartier.", "all"),
    ("Il faut réserver une partie du site aux associations.", "housing"),
    (
        "Des panneaux solaires sur les toits des halles produiraient de l'énergie locale.",
        "industry",
    ),
    ("Le parc doit être éclairé et sûr le soir.", "nature"),
    ("La mixité sociale doit être garantie dans les nouveaux logements.", "housing"),
    ("Le coût pour les contribuables doit rester raisonnable.", "industry"),
    ("Il faut un lieu pour les jeunes : skatepark, terrain de sport.", "nature"),
    ("Une maison de santé manque dans le quartier.", "housing"),
    ("Les entreprises locales doivent être associées au chantier.", "industry"),
    ("Une partie de la friche doit rester en friche, laissée à la nature.", "nature"),
    ("Des logements pour les personnes âgées seraient bienvenus.", "housing"),
    ("Une formation aux métiers verts pourrait s'installer sur le site.", "industry"),
    ("Les écoles du quartier doivent pouvoir utiliser le parc.", "nature"),
    ("Il faut limiter la hauteur des nouveaux bâtiments.", "nature"),
    ("Le projet doit créer au moins 300 emplois.", "industry"),
    ("Il faut des logements familiaux avec jardins.", "housing"),
    ("Le comité de pilotage doit publier toutes ses décisions.", "all"),
    ("La circulation automobile doit être limitée sur le site.", "nature"),
    ("Un marché couvert dans la halle ferait vivre le quartier.", "housing"),
    ("La zone doit accueillir une usine de recyclage.", "industry"),
    ("Les noms des rues doivent rendre hommage aux ouvrières du textile.", "all"),
    ("Un théâtre de plein air serait une belle idée.", "housing"),
    ("La priorité est l'emploi, pas les espaces verts.", "industry"),
    ("La priorité est la nature, pas de nouvelles constructions.", "nature"),
    ("La priorité est de loger les familles qui attendent un logement social.", "housing"),
    ("Un tramway ou un bus fréquent doit desservir le site.", "all"),
    ("Il faut un lieu d'exposition sur l'histoire industrielle.", "all"),
    ("Les toits doivent être végétalisés.", "nature"),
    ("Une halle des startups attirerait des talents.", "industry"),
    ("Les loyers doivent rester accessibles aux habitants actuels.", "housing"),
    ("Il faut d'abord une occupation temporaire pour tester les usages.", "all"),
    ("Un verger public ouvert à la cueillette.", "nature"),
    ("Les entreprises polluantes ne doivent pas revenir.", "nature"),
    ("Des logements en accession à la propriété pour les jeunes ménages.", "housing"),
]
CAMPS = ("nature", "industry", "housing")


@demo_step(60, "opinion conversation")
def build_conversation(ctx: DemoContext) -> None:
    rng = ctx.rng
    friche = next(site for site in ctx.objects["sites"] if site.name == "Friche DMC")
    facilitator = ctx.objects["by_email"]["animatrice@demo.maillage.test"]
    conversation = Conversation.objects.create(
        territory=friche.parent,
        slug="avenir-de-la-friche",
        topic="Quel avenir pour la friche ?",
        description="La friche DMC va être réaménagée. Votez sur les propositions, ajoutez les "
        "vôtres : la carte des opinions montre les groupes et les points de consensus.",
        facilitator=facilitator,
    )
    statements = Statement.objects.bulk_create(
        Statement(
            conversation=conversation,
            text=text,
            text_key=statement_key(text),
            is_seed=True,
            moderation=1,
        )
        for text, _ in STATEMENTS
    )
    Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text="Pourquoi ce débat n'a-t-il pas eu lieu plus tôt ?",
                text_key=statement_key("Pourquoi ce débat n'a-t-il pas eu lieu plus tôt ?"),
                is_meta=True,
                moderation=1,
            ),
            Statement(
                conversation=conversation,
                text="Les élus sont tous des incapables !",
                text_key=statement_key("Les élus sont tous des incapables !"),
                moderation=-1,
            ),
        ]
    )
    start = timezone.now() - dt.timedelta(days=30)
    # Creation times are spread out, as in real life: the bloc detector has nothing to flag.
    participants = Participant.objects.bulk_create(
        Participant(
            conversation=conversation,
            cookie_hash=f"demo-{i:04d}",
            created_at=start + dt.timedelta(hours=2 * i),
        )
        for i in range(300)
    )
    votes, events = [], []
    for index, participant in enumerate(participants):
        camp = CAMPS[index % 3]
        when = start + dt.timedelta(hours=2 * index, minutes=1)
        for statement, (_, statement_camp) in zip(statements, STATEMENTS, strict=True):
            if rng.random() > 0.55:
                continue
            if statement_camp == "all":
                value = 1 if rng.random() < 0.85 else 0
            elif statement_camp == camp:
                value = 1 if rng.random() < 0.85 else rng.choice([0, -1])
            else:
                value = -1 if rng.random() < 0.6 else rng.choice([0, 1])
            when += dt.timedelta(seconds=20)
            votes.append(
                Vote(participant=participant, statement=statement, value=value, updated_at=when)
            )
            events.append(
                VoteEvent(
                    participant=participant, statement=statement, value=value, created_at=when
                )
            )
    Vote.objects.bulk_create(votes, batch_size=2000)
    VoteEvent.objects.bulk_create(events, batch_size=2000)
    analysis_compute(conversation)
    ctx.objects["conversation"] = conversation
