"""GPX uploads: permission and declared size are checked before the file is read."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.core.tests.test_uploads import (
    MB,
    AsgiPost,
    _multipart_chunks,
    _multipart_headers,
    _multipart_length,
)
from maillage.journeys.services import journey_create, journey_import_gpx
from maillage.journeys.services.journeys import MAX_GPX_BYTES
from maillage.journeys.tests.conftest import make_gpx
from maillage.people.services import api_token_create


@pytest.mark.django_db(transaction=True)
def test_an_outsiders_gpx_is_refused_without_being_read_into_memory(settings, personas):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MAX_REQUEST_BYTES = 25 * MB
    journey = journey_create(
        actor=personas.facilitator,
        title="Sentier",
        territory=personas.commune,
        starts_on=dt.date(2026, 5, 4),
        ends_on=dt.date(2026, 5, 6),
    )
    _, key = api_token_create(
        person=personas.org_admin, actor=personas.org_admin, name="t", scope="write"
    )

    def post(size: int) -> AsgiPost:
        return AsgiPost(
            f"/api/journeys/{journey.slug}/route",
            _multipart_chunks("gpx", "route.gpx", size),
            [
                *_multipart_headers(_multipart_length("gpx", "route.gpx", size)),
                (b"authorization", f"Bearer {key}".encode()),
            ],
        ).run()

    post(1024)  # the first request loads the URL configuration and the catalogues
    size = 19 * MB
    tracemalloc.start()
    try:
        refused = post(size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.status == 403
    assert refused.pulled >= size, "the body was received (and spooled to disk by Django)"
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB: the 19 MB file was read into memory"


@pytest.mark.django_db
def test_a_gpx_over_its_limit_is_refused_by_its_declared_size(personas, journey):
    upload = SimpleUploadedFile("route.gpx", make_gpx(10), content_type="application/gpx+xml")
    upload.size = MAX_GPX_BYTES + 1  # the size the client declared: the content is not read
    with pytest.raises(ValidationError, match="la limite est de 20 Mo"):
        journey_import_gpx(journey=journey, actor=personas.participant, data=upload)
    journey.refresh_from_db()
    assert journey.route is None


@pytest.mark.django_db
def test_an_outsider_is_refused_before_the_size_is_even_looked_at(personas, journey):
    upload = SimpleUploadedFile("route.gpx", make_gpx(10), content_type="application/gpx+xml")
    upload.size = MAX_GPX_BYTES + 1
    with pytest.raises(PermissionDenied):
        journey_import_gpx(journey=journey, actor=personas.org_admin, data=upload)
