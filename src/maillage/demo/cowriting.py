"""Demo: a "récit d'itinérance" co-written by five participants, published with their consent,
and a draft in progress that the demo logins can edit together.

Every edit is a real Yjs update made with pycrdt by the author's own replica and stored with
its author, exactly as the websocket stores them, so the authorship pages replay real history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, Text

from maillage.cowriting import services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import SharedWork, Update
from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN

AUTHORS = ["animatrice", "habitante", "admin.asso", "agent1", "service.participation"]
OBJECTIVES = [
    "Garder trace de ce que les habitants nous ont appris en chemin.",
    "Que mon quartier se reconnaisse dans le récit.",
    "En tirer des pistes d'action pour l'association.",
    "Nommer les lieux où la coopération se voit déjà.",
    "Montrer aux élus ce qu'une itinérance apporte de plus qu'un diagnostic.",
]


def _append(paragraph: str) -> Callable[[Text], None]:
    return lambda text: text.insert(len(text), paragraph)


def _replace(old: str, new: str) -> Callable[[Text], None]:
    def edit(text: Text) -> None:
        raw = str(text).encode("utf-8")
        start = raw.find(old.encode("utf-8"))
        if start < 0:
            return
        del text[start : start + len(old.encode("utf-8"))]
        text.insert(start, new)

    return edit


# (version name, [(author index, edit)]): an edit appends a paragraph or rewrites a passage.
PHASES: list[tuple[str, list[tuple[int, Callable[[Text], None]]]]] = [
    (
        "Premier jet",
        [
            (0, _append("# Traversée de Bramont, à pied\n\n")),
            (
                0,
                _append(
                    "Nous sommes partis à cinq, un matin de mai, pour traverser l'agglomération à "
                    "pied : trois cents kilomètres en douze jours, des Coteaux jusqu'au canal.\n\n"
                ),
            ),
            (
                1,
                _append(
                    "Aux Tisserands, on nous a ouvert des portes que personne n'ouvre aux enquêteurs. "
                    "Une voisine nous a dit : « c'est celui qui fait qui sait ».\n\n"
                ),
            ),
            (
                2,
                _append(
                    "À la Fonderie, l'association a vu ce qu'elle ne voyait pas depuis son local : "
                    "les jardins partagés tiennent parce que trois familles se relaient sans se le dire.\n\n"
                ),
            ),
            (
                3,
                _append(
                    "Le long du canal, les pêcheurs et les joggeurs se partagent le chemin de halage "
                    "sans règlement écrit. Il y a là une coopération implicite.\n\n"
                ),
            ),
            (
                4,
                _append(
                    "Il n'y a pas de rapport d'itinérance : il y a ce récit, écrit ensemble, "
                    "avec celles et ceux que nous avons rencontrés.\n\n"
                ),
            ),
        ],
    ),
    (
        "Après relecture",
        [
            (
                1,
                _replace(
                    "Une voisine nous a dit",
                    "Odile, qui tient le lavoir depuis trente ans, nous a dit",
                ),
            ),
            (
                3,
                _replace(
                    "Il y a là une coopération implicite.",
                    "Personne ne l'a décidé ; tout le monde le respecte. C'est cela, l'implicite "
                    "de la coopération.",
                ),
            ),
            (
                0,
                _replace(
                    "trois cents kilomètres en douze jours",
                    "trois cent vingt kilomètres en douze jours",
                ),
            ),
            (
                2,
                _append(
                    "## Ce que nous en retenons\n\n"
                    "La vision est commune, les objectifs de chacun ne le sont pas, et c'est très bien "
                    "ainsi : l'œuvre commune dépasse les objectifs de chacun.\n\n"
                ),
            ),
        ],
    ),
    (
        "Version finale",
        [
            (
                4,
                _append(
                    "Nous proposons que la prochaine traversée parte de Sainte-Odile-des-Champs, "
                    "avec les habitants qui nous ont demandé de revenir.\n"
                ),
            ),
            (1, _replace("un matin de mai", "un matin de mai, sacs légers et carnets ouverts")),
        ],
    ),
]

DRAFT = [
    (0, _append("# Carnet de route — deuxième traversée\n\n")),
    (1, _append("Départ prévu de la place des Champs. Qui apporte la carte ?\n\n")),
    (2, _append("À écrire ensemble : les rencontres du premier jour.\n")),
]


class _Replica:
    """One author's own Yjs replica, kept in sync with the others like a browser would be."""

    def __init__(self, client_id: int) -> None:
        self.doc: Doc = Doc(client_id=client_id)
        self.text = self.doc.get(TEXT_NAME, type=Text)

    def edit(self, action: Callable[[Text], None]) -> bytes:
        captured: list[bytes] = []
        subscription = self.doc.observe(lambda event: captured.append(event.update))
        with self.doc.transaction():  # one edit, one update, as an editor keystroke batch
            action(self.text)
        self.doc.unobserve(subscription)
        return captured[0] if captured else b""


