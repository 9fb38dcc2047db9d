"""Photos on an S3-compatible store (moto's server on loopback): a private bucket, random names,
served only after the permission check, and a clear 503 when the store fails."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from PIL import Image

from maillage.consultations.models import Contribution
from maillage.consultations.tests.conftest import make_record
from maillage.consultations.tests.test_pages import _form
from maillage.consultations.tests.test_photos import GPS_IFD, jpeg_with_gps

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _synced_with_photo(client, campaign, site) -> tuple[dict, dict]:
    record = make_record(campaign, site)
    client.post(
        "/api/consultations/sync",
        json.dumps({"records": [record]}),
        content_type="application/json",
    )
    upload = io.BytesIO(jpeg_with_gps((800, 600)))
    upload.name = "IMG_0042.jpg"
    response = client.post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": upload}
    )
    assert response.status_code == 201, response.content
    return record, response.json()


def _anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_uploaded_photo_is_a_private_object_with_a_random_name(
    s3_bucket, client_as, personas, campaign
):
    record, body = _synced_with_photo(client_as("field_agent"), campaign, personas.site)
    name = Contribution.objects.get(client_uuid=record["uuid"]).photo.name
    assert s3_bucket.keys() == [name]
    assert name.startswith("consultations/") and record["uuid"] not in name
    assert len(name.rsplit("/", 1)[1]) == len("x" * 22 + ".jpg"), "128 random bits"
    assert body["url"] == f"/media/{name}", "the address is the view's, not the bucket's"
    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("URI") != ALL_USERS for g in grants)
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=name)["Body"].read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif().get_ifd(GPS_IFD)


def test_nobody_gets_the_raw_object_without_a_signature(s3_bucket, client_as, personas, campaign):
    _synced_with_photo(client_as("field_agent"), campaign, personas.site)
    (key,) = s3_bucket.keys()
    assert _anonymous_get(f"{s3_bucket.endpoint}/{s3_bucket.name}/{key}") == 403


def test_the_view_streams_the_photo_only_to_those_allowed(s3_bucket, client_as, personas, campaign):
    from maillage.consultations.services import contribution_publish

    record, body = _synced_with_photo(client_as("field_agent"), campaign, personas.site)
    (key,) = s3_bucket.keys()
    original = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=key)["Body"].read()
    agent = client_as("field_agent").get(body["url"])
    assert agent.status_code == 200 and _read(agent) == original
    assert agent["Cache-Control"] == "private, no-store"
    assert client_as("visitor").get(body["url"]).status_code == 404
    assert client_as("participant").get(body["url"]).status_code == 404
    assert client_as("facilitator").get(body["url"]).status_code == 200
    contribution = Contribution.objects.get(client_uuid=record["uuid"])
    contribution_publish(contribution=contribution, actor=personas.facilitator)
    public = client_as("visitor").get(body["url"])
    assert public.status_code == 200 and _read(public) == original


def test_with_redirects_a_cleared_person_gets_a_signed_url_valid_for_a_minute(
    s3_bucket, client_as, personas, campaign, settings
):
    settings.MEDIA_REDIRECT = True
    settings.MEDIA_URL_SECONDS = 60
    _record, body = _synced_with_photo(client_as("field_agent"), campaign, personas.site)
    (key,) = s3_bucket.keys()
    assert client_as("visitor").get(body["url"]).status_code == 404, "no URL before the check"
    response = client_as("field_agent").get(body["url"])
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(f"{s3_bucket.endpoint}/{s3_bucket.name}/{key}?")
    query = parse_qs(urlparse(signed).query)
    # S3 refuses the URL once X-Amz-Date + X-Amz-Expires has passed (moto does not check it).
    assert query["X-Amz-Expires"] == ["60"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 30
    assert _anonymous_get(signed) == 200
    assert _anonymous_get(signed.split("?")[0]) == 403
    settings.MEDIA_URL_SECONDS = 5
    again = client_as("field_agent").get(body["url"])["Location"]
    assert parse_qs(urlparse(again).query)["X-Amz-Expires"] == ["5"]


def test_wrong_credentials_answer_503_in_french_and_save_nothing(
    s3_bucket, client_as, personas, campaign
):
    agent = client_as("field_agent")
    record = make_record(campaign, personas.site)
    agent.post(
        "/api/consultations/sync",
        json.dumps({"records": [record]}),
        content_type="application/json",
    )
    upload = io.BytesIO(jpeg_with_gps((300, 200)))
    upload.name = "IMG_0043.jpg"
    before = Contribution.objects.count()
    with s3_bucket.refusing_every_key():
        answer = agent.post(
            f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": upload}
        )
        photo = io.BytesIO(jpeg_with_gps((300, 200)))
        photo.name = "photo.jpg"
        page = client_as("visitor").post(
            f"/concertations/{campaign.slug}/contribuer/",
            {**_form(campaign, personas.site), "photo": photo},
        )
        home = client_as("visitor").get("/")
        campaign_page = client_as("visitor").get(campaign.get_absolute_url())
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("Impossible d'enregistrer ou de lire des fichiers")
    assert answer["Retry-After"] == "60"
    assert not Contribution.objects.get(client_uuid=record["uuid"]).photo
    assert page.status_code == 503
    assert "pas été enregistrée" in page.content.decode()
    assert b"Traceback" not in page.content
    assert Contribution.objects.count() == before, "the online contribution was not half-saved"
    assert home.status_code == 200 and campaign_page.status_code == 200
    assert s3_bucket.keys() == []


def test_an_unreachable_store_answers_503_and_the_field_app_retries_later(
    s3_bucket, client_as, personas, campaign, settings
):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    options = {
        **settings.STORAGES["default"]["OPTIONS"],
        "endpoint_url": f"http://127.0.0.1:{closed}",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    agent = client_as("field_agent")
    record = make_record(campaign, personas.site)
    agent.post(
        "/api/consultations/sync",
        json.dumps({"records": [record]}),
        content_type="application/json",
    )
    upload = io.BytesIO(jpeg_with_gps((300, 200)))
    upload.name = "IMG_0044.jpg"
    answer = agent.post(
        f"/api/consultations/contributions/{record['uuid']}/photo", {"photo": upload}
    )
    assert answer.status_code == 503
    assert not Contribution.objects.get(client_uuid=record["uuid"]).photo


def test_with_redirects_the_page_policy_admits_images_from_the_store_only_then(
    s3_bucket, client, settings, db
):
    assert s3_bucket.endpoint not in client.get("/")["Content-Security-Policy"]
    settings.MEDIA_REDIRECT = True
    from django.test import Client

    policy = Client().get("/")["Content-Security-Policy"]
    image_sources = next(part for part in policy.split("; ") if part.startswith("img-src"))
    assert s3_bucket.endpoint in image_sources
    assert "script-src 'self'" in policy


def test_a_photo_removed_by_a_moderator_leaves_the_bucket(s3_bucket, client_as, personas, campaign):
    from maillage.consultations.services import contribution_redact

    record, body = _synced_with_photo(client_as("field_agent"), campaign, personas.site)
    contribution = Contribution.objects.get(client_uuid=record["uuid"])
    contribution_redact(
        contribution=contribution,
        actor=personas.facilitator,
        text="Texte sans donnée personnelle",
        remove_photo=True,
    )
    assert s3_bucket.keys() == []
    assert client_as("facilitator").get(body["url"]).status_code == 404
