"""Seed a live server's database: writers, a shared work and a session per writer.

Run with the server's environment (DATABASE_URL, REDIS_URL, SECRET_KEY…) as
``python -m maillage.cowriting.tests.live_seed WRITERS [--public] [--readers N] [--works N]``;
print one JSON object: ``{"works": [id…], "writers": [{"id", "cookie"}], "readers": [...]}``
(every writer and reader takes part in every work). Used by the
multi-process tests and ``bench/cowriting.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any


def _cookie(person: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "maillage.people.backends.EmailBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def main(argv: Sequence[str] | None = None) -> int:
    """Create the people, the work and the sessions; print them as JSON."""
    parser = argparse.ArgumentParser(prog="live_seed")
    parser.add_argument("writers", type=int)
    parser.add_argument("--readers", type=int, default=0)
    parser.add_argument("--works", type=int, default=1)
    parser.add_argument("--public", action="store_true")
    args = parser.parse_args(argv)
    if args.writers < 1 or args.works < 1:
        print("live_seed: at least one writer and one work are needed", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    from django.db import transaction

    from maillage.cowriting.services import participant_invite, work_create
    from maillage.organizations.services import organization_create
    from maillage.people.models import Person
    from maillage.territories.services import territory_create

    suffix = secrets.token_hex(4)

    def person(kind: str, number: int) -> Any:
        # "@invalid" addresses receive no invitation mail.
        return Person.objects.create_user(
            f"{kind}{number}.{suffix}@invalid", None, display_name=f"{kind.title()} {number}"
        )

    with transaction.atomic():
        territory = territory_create(name=f"Commune {suffix}", kind="commune")
        writers = [person("writer", number) for number in range(args.writers)]
        readers = [person("reader", number) for number in range(args.readers)]
        organization = organization_create(
            name=f"Association {suffix}",
            kind="association",
            actor=writers[0],
            territories=[territory],
        )
        works = [
            work_create(
                actor=writers[0],
                title=f"Récit d'itinérance {number}",
                organization=organization,
                is_public=args.public,
            )
            for number in range(args.works)
        ]
        for work in works:
            for writer in writers[1:]:
                participant_invite(work=work, actor=writers[0], person=writer, role="writer")
            for reader in readers:
                participant_invite(work=work, actor=writers[0], person=reader, role="reader")
    result = {
        "works": [work.pk for work in works],
        "writers": [{"id": p.pk, "cookie": _cookie(p)} for p in writers],
        "readers": [{"id": p.pk, "cookie": _cookie(p)} for p in readers],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
