"""Fixtures of the co-writing tests: a work written by two pens, as the websocket stores it."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from maillage.cowriting import services
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import SharedWork


class Pen:
    """Write into a work's log as the websocket would: one stored update per edit."""

    def __init__(self, work: SharedWork) -> None:
        self.work = work
        self.doc: Doc = Doc()
        self.text = self.doc.get(TEXT_NAME, type=Text)

    def write(self, person: Any, action: Any) -> None:
        captured: list[bytes] = []
        sub = self.doc.observe(lambda event: captured.append(event.update))
        action(self.text)
        self.doc.unobserve(sub)
        services.updates_append(work_id=self.work.pk, items=[(person.pk, u) for u in captured])


@pytest.fixture
def work(personas: Any) -> SharedWork:
    work = services.work_create(
        actor=personas.org_admin,
        title="Récit",
        organization=personas.organization,
        vision="Raconter la traversée.",
    )
    for person, role in (
        (personas.facilitator, "writer"),
        (personas.field_agent, "commenter"),
        (personas.participant, "reader"),
    ):
        services.participant_invite(work=work, actor=personas.org_admin, person=person, role=role)
    pen = Pen(work)
    pen.write(personas.org_admin, lambda t: t.insert(0, "Nous avons marché. "))
    pen.write(personas.facilitator, lambda t: t.insert(len(t), "Et écouté."))
    work.refresh_from_db()
    return work
