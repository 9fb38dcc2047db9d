"""Routes: GPX import with clear errors, simplification with counts, export, the map."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.analysis.gpx import parse_gpx, track_length_km
from maillage.journeys.services import journey_export_gpx, journey_import_gpx
from maillage.journeys.tests.conftest import make_gpx


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><body>Bonjour</body></html>", "not a GPX file: the root element is <html>"),
        (b"latitude,longitude\n47.7,7.3\n", "not a GPX file"),
        (b"", "not a GPX file"),
        (
            b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
            b'<wpt lat="47.7" lon="7.3"/><wpt lat="47.8" lon="7.3"/></gpx>',
            "the GPX file has no track (it only has 2 wpt)",
        ),
        (
            b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="47.7" lon="7.3"/></trkseg></trk></gpx>',
            "fewer than two points",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_gpx_is_refused_naming_the_problem(
    personas, journey, data, words
):
    with pytest.raises(ValidationError) as error:
        journey_import_gpx(journey=journey, actor=personas.facilitator, data=data)
    assert words in error.value.message_dict["gpx"][0]
    journey.refresh_from_db()
    assert journey.route is None


def test_a_track_with_many_points_is_simplified_and_the_counts_are_kept(personas, journey):
    data = make_gpx(120_000, segments=2)
    smooth_km = track_length_km(parse_gpx(make_gpx(120_000, segments=2, wobble=0)))
    result = journey_import_gpx(journey=journey, actor=personas.participant, data=data)
    assert result.read == 120_000
    assert result.kept + result.dropped == 120_000
    assert 4 <= result.kept < 6_000
    journey.refresh_from_db()
    assert journey.route["type"] == "MultiLineString"
    assert sum(len(line) for line in journey.route["coordinates"]) == result.kept
    assert journey.route_points_dropped == result.dropped
    # The 2 m jitter of the points is dropped: the length is the smooth line's.
    assert journey.route_length_km == pytest.approx(smooth_km, rel=0.02)


def test_the_page_shows_the_kept_and_dropped_counts_after_an_import(client_as, journey):
    client = client_as("participant")
    upload = SimpleUploadedFile("trace.gpx", make_gpx(20_000), content_type="application/gpx+xml")
    response = client.post(f"/itinerances/{journey.slug}/trace/", {"gpx": upload}, follow=True)
    journey.refresh_from_db()
    text = response.content.decode()
    assert (
        f"{journey.route_points_kept} kept" in text
        or f"{journey.route_points_kept} conserv" in text
    )
    assert str(journey.route_points_dropped) in text


def test_the_page_names_the_problem_of_a_bad_gpx(client_as, journey):
    upload = SimpleUploadedFile("notes.gpx", b"<kml></kml>", content_type="application/gpx+xml")
    response = client_as("participant").post(f"/itinerances/{journey.slug}/trace/", {"gpx": upload})
    assert response.status_code == 422
    assert "the root element is &lt;kml&gt;, not &lt;gpx&gt;" in response.content.decode()


def test_the_api_answers_422_naming_the_problem_of_a_gpx_without_track(client_as, journey):
    upload = SimpleUploadedFile("vide.gpx", b'<gpx version="1.1"></gpx>')
    response = client_as("participant").post(f"/api/journeys/{journey.slug}/route", {"gpx": upload})
    assert response.status_code == 422
    assert "no track" in response.json()["detail"]["gpx"][0]


@pytest.mark.parametrize("role", ["participant", "facilitator", "platform_admin"])
def test_walkers_and_facilitators_may_import_the_route(personas, journey, role):
    journey_import_gpx(journey=journey, actor=personas.by_role(role), data=make_gpx(100))


@pytest.mark.parametrize("role", ["field_agent", "org_admin"])
def test_others_may_not_import_the_route(personas, journey, role):
    with pytest.raises(PermissionDenied):
        journey_import_gpx(journey=journey, actor=personas.by_role(role), data=make_gpx(100))


def test_the_exported_gpx_holds_the_simplified_route(client, personas, journey):
    journey_import_gpx(journey=journey, actor=personas.participant, data=make_gpx(5_000))
    journey.refresh_from_db()
    response = client.get(f"/itinerances/{journey.slug}/trace.gpx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gpx+xml"
    track = parse_gpx(response.content)
    assert len(track) == journey.route_points_kept
    assert track.name == journey.title
    assert journey_export_gpx(journey) == response.content


def test_the_journey_page_draws_the_route_as_a_line_and_lists_stages(client, personas, journey):
    from maillage.journeys.services import stage_add

    journey_import_gpx(journey=journey, actor=personas.participant, data=make_gpx(1_000))
    stage_add(
        journey=journey,
        actor=personas.facilitator,
        title="De la Forge au Canal",
        starts_on=journey.starts_on,
        ends_on=journey.starts_on,
    )
    response = client.get(journey.get_absolute_url())
    assert response.status_code == 200
    data = response.context["map_data"]
    assert data["features"][0]["geometry"]["type"] == "LineString"
    page = response.content.decode()
    assert "De la Forge au Canal" in page
    assert json.dumps(data["features"][0]["geometry"]["type"]) in page


def test_a_stage_outside_the_journey_days_is_refused(personas, journey):
    import datetime as dt

    from maillage.journeys.services import stage_add

    with pytest.raises(ValidationError):
        stage_add(
            journey=journey,
            actor=personas.facilitator,
            title="Trop tard",
            starts_on=journey.ends_on + dt.timedelta(days=1),
            ends_on=journey.ends_on + dt.timedelta(days=2),
        )
