"""Demo step 1: the territory, its organizations, people and roles."""

from __future__ import annotations

import math

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from maillage.demo import DEMO_PASSWORD, MARKER_SLUG, DemoContext, demo_step
from maillage.organizations.models import Membership
from maillage.organizations.services import organization_create
from maillage.people.models import Person, TerritoryRole
from maillage.territories.services import territory_create

DEMO_DOMAIN = "demo.maillage.test"
# (role shown to the visitor, email) of every demo login.
DEMO_LOGINS = [
    ("platform admin", f"admin@{DEMO_DOMAIN}"),
    ("territory admin (participation service)", f"service.participation@{DEMO_DOMAIN}"),
    ("facilitator / moderator", f"animatrice@{DEMO_DOMAIN}"),
    ("field agent", f"agent1@{DEMO_DOMAIN}"),
    ("organization admin", f"admin.asso@{DEMO_DOMAIN}"),
    ("participant (inhabitant)", f"habitante@{DEMO_DOMAIN}"),
]

COMMUNES = [
    # name, INSEE-like code, centre (lon, lat), radius in degrees, neighbourhoods
    (
        "Bramont",
        "68901",
        (7.335, 47.750),
        0.045,
        ["Centre historique", "Les Tisserands", "Bas-Rhin-Ouvrier", "Coteaux", "La Fonderie"],
    ),
    ("Riedwihr-les-Prés", "68902", (7.255, 47.795), 0.030, ["Village", "Les Vergers"]),
    ("Hautecombe", "68903", (7.420, 47.800), 0.030, ["Bourg", "Cité-jardin"]),
    ("Lutterbach-la-Forge", "68904", (7.250, 47.710), 0.030, ["La Forge", "Le Canal"]),
    ("Sainte-Odile-des-Champs", "68905", (7.415, 47.700), 0.028, ["Centre", "Les Champs"]),
]

SITES = [
    "Place de la Réunion",
    "Square des Tisserands",
    "Berges de l'Ill",
    "Parvis de la gare",
    "Parc du Château d'eau",
    "Place du Marché couvert",
    "Jardin partagé des Coteaux",
    "Friche DMC",
    "Cour de l'école Jean-Macé",
    "Esplanade de la Fonderie",
    "Rue piétonne du Sauvage",
    "Square Steinbach",
    "Aire de jeux des Vergers",
    "Place de l'Église",
    "Chemin de halage",
    "Parc des Sports",
    "Place de la Mairie",
    "Cité-jardin, allée centrale",
    "Quai du Canal",
    "Pont de la Forge",
    "Lavoir ancien",
    "Verger conservatoire",
    "Place des Champs",
    "Parking relais Nord",
    "Parc Salvator-Sud",
    "Cour des Arts",
    "Belvédère des Coteaux",
    "Halle aux grains",
    "Rond-point des Tilleuls",
    "Promenade des Remparts",
]

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Jade",
    "Louise",
    "Emma",
    "Zoé",
    "Lucas",
    "Hugo",
    "Nathan",
    "Louis",
    "Enzo",
    "Mathis",
    "Yanis",
    "Karim",
    "Paul",
    "Noah",
    "Fatou",
    "Amina",
    "Mehdi",
    "Sofiane",
    "Thi Mai",
    "Yasmine",
    "Claire",
    "Martine",
    "Bernard",
    "Joseph",
    "Odile",
    "Anne",
    "Pierre",
    "Marc",
    "Nadia",
    "Rachid",
    "Elif",
    "Emre",
    "Lina",
    "Théo",
]
LAST_NAMES = [
    "Muller",
    "Schmitt",
    "Meyer",
    "Weber",
    "Klein",
    "Wolf",
    "Fischer",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Benali",
    "Nguyen",
    "Diallo",
    "Yilmaz",
    "Haddad",
    "Da Silva",
    "Garcia",
    "Koenig",
    "Hartmann",
    "Zimmermann",
    "Walter",
    "Roth",
    "Bauer",
    "Keller",
]

