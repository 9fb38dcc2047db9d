"""Photos: checked by content, resized, EXIF and GPS stripped, 10 MB limit."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from maillage.consultations.models import Contribution
from maillage.consultations.photos import MAX_PHOTO_BYTES, PhotoTooLarge, photo_prepare
from maillage.consultations.tests.conftest import make_record

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (3200, 2400)) -> bytes:
    image = Image.new("RGB", size, "#336699")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (47.0, 45.0, 0.0), 3: "E", 4: (7.0, 20.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_prepared_photo_has_no_exif_and_no_gps_and_at_most_1600_pixels():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    prepared = Image.open(io.BytesIO(photo_prepare(original).read()))
    assert max(prepared.size) == 1600
    assert prepared.size == (1600, 1200)
    assert dict(prepared.getexif()) == {}
    assert "exif" not in prepared.info


def test_the_orientation_tag_is_applied_before_exif_is_dropped():
    image = Image.new("RGB", (400, 200), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    prepared = Image.open(io.BytesIO(photo_prepare(out.getvalue()).read()))
    assert prepared.size == (200, 400)


def test_a_png_with_transparency_becomes_an_opaque_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, format="PNG")
    prepared = Image.open(io.BytesIO(photo_prepare(out.getvalue()).read()))
    assert prepared.format == "JPEG"
    assert prepared.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4 not an image", b"\xff\xd8\xff\xe0 truncated jpeg", b"", b"GIF89a"]
)
def test_a_file_that_is_not_an_image_is_refused_by_content(data):
    with pytest.raises(ValidationError):
        photo_prepare(data)


def test_a_photo_over_10_mb_is_refused_before_decoding():
    with pytest.raises(PhotoTooLarge, match="10 MB"):
        photo_prepare(b"\xff" * (MAX_PHOTO_BYTES + 1))


def _synced(client, campaign, site) -> dict:
    record = make_record(campaign, site)
    body = json.dumps({"records": [record]})
    client.post("/api/consultations/sync", body, content_type="application/json")
    return record


def test_the_photo_endpoint_stores_a_clean_jpeg_once(
    client_as, personas, campaign, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("field_agent")
    record = _synced(client, campaign, personas.site)
    url = f"/api/consultations/contributions/{record['uuid']}/photo"
    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "IMG_0001.jpg"
    response = client.post(url, {"photo": upload})
    assert response.status_code == 201
    stored = Contribution.objects.get(client_uuid=record["uuid"]).photo
    image = Image.open(stored.path)
    assert max(image.size) <= 1600
    assert dict(image.getexif()) == {}
    again = io.BytesIO(jpeg_with_gps((100, 100)))
    again.name = "IMG_0001.jpg"
    assert client.post(url, {"photo": again}).status_code == 200
    assert Contribution.objects.get(client_uuid=record["uuid"]).photo.name == stored.name


def test_a_renamed_non_image_is_a_422(client_as, personas, campaign, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("field_agent")
    record = _synced(client, campaign, personas.site)
    fake = io.BytesIO(b"#!/bin/sh\necho not a photo\n")
    fake.name = "photo.jpg"
    response = client.post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": fake}
    )
    assert response.status_code == 422
    assert "not an image" in json.dumps(response.json())
    assert not Contribution.objects.get(client_uuid=record["uuid"]).photo


def test_a_photo_over_10_mb_is_a_413_naming_the_limit(
    client_as, personas, campaign, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("field_agent")
    record = _synced(client, campaign, personas.site)
    big = io.BytesIO(b"\xff" * (MAX_PHOTO_BYTES + 10))
    big.name = "big.jpg"
    response = client.post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": big}
    )
    assert response.status_code == 413
    assert "10 MB" in response.json()["detail"]


def test_another_agent_cannot_attach_a_photo_to_someone_elses_record(
    client_as, personas, campaign, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    record = _synced(client_as("field_agent"), campaign, personas.site)
    upload = io.BytesIO(jpeg_with_gps((10, 10)))
    upload.name = "a.jpg"
    response = client_as("participant").post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": upload}
    )
    assert response.status_code == 403


def test_a_photo_for_an_unsynced_record_is_a_404(client_as, campaign):
    upload = io.BytesIO(jpeg_with_gps((10, 10)))
    upload.name = "a.jpg"
    response = client_as("field_agent").post(
        "/api/consultations/contributions/6f1d7c1e-4d0b-4c57-9a53-1d2f0b6c9e41/photo",
        {"photo": upload},
    )
    assert response.status_code == 404


def test_a_photo_is_served_to_the_public_only_once_published_with_consent(
    client_as, personas, campaign, tmp_path, settings
):
    from maillage.consultations.services import contribution_hide, contribution_publish

    settings.MEDIA_ROOT = tmp_path
    agent = client_as("field_agent")
    record = _synced(agent, campaign, personas.site)
    upload = io.BytesIO(jpeg_with_gps((200, 100)))
    upload.name = "IMG_0002.jpg"
    body = agent.post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": upload}
    ).json()
    contribution = Contribution.objects.get(client_uuid=record["uuid"])
    url = body["url"]
    assert url.startswith("/media/consultations/")
    assert agent.get(url).status_code == 200, "the agent who took it sees it"

    def seen_by(role: str) -> int:
        return client_as(role).get(url).status_code

    assert seen_by("visitor") == 404 and seen_by("participant") == 404
    assert seen_by("facilitator") == 200
    assert contribution.consent_publication
    contribution_publish(contribution=contribution, actor=personas.facilitator)
    response = client_as("visitor").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    contribution.refresh_from_db()
    contribution_hide(contribution=contribution, actor=personas.facilitator, reason="personal_data")
    assert seen_by("visitor") == 404 and seen_by("participant") == 404
    assert seen_by("facilitator") == 200
    assert client_as("visitor").get("/media/consultations/../../secret_key").status_code == 404