def _write(
    work: SharedWork,
    people: list[Any],
    edits: list[tuple[int, Callable[[Text], None]]],
    replicas: list[_Replica],
    when: dt.datetime,
) -> dt.datetime:
    for index, action in edits:
        author = replicas[index]
        for other in replicas:  # everyone is up to date before the next edit
            author.doc.apply_update(other.doc.get_update(author.doc.get_state()))
        update = author.edit(action)
        if not update:
            continue
        sequence = services.updates_append(work_id=work.pk, items=[(people[index].pk, update)])
        Update.objects.filter(work=work, sequence=sequence).update(created_at=when)
        when += dt.timedelta(hours=5)
    return when


@demo_step(45, "co-writing")
@transaction.atomic
def build_cowriting(ctx: DemoContext) -> None:
    by_email = ctx.objects["by_email"]
    people = [by_email[f"{name}@{DEMO_DOMAIN}"] for name in AUTHORS]
    association = next(
        o for o in ctx.objects["organizations"] if o.name.startswith("Association des habitants")
    )
    recit = services.work_create(
        actor=people[2],
        title="Récit d'itinérance : traverser Bramont à pied",
        organization=association,
        vision=(
            "Être coopérateurs d'une œuvre commune : raconter ensemble ce que la traversée "
            "nous a appris du territoire et de ceux qui le font vivre."
        ),
        is_public=True,
        objective=OBJECTIVES[2],
    )
    for person, objective in zip(people, OBJECTIVES, strict=True):
        if person != people[2]:
            services.participant_invite(
                work=recit,
                actor=people[2] if person == people[0] else people[0],
                person=person,
                role="writer",
            )
        recit.participants.filter(person=person).update(objective=objective)
    replicas = [_Replica(client_id=1000 + i) for i in range(len(people))]
    when = timezone.now() - dt.timedelta(days=30)
    final = None
    for name, edits in PHASES:
        when = _write(recit, people, edits, replicas, when)
        recit.refresh_from_db()
        final = services.version_create(work=recit, actor=people[0], name=name)
    assert final is not None
    proposal = services.proposal_create(work=recit, actor=people[0], version=final)
    for person in people[1:]:
        services.proposal_decide(proposal=proposal, actor=person, decision="consent")

    draft = services.work_create(
        actor=people[2],
        title="Carnet de route — deuxième traversée",
        organization=association,
        vision="Préparer et raconter la deuxième traversée, en direct et à plusieurs mains.",
        objective=OBJECTIVES[2],
    )
    for person, role in (
        (people[0], "writer"),
        (people[1], "writer"),
        (people[3], "commenter"),
        (people[4], "reader"),
    ):
        services.participant_invite(work=draft, actor=people[2], person=person, role=role)
    _write(
        draft,
        people,
        DRAFT,
        [_Replica(client_id=2000 + i) for i in range(3)],
        timezone.now() - dt.timedelta(hours=3),
    )
    ctx.objects.update(cowriting_works=[recit, draft])