ORGANIZATIONS = [
    (
        "Université de Bramont-Haute-Alsace",
        "university",
        False,
        "Former, chercher et partager les savoirs avec le territoire.",
    ),
    (
        "Laboratoire CRESAT — histoire des territoires industriels",
        "university",
        False,
        "Comprendre les mutations des territoires industriels avec leurs habitants.",
    ),
    (
        "Bramont Living Lab",
        "living_lab",
        False,
        "Croiser thématiques, publics, disciplines et méthodes pour innover avec les habitants.",
    ),
    (
        "Textiles Ill & Co",
        "business",
        True,
        "Entreprise à mission : relocaliser une filière textile sobre et créer des emplois locaux.",
    ),
    ("Fonderie Vogel", "business", False, "Fonderie de précision depuis 1898."),
    (
        "Coopérative Énergie Citoyenne Sud-Alsace",
        "business",
        True,
        "Produire une énergie renouvelable possédée par les habitants.",
    ),
    ("Boulangerie du Marché", "business", False, "Pain au levain et farines locales."),
    (
        "Numéricoop",
        "business",
        False,
        "Développer des outils numériques libres pour les collectivités.",
    ),
    (
        "Atelier d'architecture Friches & Communs",
        "business",
        False,
        "Réhabiliter les friches avec ceux qui les habitent.",
    ),
    (
        "Transports de l'agglomération (Solea-B)",
        "public_body",
        False,
        "Assurer la mobilité de tous sur l'agglomération.",
    ),
    (
        "Office public de l'habitat Bramont Habitat",
        "public_body",
        False,
        "Loger dignement et accompagner les locataires.",
    ),
    (
        "Centre communal d'action sociale de Bramont",
        "public_body",
        False,
        "Accompagner les plus fragiles.",
    ),
    ("Médiathèque de la Fonderie", "public_body", False, "Lire, apprendre, se rencontrer."),
    (
        "Association des habitants des Tisserands",
        "association",
        False,
        "Faire vivre le quartier des Tisserands avec ses habitants.",
    ),
    ("Les Jardins partagés des Coteaux", "association", False, "Cultiver ensemble."),
    ("Vélo-Cité Bramont", "association", False, "Promouvoir le vélo au quotidien."),
    ("Amicale des Aînés de Riedwihr", "association", False, "Rompre l'isolement des aînés."),
    ("Repair Café de la Forge", "association", False, "Réparer plutôt que jeter."),
    (
        "Compagnie Dissonances-Est",
        "association",
        False,
        "Un orchestre sans chef : la direction tourne entre les musiciens.",
    ),
    ("Maison des jeunes et de la culture", "association", False, "Éducation populaire."),
    ("Alsace Nature — groupe local", "association", False, "Protéger la biodiversité locale."),
    ("Épicerie solidaire L'Escale", "association", False, "Se nourrir dignement."),
    ("Club de football de Lutterbach", "association", False, "Le sport pour tous."),
    (
        "Association Mémoire ouvrière",
        "association",
        False,
        "Transmettre la mémoire du textile et de la métallurgie.",
    ),
    (
        "Collectif Friche Vivante",
        "citizen_collective",
        False,
        "Ouvrir la friche DMC aux habitants pendant sa transformation.",
    ),
    ("Conseil citoyen des Coteaux", "citizen_collective", False, "Porter la voix des habitants."),
    ("Collectif Rue aux enfants", "citizen_collective", False, "Rendre la rue aux enfants."),
    (
        "Collège des habitants de la friche",
        "citizen_collective",
        False,
        "Représenter les habitants au comité de pilotage de la friche.",
    ),
    ("Chambre de commerce Sud-Alsace", "public_body", False, "Accompagner les entreprises."),
    (
        "Institut des territoires coopératifs — antenne Est",
        "association",
        False,
        "Observer et accompagner la coopération dans les territoires.",
    ),
    ("Fablab de la Fonderie", "association", False, "Fabriquer et apprendre ensemble."),
    ("Théâtre de la Sinne-Bis", "association", False, "Le théâtre au cœur des quartiers."),
    ("Banque alimentaire du Haut-Rhin Sud", "association", False, "Lutter contre la faim."),
    ("Ressourcerie Emmaüs Bramont", "association", False, "Réemploi et insertion."),
    (
        "Groupe scolaire Jean-Macé (parents d'élèves)",
        "citizen_collective",
        False,
        "Associer les parents à la vie de l'école.",
    ),
]


