"""Fixtures: a public journey walked by the participant, and GPX files made on the fly."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import pytest

START = dt.date(2026, 5, 4)


@pytest.fixture
def journey(personas: Any) -> Any:
    from maillage.journeys.services import journey_create

    return journey_create(
        actor=personas.facilitator,
        title="Traversée de la vallée",
        territory=personas.commune,
        starts_on=START,
        ends_on=START + dt.timedelta(days=13),
        walkers=[personas.participant],
    )


def make_gpx(points: int, *, segments: int = 1, wobble: float = 0.00002) -> bytes:
    """Return a GPX 1.1 track of ``points`` points along a wavy line, split in ``segments``."""
    per = points // segments
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">',
        "<trk><name>Essai</name>",
    ]
    for s in range(segments):
        parts.append("<trkseg>")
        for i in range(s * per, (s + 1) * per):
            lat = 47.7 + i * 0.00001 + wobble * math.sin(i)
            lon = 7.3 + 0.01 * math.sin(i / 500)
            parts.append(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>250</ele></trkpt>')
        parts.append("</trkseg>")
    parts += ["</trk>", "</gpx>"]
    return "\n".join(parts).encode()


def make_record(journey: Any, /, **changes: Any) -> dict[str, Any]:
    """Return a valid encounter record as the phone sends it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "journey": journey.slug,
        "territory": journey.territory_id,
        "place_name": "Lavoir du bas",
        "met_on": START.isoformat(),
        "who": "Une boulangère",
        "notes": "Elle voit passer tout le village le matin.",
        "consent": True,
        "themes": ["commerce", "Lien social"],
    }
    record.update(changes)
    return record
