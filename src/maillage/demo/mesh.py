"""Demo of the cooperation mesh: what the other steps left implicit, made to happen.

Everything goes through the apps' services, like real users' actions; the mesh itself is then
derived from these records. The step makes sure the demo territory's mesh shows a bridge
organization between the university and the associations, a loop of pooling among three
organizations, the snowball of the open campaign and one full participation loop on the Friche
DMC, from an inhabitant's contribution to a realized action and a new consultation.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.consultations.models import Campaign, Contribution, Response
from maillage.consultations.services import response_create, response_update
from maillage.core.periods import active_q
from maillage.cowriting.services import participant_invite, work_create
from maillage.decisions.models import Decision
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.mesh.services import consent_set
from maillage.organizations.models import Membership
from maillage.pooling.models import Exchange
from maillage.pooling.services import exchange_confirm, exchange_record
from maillage.workshops.services import workshop_create

LOOP = ("Fablab de la Fonderie", "Collectif Friche Vivante", "Repair Café de la Forge")
# The named logins who chose to appear by name in the mesh.
VISIBLE = ("service.participation", "animatrice", "admin.asso", "agent1", "agent2")


@demo_step(95, "cooperation mesh: bridge, pooling loop, snowball, participation loop")
def build_mesh(ctx: DemoContext) -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        by_email = ctx.objects["by_email"]
        for login in VISIBLE:
            person = by_email[f"{login}@{DEMO_DOMAIN}"]
            consent_set(actor=person, person=person, visible=True)
        organizations = {o.name: o for o in ctx.objects["organizations"]}
        _bridge(ctx, organizations)
        _pooling_loop(organizations)
        _snowball(ctx)
        _participation_loop(ctx)


BRIDGED = (
    "Association des habitants des Tisserands",
    "Amicale des Aînés de Riedwihr",
    "Maison des jeunes et de la culture",
)


def _bridge(ctx: DemoContext, organizations: dict) -> None:
    """The living lab, already working with the university, co-organizes with associations.

    One workshop per association, so that the associations meet the university's world
    through the living lab rather than directly.
    """
    lab = organizations["Bramont Living Lab"]
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=60)
    for index, name in enumerate(BRIDGED):
        begins = start + dt.timedelta(days=7 * index)
        workshop_create(
            actor=ctx.objects["by_email"][f"admin@{DEMO_DOMAIN}"],
            title=f"Savoirs d'usage et recherche — {name}",
            theme="Savoirs d'usage et recherche",
            method="Cartographie participative",
            territory=ctx.objects["agglo"],
            place="Maison de quartier",
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=3),
            capacity=30,
            organizers=[lab, organizations[name]],
            description="Le living lab et l'association croisent savoirs d'usage et recherche.",
        )


def _pooling_loop(organizations: dict) -> None:
    """Make sure each of the three organizations gives to the next (the pooling step does)."""
    loop = [organizations[name] for name in LOOP]
    today = timezone.localdate()
    for giver, receiver in zip(loop, loop[1:] + loop[:1], strict=True):
        if Exchange.objects.filter(giver=giver, receiver=receiver).exists():
            continue
        member = Membership.objects.filter(active_q(), organization=giver).first()
        if member is None:
            continue
        exchange = exchange_record(
            actor=member.person,
            giver=giver,
            receiver=receiver,
            what="Coup de main entre voisins",
            happened_on=today - dt.timedelta(days=30),
        )
        other = Membership.objects.filter(active_q(), organization=receiver).first()
        if other is not None and not exchange.is_confirmed:
            exchange_confirm(exchange=exchange, actor=other.person)


def _snowball(ctx: DemoContext) -> None:
    """The open campaign's field notebook: each writer brings in the next ones."""
    by_email = ctx.objects["by_email"]
    campaign = Campaign.objects.get(slug="berges-et-friche-2026")
    facilitator = by_email[f"animatrice@{DEMO_DOMAIN}"]
    work = work_create(
        actor=facilitator,
        title="Carnet de terrain des berges et de la friche",
        attached_to=campaign,
        vision="Ce que les agents et les habitants entendent sur les berges, écrit ensemble.",
        is_public=True,
    )
    residents = list(ctx.objects["people"][40:46])
    agents = [by_email[f"agent{i}@{DEMO_DOMAIN}"] for i in (1, 2, 3)]
    # facilitator → agent1 → agent2 → resident → resident → resident: five levels deep.
    tree = [
        (facilitator, agents[0]),
        (agents[0], agents[1]),
        (agents[0], agents[2]),
        (agents[1], residents[0]),
        (agents[1], residents[1]),
        (agents[2], residents[2]),
        (residents[0], residents[3]),
        (residents[0], residents[4]),
        (residents[3], residents[5]),
    ]
    for inviter, invitee in tree:
        participant_invite(work=work, actor=inviter, person=invitee, role="writer")


def _participation_loop(ctx: DemoContext) -> None:
    """On the Friche DMC: 2025 contributions → a response → the great hall decision → done →
    the 2026 consultation on the same site.

    The response is dated back to when it was written, after the 2025 campaign, as the other
    demo steps date back their records.
    """
    facilitator = ctx.objects["by_email"][f"animatrice@{DEMO_DOMAIN}"]
    answered = Campaign.objects.get(slug="espaces-publics-2025")
    hall = Decision.objects.get(
        circle__slug="copil-friche-dmc", title__startswith="Ouvrir la grande halle"
    )
    contributions = list(
        Contribution.objects.filter(
            campaign=answered, site__name="Friche DMC", status=Contribution.Status.PUBLISHED
        )
        .order_by("captured_at")
        .values_list("pk", flat=True)[:3]
    )
    response = response_create(
        campaign=answered,
        actor=facilitator,
        title="Ouvrir la grande halle de la friche aux habitants",
        status=Response.Status.UNDER_STUDY,
        text="Le comité de pilotage de la friche étudie l'ouverture de la grande halle.",
        contribution_ids=contributions,
    )
    Response.objects.filter(pk=response.pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 7, 15, 10, 0))
    )
    response.refresh_from_db()
    response_update(
        response=response,
        actor=facilitator,
        status=Response.Status.DONE,
        text="La grande halle est ouverte au public le samedi pendant les études.",
        link_url=settings.SITE_URL + reverse("decisions:decision", args=[hall.pk]),
    )
    done_on = (hall.adopted_at or timezone.now()) + dt.timedelta(days=21)
    open_campaign = Campaign.objects.get(slug="berges-et-friche-2026")
    latest = timezone.make_aware(
        dt.datetime.combine(open_campaign.starts_on - dt.timedelta(days=1), dt.time(12, 0))
    )
    Response.objects.filter(pk=response.pk).update(updated_at=min(done_on, latest))