def _polygon(center: tuple[float, float], radius: float, sides: int, rotation: float) -> dict:
    """Return a closed GeoJSON polygon approximating a circle (longitude stretched)."""
    lon0, lat0 = center
    stretch = 1 / math.cos(math.radians(lat0))
    ring = []
    for i in range(sides):
        angle = rotation + 2 * math.pi * i / sides
        ring.append(
            [
                round(lon0 + radius * stretch * math.cos(angle), 6),
                round(lat0 + radius * math.sin(angle), 6),
            ]
        )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _rectangle(center: tuple[float, float], width: float, height: float) -> dict:
    lon, lat = center
    w, h = width / 2, height / 2
    ring = [[lon - w, lat - h], [lon + w, lat - h], [lon + w, lat + h], [lon - w, lat + h]]
    ring = [[round(x, 6), round(y, 6)] for x, y in ring]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


@demo_step(10, "territories")
def build_territories(ctx: DemoContext) -> None:
    rng = ctx.rng
    region = territory_create(name="Grand Est", kind="region", official_code="44", slug="grand-est")
    agglo = territory_create(
        name="Bramont Agglomération",
        kind="intercommunality",
        parent=region,
        slug=MARKER_SLUG,
        official_code="246899999",
        description="Agglomération fictive de démonstration : cinq communes d'une ancienne "
        "vallée industrielle qui apprennent à coopérer.",
        geometry=_polygon((7.335, 47.752), 0.11, 10, 0.2),
    )
    communes, neighbourhoods, sites = [], [], []
    for name, code, center, radius, quarters in COMMUNES:
        commune = territory_create(
            name=name,
            kind="commune",
            parent=agglo,
            official_code=code,
            geometry=_polygon(center, radius, 8, rng.random()),
        )
        communes.append(commune)
        for index, quarter in enumerate(quarters):
            angle = 2 * math.pi * index / len(quarters)
            offset = radius * 0.5 if len(quarters) > 1 else 0
            q_center = (
                center[0] + offset * math.cos(angle) * 1.45,
                center[1] + offset * math.sin(angle),
            )
            neighbourhood = territory_create(
                name=f"{quarter} ({name})"
                if quarter in {"Centre", "Village", "Bourg"}
                else quarter,
                kind="neighbourhood",
                parent=commune,
                geometry=_polygon(q_center, radius * 0.38, 6, angle),
            )
            neighbourhoods.append((neighbourhood, q_center, radius * 0.38))
    for index, site_name in enumerate(SITES):
        neighbourhood, q_center, q_radius = neighbourhoods[index % len(neighbourhoods)]
        jitter = (rng.uniform(-0.4, 0.4) * q_radius, rng.uniform(-0.4, 0.4) * q_radius)
        center = (q_center[0] + jitter[0], q_center[1] + jitter[1])
        site = territory_create(
            name=site_name,
            kind="site",
            parent=neighbourhood,
            geometry=_rectangle(
                center, 0.0018 + rng.random() * 0.0012, 0.0011 + rng.random() * 0.0008
            ),
        )
        sites.append(site)
    ctx.objects.update(
        region=region,
        agglo=agglo,
        communes=communes,
        neighbourhoods=[n for n, _, _ in neighbourhoods],
        sites=sites,
    )


def _person(email: str, name: str, *, password_hash: str, **extra) -> Person:
    return Person(
        email=email,
        display_name=name,
        password=password_hash,
        email_verified_at=timezone.now(),  # the demo vouches for its addresses
        **extra,
    )


