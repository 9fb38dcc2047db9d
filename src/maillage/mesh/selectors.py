"""Reads of the mesh for one person and for the territory page: one's own place, consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.analysis.graph.sources import person as person_node
from maillage.mesh import derivation
from maillage.mesh.models import MeshConsent
from maillage.mesh.visibility import consenting_person_ids, who_is_who


def consent_of(person: Any) -> bool:
    """Return whether ``person`` appears in the mesh by name."""
    return MeshConsent.objects.filter(person=person, visible=True).exists()


@dataclass(frozen=True)
class OwnLink:
    """One of a person's links as they see it."""

    kind: str
    outgoing: bool
    other: str
    other_kind: str
    weight: float
    time: dt.datetime | None
    record_type: str
    private: bool


def place_of(person: Any) -> list[OwnLink]:
    """Return ``person``'s own links, public or private; the others as the public sees them.

    Another person is named only if they opted in; otherwise they show as a member of their
    organization, or as "a person".
    """
    me = person_node(person.pk)
    derived = derivation.derive_links()
    record_types = derivation.record_labels()
    links = [link for link in derived if me in (link.source, link.target)]
    directory = who_is_who(derived, consenting_person_ids())
    rows = []
    for link in links:
        other = link.target if link.source == me else link.source
        kind, pk = other.split(":", 1)
        key = int(pk)
        if kind == "person":
            name, visible = directory.persons.get(key, ("", False))
            org = directory.main_organization.get(key)
            if visible:
                label = name
            elif org is not None:
                label = _("a member of %(organization)s") % {
                    "organization": directory.organizations[org][0]
                }
            else:
                label = _("a person")
        elif kind == "organization":
            label = directory.organizations[key][0]
        else:
            label = directory.territories[key][0]
        rows.append(
            OwnLink(
                kind=str(link.kind),
                outgoing=link.source == me,
                other=label,
                other_kind=kind,
                weight=round(link.weight, 3),
                time=link.time,
                record_type=str(record_types.get(link.record.split(":")[0], "")),
                private=not link.public,
            )
        )
    rows.sort(key=lambda row: (row.time is None, -(row.time.timestamp() if row.time else 0)))
    return rows


def territory_section(territory: Any, ids: list[int]) -> dict | None:
    """Return the territory page's section: a way into its cooperation mesh."""
    return {
        "title": "mesh",
        "template": "mesh/territory_section.html",
        "context": {"url": reverse("mesh:territory", args=[territory.slug])},
    }


def consent_export_for_person(person: Any) -> dict[str, Any]:
    """Return the person's mesh consent, for their data export."""
    consent = MeshConsent.objects.filter(person=person).values("visible", "updated_at").first()
    return dict(consent) if consent else {"visible": False}
