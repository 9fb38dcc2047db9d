"""Diversity shown beforehand (small groups suppressed), iCalendar feeds, open data."""

from __future__ import annotations

import pytest

from maillage.core.opendata import get_dataset
from maillage.workshops.ical import escape_text, fold
from maillage.workshops.selectors import diversity_of
from maillage.workshops.tests.conftest import register


@pytest.fixture
def big_workshop(workshop):
    workshop.capacity = 40
    workshop.save(update_fields=["capacity"])
    return workshop


def test_diversity_counts_are_shown_from_five_people_and_suppressed_below(big_workshop):
    register(big_workshop, 6, sector="academic", public="student")
    register(big_workshop, 2, sector="business", public="worker")
    diversity = diversity_of(big_workshop)
    assert diversity["sector"].suppressed and diversity["sector"].counts == {}
    assert diversity["sector"].evenness is None
    assert diversity["discipline"].unknown == 8


def test_diversity_is_shown_once_every_category_has_five_people(big_workshop):
    register(big_workshop, 6, sector="academic", public="student")
    register(big_workshop, 5, sector="business", public="worker")
    diversity = diversity_of(big_workshop)
    assert diversity["sector"].counts == {"academic": 6, "business": 5}
    assert diversity["sector"].evenness == pytest.approx(0.9940, abs=1e-4)


def test_the_page_shows_the_mix_as_tables_with_small_groups_hidden(client, big_workshop):
    register(big_workshop, 5, sector="association")
    register(big_workshop, 1, sector="public")
    page = client.get(big_workshop.get_absolute_url()).content.decode()
    assert "<caption>" in page
    assert "fewer than 5" in page or "moins de 5" in page
    assert "Personne 0" not in page


def test_the_api_gives_the_aggregate_diversity_and_never_names(client, big_workshop):
    register(big_workshop, 5, sector="citizens")
    body = client.get(f"/api/workshops/{big_workshop.slug}/diversity").json()
    sector = next(d for d in body if d["dimension"] == "sector")
    assert sector["counts"] == {"citizens": 5}
    assert "Personne" not in str(body) and "example.org" not in str(body)


def test_open_data_has_workshops_and_diversity_but_no_attendee(big_workshop):
    register(big_workshop, 5, sector="citizens")
    workshops = list(get_dataset("workshops").iter_rows())
    assert workshops[0]["registered"] == 5
    diversity = list(get_dataset("workshop_diversity").iter_rows())
    assert {"workshop": big_workshop.slug, "dimension": "sector", "count": 5}.items() <= next(
        r for r in diversity if r["dimension"] == "sector"
    ).items()
    text = str(workshops) + str(diversity)
    assert "example.org" not in text and "Personne" not in text


def test_text_values_are_escaped_and_long_lines_folded_at_75_octets():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    folded = fold("DESCRIPTION:" + "é" * 100)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == (
        "DESCRIPTION:" + "é" * 100
    )


def test_the_workshop_calendar_is_a_valid_rfc_5545_event(client, workshop):
    response = client.get(f"/ateliers/{workshop.slug}.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    assert f"UID:workshop-{workshop.pk}@" in unfolded
    assert "SUMMARY:Atelier : la rue aux enfants\\, sans chef d'orchestre" in unfolded
    assert "DESCRIPTION:Espace public\\, enfance — World café\\; design fiction" in unfolded
    assert (
        workshop.starts_at.astimezone(__import__("datetime").UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ")
        in unfolded
    )
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_territory_calendar_holds_the_workshops_of_places_inside_it(client, personas, workshop):
    body = client.get(f"/ateliers/territoire/{personas.region.slug}.ics").content.decode()
    assert body.count("BEGIN:VEVENT") == 1
    other = client.get(f"/ateliers/territoire/{personas.other_commune.slug}.ics").content.decode()
    assert "BEGIN:VEVENT" not in other
