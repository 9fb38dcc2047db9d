"""Demo: the steering committee of the Friche DMC, as in Mulhouse's industrial wastelands.

Five communes, the university, three businesses and the inhabitants' college co-pilot the
redevelopment of the wasteland. The committee has a year of rotating facilitation behind it,
two adopted decisions (the second after an objection was integrated), one decision in its
consent round that the demo logins can answer, and a majority-judgment vote among four
projects for the great hall.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.test.utils import override_settings
from django.utils import timezone

from maillage.core.periods import active_q
from maillage.decisions.models import Decision, FacilitationTurn, Round
from maillage.decisions.services import circles, polls, proposals, rotation, rounds
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.organizations.models import Membership

if TYPE_CHECKING:
    from maillage.people.models import Person


# (organization name, internal rule, number of delegates)
DELEGATIONS = [
    ("Commune de Bramont", "majority", 3),
    ("Commune de Riedwihr-les-Prés", "head", 2),
    ("Commune de Hautecombe", "head", 2),
    ("Commune de Lutterbach-la-Forge", "head", 2),
    ("Commune de Sainte-Odile-des-Champs", "head", 1),
    ("Université de Bramont-Haute-Alsace", "head", 2),
    ("Textiles Ill & Co", "head", 1),
    ("Fonderie Vogel", "unanimity", 2),
    ("Atelier d'architecture Friches & Communs", "unanimity", 1),
    ("Collège des habitants de la friche", "majority", 3),
]
FACILITATOR = f"animatrice@{DEMO_DOMAIN}"
COLLEGE_LOGINS = [f"habitante@{DEMO_DOMAIN}", f"admin.asso@{DEMO_DOMAIN}"]

CHARTER = (
    "Le comité de pilotage de la Friche DMC décide par consentement : une proposition est "
    "adoptée quand aucune objection argumentée ne subsiste.\n"
    "Chaque délégation donne son consentement selon sa propre règle (unanimité, majorité de "
    "ses délégués ou voix de sa tête de délégation).\n"
    "L'animation et le secrétariat tournent à chaque séance ; chacun peut passer son tour.\n"
    "Toutes les décisions adoptées sont publiées dans le registre public, avec leurs objections "
    "et la manière dont elles ont été intégrées."
)
HALL_V1 = (
    "La grande halle ouvre au public chaque samedi de 10 h à 18 h pendant la durée des études, "
    "pour des marchés, des expositions et des ateliers proposés par les associations.\n"
    "L'accès se fait par l'entrée principale, rue des Tisserands."
)
HALL_V2 = (
    "La grande halle ouvre au public chaque samedi de 10 h à 18 h pendant la durée des études, "
    "pour des marchés, des expositions et des ateliers proposés par les associations.\n"
    "L'accès se fait par un passage clôturé depuis la rue du Canal, séparé de la cour de la "
    "fonderie encore en activité ; aucune activité publique n'a lieu pendant les livraisons."
)
SOILS = (
    "La dépollution des sols se fait en trois phases : la cour nord (future halle ouverte), "
    "puis les anciens ateliers de teinture, puis les berges.\n"
    "Avant chaque phase, une réunion publique est tenue dans chacune des cinq communes, et les "
    "résultats des analyses de sols sont publiés en données ouvertes."
)
PROJECTS = [
    ("Tiers-lieu culturel et associatif", "Ateliers, salles de répétition, café associatif."),
    ("Pépinière d'entreprises textiles", "Ateliers pour la filière textile relocalisée."),
    ("Halle gourmande et marché couvert", "Producteurs locaux et restauration."),
    ("Parc et ferme urbaine", "Désartificialiser la halle et cultiver."),
]
# Per project, the weights of the seven grades (À rejeter … Excellent) the voters draw from.
PROJECT_GRADE_WEIGHTS = [
    (1, 1, 2, 3, 5, 4, 2),
    (2, 2, 3, 4, 3, 2, 1),
    (2, 3, 4, 3, 2, 1, 1),
    (1, 2, 2, 3, 4, 4, 2),
]


def _delegates_for(org: Any, count: int, taken: set[int], rng: Any) -> list[Any]:
    """Return ``count`` active members of ``org`` not yet in another delegation."""
    people = [
        m.person
        for m in Membership.objects.filter(active_q(), organization=org)
        .select_related("person")
        .order_by("id")
        if m.person_id not in taken and not m.person.email.startswith(("admin@", "agent"))
    ]
    rng.shuffle(people)
    return people[:count]


def _backdate(decision: Decision, adopted_on: dt.date) -> None:
    """Move an adopted decision and its rounds back to the date it was adopted."""
    moment = timezone.make_aware(dt.datetime.combine(adopted_on, dt.time(19, 0)))
    Decision.objects.filter(pk=decision.pk).update(
        adopted_at=moment,
        review_date=adopted_on + dt.timedelta(days=365),
        created_at=moment - dt.timedelta(days=30),
    )
    for index, round_ in enumerate(decision.rounds.order_by("-number")):
        opened = moment - dt.timedelta(days=7 * index + 1)
        Round.objects.filter(pk=round_.pk).update(opened_at=opened, closed_at=opened)


def _run_live_round(decision: Decision, facilitator: Any, kind: str, notes: list[tuple[Any, str]]):
    round_ = rounds.round_open(decision=decision, actor=facilitator, kind=kind, mode="live")
    for member, text in notes:
        rounds.note_add(round=round_, actor=facilitator, member=member, text=text)
    rounds.round_close(round=round_, actor=facilitator)


def _consent_live(
    decision: Decision,
    facilitator: Any,
    delegates: list[Any],
    objections: dict[int, tuple[str, str]] | None = None,
) -> Round:
    round_ = rounds.round_open(decision=decision, actor=facilitator, kind="consent", mode="live")
    for person in delegates:
        reason, acceptable_if = (objections or {}).get(person.pk, ("", ""))
        rounds.answer_submit(
            round=round_,
            actor=facilitator,
            member=person,
            kind="objection" if reason else "consent",
            reason=reason,
            acceptable_if=acceptable_if,
        )
    return rounds.round_close(round=round_, actor=facilitator)


@demo_step(45, "decisions: the Friche DMC steering committee")
def build_decisions(ctx: DemoContext) -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _build(ctx)


def _build(ctx: DemoContext) -> None:
    rng = ctx.rng
    by_email = ctx.objects["by_email"]
    organizations = {o.name: o for o in ctx.objects["organizations"]}
    site = next(s for s in ctx.objects["sites"] if s.name == "Friche DMC")
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    facilitator = by_email[FACILITATOR]

    circle = circles.circle_create(
        name="Comité de pilotage de la Friche DMC",
        kind="steering_committee",
        territory=site,
        is_public=True,
        slug="copil-friche-dmc",
        purpose=(
            "Co-piloter la reconversion de la Friche DMC : les cinq communes autour du site, "
            "l'université, les entreprises et le collège des habitants s'accordent sur chaque "
            "étape, sans chef d'orchestre."
        ),
    )
    circles.circle_member_add(circle=circle, person=facilitator, since=year_ago)
    circles.circle_member_add(
        circle=circle, person=by_email[f"service.participation@{DEMO_DOMAIN}"], since=year_ago
    )
    taken = {facilitator.pk, by_email[f"service.participation@{DEMO_DOMAIN}"].pk}
    delegations = {}
    delegates: dict[str, list[Any]] = {}
    for name, rule, count in DELEGATIONS:
        org = organizations[name]
        people = (
            [by_email[email] for email in COLLEGE_LOGINS]
            + _delegates_for(
                org,
                count - len(COLLEGE_LOGINS),
                taken | {by_email[e].pk for e in COLLEGE_LOGINS},
                rng,
            )
            if name.startswith("Collège")
            else _delegates_for(org, count, taken, rng)
        )
        taken |= {p.pk for p in people}
        delegation = circles.delegation_add(
            circle=circle,
            organization=org,
            rule=rule,
            head=people[0] if rule == "head" else None,
        )
        for person in people:
            circles.circle_member_add(
                circle=circle,
                person=person,
                delegation=delegation,
                since=year_ago + dt.timedelta(days=rng.randint(0, 20)),
            )
        delegations[name], delegates[name] = delegation, people
    everyone = [p for people in delegates.values() for p in people]

    _rotation_year(circle, facilitator, year_ago, rng)

    # 1. The committee's charter, adopted without objection nine months ago.
    charter = proposals.decision_propose(
        circle=circle,
        actor=facilitator,
        title="Charte de fonctionnement du comité de pilotage",
        text=CHARTER,
    )
    rotation.decision_assign_roles(
        decision=charter, actor=facilitator, on=year_ago + dt.timedelta(days=60)
    )
    charter.refresh_from_db()
    _run_live_round(
        charter,
        charter.facilitator,
        "clarifying",
        [
            (delegates["Fonderie Vogel"][0], "Qui tranche si une délégation ne répond pas ?"),
        ],
    )
    _run_live_round(
        charter,
        charter.facilitator,
        "reactions",
        [
            (
                delegates["Collège des habitants de la friche"][0],
                "Enfin une place égale pour les habitants.",
            ),
        ],
    )
    _consent_live(charter, charter.facilitator, everyone)
    _backdate(charter, year_ago + dt.timedelta(days=90))

    # 2. Opening the great hall: an objection from the foundry, integrated, then adopted.
    hall = proposals.decision_propose(
        circle=circle,
        actor=delegates["Atelier d'architecture Friches & Communs"][0],
        title="Ouvrir la grande halle au public pendant les études",
        text=HALL_V1,
    )
    rotation.decision_assign_roles(
        decision=hall, actor=facilitator, on=today - dt.timedelta(days=100)
    )
    hall.refresh_from_db()
    _run_live_round(
        hall,
        hall.facilitator,
        "clarifying",
        [
            (delegates["Commune de Bramont"][0], "Qui assure la sécurité le samedi ?"),
        ],
    )
    _run_live_round(
        hall,
        hall.facilitator,
        "reactions",
        [
            (delegates["Textiles Ill & Co"][0], "Une vitrine pour la filière textile."),
        ],
    )
    objector = delegates["Fonderie Vogel"][0]
    _consent_live(
        hall,
        hall.facilitator,
        everyone,
        objections={
            objector.pk: (
                "La cour de la fonderie, encore en activité, est traversée par les poids lourds : "
                "le public serait en danger à l'entrée principale.",
                "Un accès séparé et clôturé depuis la rue du Canal, et aucune activité publique "
                "pendant les livraisons.",
            )
        },
    )
    objection = hall.rounds.get(kind="consent").answers.get(kind="objection")
    proposals.decision_amend(
        decision=hall,
        actor=delegates["Atelier d'architecture Friches & Communs"][0],
        text=HALL_V2,
        note="Intègre l'objection de la Fonderie Vogel : accès séparé et clôturé.",
        integrations={
            objection.pk: "Accès par un passage clôturé depuis la rue du Canal ; "
            "pas d'activité publique pendant les livraisons."
        },
    )
    _consent_live(hall, hall.facilitator, everyone)
    _backdate(hall, today - dt.timedelta(days=80))

    # 3. Soil remediation: in its online consent round; the demo logins can answer.
    communes = [d for name, d in delegations.items() if name.startswith("Commune")]
    soils = proposals.decision_propose(
        circle=circle,
        actor=delegates["Université de Bramont-Haute-Alsace"][0],
        title="Dépollution des sols : ordre des phases et information des riverains",
        text=SOILS,
        scope=[*communes, delegations["Collège des habitants de la friche"]],
    )
    soils.facilitator, soils.secretary = (
        facilitator,
        by_email[f"service.participation@{DEMO_DOMAIN}"],
    )
    soils.save(update_fields=["facilitator", "secretary"])
    for role, person in (("facilitator", soils.facilitator), ("secretary", soils.secretary)):
        FacilitationTurn.objects.create(
            circle=circle,
            decision=soils,
            meeting=soils.title,
            held_on=today,
            role=role,
            person=person,
            kind="served",
        )
    _run_live_round(
        soils,
        facilitator,
        "clarifying",
        [
            (delegates["Commune de Hautecombe"][0], "Les berges sont-elles inondables ?"),
        ],
    )
    _run_live_round(
        soils,
        facilitator,
        "reactions",
        [
            (delegates["Commune de Riedwihr-les-Prés"][0], "Bonne idée de publier les analyses."),
        ],
    )
    round_ = rounds.round_open(
        decision=soils,
        actor=facilitator,
        kind="consent",
        mode="async",
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    answered = [p for p in everyone if p.email not in COLLEGE_LOGINS][: len(everyone) // 2]
    for person in answered:
        rounds.answer_submit(
            round=round_, actor=person, kind="consent" if rng.random() < 0.85 else "stand_aside"
        )

    # 4. Majority judgment among four projects for the great hall (closed, results public).
    poll = polls.poll_open(
        circle=circle,
        actor=facilitator,
        title="Quel projet pour la grande halle ?",
        question="Évaluez chaque projet pour la grande halle de la Friche DMC.",
        method="majority_judgment",
        options=PROJECTS,
    )
    options = list(poll.options.order_by("position"))
    for person in everyone:
        ballot = {
            option.pk: rng.choices(range(7), weights=weights)[0]
            for option, weights in zip(options, PROJECT_GRADE_WEIGHTS, strict=True)
        }
        polls.poll_submit(poll=poll, actor=person, grades=ballot)
    polls.poll_close(poll=poll, actor=facilitator)
    ctx.objects.update(steering_committee=circle)


def _rotation_year(circle: Any, actor: Person, start: dt.date, rng: Any) -> None:
    """Record twelve monthly meetings chosen by rotation, with unavailabilities and passes."""
    members = [m.person for m in circle.memberships.select_related("person")]
    for month in range(12):
        held_on = start + dt.timedelta(days=30 * month + 14)
        if rng.random() < 0.5:
            away = rng.choice(members)
            rotation.unavailability_declare(
                circle=circle,
                actor=away,
                start=held_on - dt.timedelta(days=3),
                end=held_on + dt.timedelta(days=3),
            )
        facilitator_turn, _secretary = rotation.meeting_roles_assign(
            circle=circle,
            actor=actor,
            held_on=held_on,
            meeting=f"Séance du comité — {held_on:%m/%Y}",
        )
        if rng.random() < 0.25:
            rotation.facilitation_pass(turn=facilitator_turn, actor=facilitator_turn.person)
