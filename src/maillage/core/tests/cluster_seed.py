"""Seed a cluster's database: a field campaign, its agent and facilitator, co-writers, texts.

Run with the cluster's environment (``Cluster.seed``) as
``python -m maillage.core.tests.cluster_seed [--published N]``; print one JSON object with the
ids, API tokens and session cookies the cluster tests and ``bench/cluster.py`` use. The
published contributions (N, default 0) feed the observatory's theme analysis: short texts drawn
from a few themes, so that the analysis has real work to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import uuid
from collections.abc import Sequence
from typing import Any

PASSWORD = "correct horse battery staple"  # noqa: S105 (a throw-away test database)

THEMES = {
    "lumière": ["lumière", "éclairage", "lampadaire", "soir", "nuit", "sombre", "sécurité"],
    "bancs": ["banc", "s'asseoir", "repos", "ombre", "arbre", "fraîcheur", "pause"],
    "jeux": ["enfants", "jeux", "toboggan", "parents", "sable", "balançoire", "goûter"],
    "vélo": ["vélo", "piste", "stationnement", "arceau", "trottoir", "voiture", "circulation"],
    "propreté": ["poubelle", "déchets", "propreté", "tri", "chiens", "mégots", "nettoyage"],
    "marché": ["marché", "producteurs", "samedi", "légumes", "fête", "musique", "rencontre"],
}
FILLERS = ["je voudrais", "il faudrait", "plus de", "moins de", "le matin", "avec", "pour"]


def theme_text(rng: random.Random) -> str:
    """Return a short contribution on one or two themes."""
    themes = rng.sample(sorted(THEMES), k=rng.choice((1, 1, 2)))
    words = [word for theme in themes for word in rng.sample(THEMES[theme], k=4)]
    words += rng.sample(FILLERS, k=3)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def make_record(campaign: str, site: int, text: str | None = None) -> dict[str, Any]:
    """Return a field record as the phone sends it (a new UUID)."""
    return {
        "uuid": str(uuid.uuid4()),
        "campaign": campaign,
        "site": site,
        "text": text or "Plus de lumière le soir sur la place, pour se sentir en sécurité.",
        "answers": {},
        "age_band": "30_44",
        "relation": "lives",
        "consent": True,
        "captured_at": "2026-05-14T10:30:00+02:00",
        "contact_email": "",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cluster_seed")
    parser.add_argument("--published", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    from django.db import transaction

    from maillage.consultations.models import Contribution
    from maillage.consultations.services import campaign_create, contribution_sync_batch
    from maillage.cowriting.services import participant_invite, work_create
    from maillage.cowriting.tests.live_seed import _cookie
    from maillage.organizations.services import organization_create
    from maillage.people.models import ApiToken, Person, TerritoryRole
    from maillage.people.services import api_token_create
    from maillage.territories.services import territory_create

    suffix = secrets.token_hex(4)

    def person(kind: str, domain: str = "invalid") -> Any:
        # "@invalid" addresses receive no mail (the sign-in form wants a real-looking one).
        return Person.objects.create_user(
            f"{kind}.{suffix}@{domain}", PASSWORD, display_name=kind.title()
        )

    square = {
        "type": "Polygon",
        "coordinates": [[[7.3, 47.7], [7.4, 47.7], [7.4, 47.8], [7.3, 47.8], [7.3, 47.7]]],
    }
    place = {
        "type": "Polygon",
        "coordinates": [
            [[7.35, 47.75], [7.351, 47.75], [7.351, 47.751], [7.35, 47.751], [7.35, 47.75]]
        ],
    }
    with transaction.atomic():
        commune = territory_create(name=f"Commune {suffix}", kind="commune", geometry=square)
        site = territory_create(name=f"Place {suffix}", kind="site", parent=commune, geometry=place)
        agent, facilitator, login_target = (
            person("agent"),
            person("facilitator"),
            person("login", "example.org"),
        )
        writers = [person("writer0"), person("writer1")]
        TerritoryRole.objects.create(person=agent, territory=commune, role="field_agent")
        TerritoryRole.objects.create(person=facilitator, territory=commune, role="facilitator")
        campaign = campaign_create(
            actor=facilitator,
            title=f"Comment vous sentir ici {suffix}",
            territory=commune,
            open_question="Comment avez-vous envie de vous sentir dans cet espace public ?",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2027, 12, 31),
            sites=[site],
            team=[agent],
            facilitator=facilitator,
            status="open",
        )
        _, agent_token = api_token_create(
            person=agent, actor=agent, name="terrain", scope=ApiToken.Scope.WRITE
        )
        _, facilitator_token = api_token_create(
            person=facilitator, actor=facilitator, name="analyse", scope=ApiToken.Scope.WRITE
        )
        organization = organization_create(
            name=f"Association {suffix}",
            kind="association",
            actor=writers[0],
            territories=[commune],
        )
        work = work_create(
            actor=writers[0], title="Récit d'itinérance", organization=organization, is_public=False
        )
        participant_invite(work=work, actor=writers[0], person=writers[1], role="writer")
    rng = random.Random(22)  # noqa: S311 (texts, not secrets)
    for start in range(0, args.published, 500):
        records = [
            make_record(campaign.slug, site.pk, theme_text(rng))
            for _ in range(min(500, args.published - start))
        ]
        contribution_sync_batch(actor=agent, records=records)
    Contribution.objects.filter(campaign=campaign).update(status=Contribution.Status.PUBLISHED)
    print(
        json.dumps(
            {
                "campaign": campaign.slug,
                "commune": commune.slug,
                "site": site.pk,
                "agent_token": agent_token,
                "agent_cookie": _cookie(agent),
                "facilitator_token": facilitator_token,
                "login_email": login_target.email,
                "work": work.pk,
                "writer_cookies": [_cookie(writer) for writer in writers],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