@demo_step(20, "people and organizations")
@transaction.atomic
def build_people_and_organizations(ctx: DemoContext) -> None:
    rng = ctx.rng
    agglo, communes = ctx.objects["agglo"], ctx.objects["communes"]
    neighbourhoods = ctx.objects["neighbourhoods"]
    login_hash = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it

    named = [
        _person(
            f"admin@{DEMO_DOMAIN}",
            "Alice Admin",
            password_hash=login_hash,
            is_staff=True,
            is_superuser=True,
        ),
        _person(
            f"service.participation@{DEMO_DOMAIN}",
            "Sophie Keller",
            password_hash=login_hash,
            public_profile=True,
            bio="Cheffe du service participation de Bramont Agglomération.",
        ),
        _person(
            f"animatrice@{DEMO_DOMAIN}",
            "Nadia Haddad",
            password_hash=login_hash,
            public_profile=True,
            pseudonym="Nadia H.",
        ),
        *[
            _person(
                f"agent{i}@{DEMO_DOMAIN}",
                f"{FIRST_NAMES[i * 3 % 40]} {LAST_NAMES[i * 5 % 34]}",
                password_hash=login_hash,
                public_profile=True,
            )
            for i in range(1, 9)
        ],
        _person(
            f"admin.asso@{DEMO_DOMAIN}",
            "Karim Benali",
            password_hash=login_hash,
            public_profile=True,
        ),
        _person(
            f"habitante@{DEMO_DOMAIN}",
            "Camille Durand",
            password_hash=login_hash,
            pseudonym="Camille des Tisserands",
        ),
    ]
    others = []
    verified = timezone.now()  # the demo vouches for its addresses
    for i in range(300 - len(named)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        others.append(
            Person(
                email=f"{first}.{last}.{i}@{DEMO_DOMAIN}".lower().replace(" ", "-"),
                display_name=f"{first} {last}",
                public_profile=rng.random() < 0.3,
                password="!",  # noqa: S106  unusable: these demo inhabitants do not log in
                email_verified_at=verified,
            )
        )
    Person.objects.bulk_create(named + others)
    people = list(Person.objects.order_by("id"))
    by_email = {p.email: p for p in people}
    residents = Person.residence_territories.through
    residents.objects.bulk_create(
        [
            residents(person_id=p.pk, territory_id=rng.choice(neighbourhoods).pk)
            for p in people[len(named) :]
        ]
    )

    roles = [
        TerritoryRole(
            person=by_email[f"service.participation@{DEMO_DOMAIN}"], territory=agglo, role="admin"
        ),
        TerritoryRole(
            person=by_email[f"animatrice@{DEMO_DOMAIN}"], territory=agglo, role="facilitator"
        ),
        *[
            TerritoryRole(
                person=by_email[f"agent{i}@{DEMO_DOMAIN}"], territory=agglo, role="field_agent"
            )
            for i in range(1, 9)
        ],
    ]
    TerritoryRole.objects.bulk_create(roles)

    organizations = []
    inter = organization_create(
        name="Bramont Agglomération — service participation",
        kind="intercommunality",
        mission="Associer les habitants aux décisions de l'agglomération.",
        territories=[agglo],
        slug="bramont-agglomeration-participation",
    )
    organizations.append(inter)
    for commune in communes:
        organizations.append(
            organization_create(
                name=f"Commune de {commune.name}",
                kind="commune",
                mission=f"Servir les habitants de {commune.name}.",
                territories=[commune],
            )
        )
    for name, kind, mission_company, mission in ORGANIZATIONS:
        where = (
            [agglo]
            if kind in {"university", "public_body", "living_lab"}
            else [rng.choice(communes)]
        )
        organizations.append(
            organization_create(
                name=name,
                kind=kind,
                mission=mission,
                is_mission_company=mission_company,
                territories=where,
            )
        )

    memberships = []
    pool = people[len(named) :]
    for organization in organizations:
        size = rng.randint(3, 12)
        for person in rng.sample(pool, size):
            memberships.append(
                Membership(
                    person=person,
                    organization=organization,
                    since=f"{rng.randint(2015, 2025)}-0{rng.randint(1, 9)}-01",
                )
            )
    staff = {
        "bramont-agglomeration-participation": [
            f"service.participation@{DEMO_DOMAIN}",
            f"animatrice@{DEMO_DOMAIN}",
            *[f"agent{i}@{DEMO_DOMAIN}" for i in range(1, 9)],
        ],
    }
    for slug, emails in staff.items():
        org = next(o for o in organizations if o.slug == slug)
        for email in emails:
            role = "admin" if email.startswith("service.") else "member"
            memberships.append(Membership(person=by_email[email], organization=org, role=role))
    association = next(o for o in organizations if o.name.startswith("Association des habitants"))
    memberships.append(
        Membership(
            person=by_email[f"admin.asso@{DEMO_DOMAIN}"],
            organization=association,
            role="admin",
            title="Président",
        )
    )
    memberships.append(
        Membership(
            person=by_email[f"habitante@{DEMO_DOMAIN}"], organization=association, role="member"
        )
    )
    # A little history: some memberships ended.
    for membership in memberships[::17]:
        if membership.role == "member" and not membership.person.email.startswith(
            ("agent", "habitante")
        ):
            membership.until = "2025-12-31"
    seen = set()
    unique = []
    for membership in memberships:
        key = (membership.person.email, membership.organization_id)
        if key not in seen:
            seen.add(key)
            unique.append(membership)
    Membership.objects.bulk_create(unique)

    ctx.objects.update(people=people, organizations=organizations, by_email=by_email)
    ctx.logins.extend((role, email, DEMO_PASSWORD) for role, email in DEMO_LOGINS)
