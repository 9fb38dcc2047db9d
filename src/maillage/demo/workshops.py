"""Demo: three workshops of the Bramont Living Lab with varied registrations (one full, with
a waiting list), a past one with its attendance and outputs, and the diversity of each."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.test import override_settings
from django.utils import timezone

from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.workshops.models import Registration
from maillage.workshops.services import (
    attendance_record,
    output_add,
    registration_create,
    workshop_create,
    workshop_update,
)

WORKSHOPS = [
    (
        "Friche DMC : imaginer la halle avec ceux qui y passent",
        "Reconversion de friche industrielle",
        "Design fiction et maquette collaborative",
        "Halle aux grains, friche DMC",
        "",
        30,
        26,
    ),
    (
        "Données ouvertes de la mobilité : ce que disent les bus",
        "Open data et mobilité",
        "Hackathon civique, binômes habitants-développeurs",
        "Fablab de la Fonderie",
        "https://visio.example.org/mobilite-ouverte",
        20,
        24,
    ),
    (
        "Entreprises à mission : qu'est-ce qu'on doit au territoire ?",
        "Entreprise à mission",
        "Forum ouvert",
        "",
        "https://visio.example.org/entreprises-a-mission",
        40,
        17,
    ),
]
SECTORS = ["academic", "business", "public", "association", "citizens"]
PUBLICS = ["resident", "resident", "worker", "student", "other"]
AGES = ["18_29", "30_44", "45_59", "60_74", "75_plus", "under_18"]
DISCIPLINES = ["design", "engineering", "social_sciences", "planning", "economics", "arts", "none"]


@demo_step(80, "workshops of the living lab")
def build_workshops(ctx: DemoContext) -> None:
    rng = ctx.rng
    admin = ctx.objects["by_email"][f"admin@{DEMO_DOMAIN}"]
    organizations = {o.name: o for o in ctx.objects["organizations"]}
    lab = organizations["Bramont Living Lab"]
    partners = [
        organizations["Université de Bramont-Haute-Alsace"],
        organizations["Numéricoop"],
        organizations["Textiles Ill & Co"],
    ]
    places = ctx.objects["communes"] + ctx.objects["neighbourhoods"]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for index, (title, theme, method, place, video, capacity, registrants) in enumerate(
            WORKSHOPS
        ):
            start = now + dt.timedelta(days=7 + 14 * index, hours=18 - now.hour)
            workshop = workshop_create(
                actor=admin,
                title=title,
                theme=theme,
                method=method,
                territory=ctx.objects["agglo"],
                place=place,
                video_url=video,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                capacity=capacity,
                organizers=[lab, partners[index]],
                description="Un atelier du Bramont Living Lab : mélanger les thématiques, les "
                "publics, les disciplines et les méthodes.",
            )
            # Each workshop leans towards one sector, so the diversity charts differ.
            lean = SECTORS[index * 2 % len(SECTORS)]
            for i in range(registrants):
                registration_create(
                    workshop=workshop,
                    actor=AnonymousUser(),
                    name=f"Participant·e {index + 1}-{i + 1}",
                    email=f"atelier{index + 1}.{i + 1}@{DEMO_DOMAIN}",
                    sector=lean if rng.random() < 0.45 else rng.choice(SECTORS),
                    public=rng.choice(PUBLICS),
                    age_band=rng.choice(AGES),
                    discipline=rng.choice(DISCIPLINES) if rng.random() < 0.85 else "",
                    territory=rng.choice(places),
                )
            if index == 0:
                # The first one already happened: attendance and what it produced.
                past = now - dt.timedelta(days=10)
                workshop_update(
                    workshop=workshop,
                    actor=admin,
                    starts_at=past,
                    ends_at=past + dt.timedelta(hours=3),
                )
                confirmed = list(
                    workshop.registrations.filter(status=Registration.Status.CONFIRMED).values_list(
                        "pk", flat=True
                    )
                )
                attendance_record(
                    workshop=workshop,
                    actor=admin,
                    present_ids=[pk for pk in confirmed if rng.random() < 0.8],
                )
                output_add(
                    workshop=workshop,
                    actor=admin,
                    kind="document",
                    label="Cahier d'idées pour la halle",
                    url="/open-data/",
                )
                output_add(
                    workshop=workshop,
                    actor=admin,
                    kind="contribution",
                    label="Les souhaits des habitants sur la friche",
                    url="/concertations/",
                )
