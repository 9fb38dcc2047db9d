"""The file store: its configuration from the environment, and the probe readiness uses."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from maillage.core.env import ConfigurationError, s3_storage_options
from maillage.core.storage import StorageUnavailable, random_file_name, storage_check


def test_without_a_bucket_files_stay_on_the_local_disk(monkeypatch):
    monkeypatch.delenv("MAILLAGE_S3_BUCKET", raising=False)
    assert s3_storage_options() is None


def test_the_bucket_options_keep_every_object_private(monkeypatch):
    monkeypatch.setenv("MAILLAGE_S3_BUCKET", "maillage-media")
    monkeypatch.setenv("MAILLAGE_MEDIA_URL_SECONDS", "45")
    options = s3_storage_options()
    assert options["bucket_name"] == "maillage-media"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 45
    assert options["file_overwrite"] is False
    assert options["client_config"].connect_timeout == 10


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("MAILLAGE_S3_ENDPOINT_URL", "minio:9000", "MAILLAGE_S3_ENDPOINT_URL"),
        ("MAILLAGE_S3_ACCESS_KEY_ID", "only-half", "MAILLAGE_S3_SECRET_ACCESS_KEY"),
        ("MAILLAGE_S3_ADDRESSING_STYLE", "sideways", "MAILLAGE_S3_ADDRESSING_STYLE"),
        ("MAILLAGE_S3_TIMEOUT", "0", "MAILLAGE_S3_TIMEOUT"),
        ("MAILLAGE_MEDIA_URL_SECONDS", "soon", "MAILLAGE_MEDIA_URL_SECONDS"),
    ],
)
def test_a_wrong_storage_variable_stops_start_up_naming_it(monkeypatch, variable, value, named):
    monkeypatch.setenv("MAILLAGE_S3_BUCKET", "maillage-media")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=named):
        s3_storage_options()


def test_random_file_names_do_not_repeat_and_carry_128_bits():
    names = {random_file_name("jpg") for _ in range(1000)}
    assert len(names) == 1000
    assert all(len(name) == 22 + len(".jpg") for name in names)


def test_the_probe_passes_on_the_local_disk_and_leaves_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    status = storage_check()
    assert (status.ok, status.backend, status.detail) == (True, "local", "")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_probe_names_an_unwritable_disk(settings, tmp_path):
    blocker = tmp_path / "media"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    status = storage_check()
    assert not status.ok and status.detail
    assert status.as_dict()["ok"] is False


def test_the_probe_writes_reads_and_deletes_an_object_in_the_bucket(s3_bucket):
    status = storage_check()
    assert (status.ok, status.backend) == (True, "s3")
    assert s3_bucket.keys() == []


def test_the_probe_names_refused_credentials_without_revealing_them(s3_bucket, settings):
    options = {**settings.STORAGES["default"]["OPTIONS"], "secret_key": "wrong-secret"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    with s3_bucket.refusing_every_key():
        status = storage_check()
    assert not status.ok and status.backend == "s3"
    assert "InvalidAccessKeyId" in status.detail or "403" in status.detail
    assert "wrong-secret" not in status.detail and "operator" not in status.detail


def test_a_store_failure_reads_as_storage_unavailable(s3_bucket, settings):
    options = {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    with pytest.raises(StorageUnavailable, match="NoSuchBucket"):
        default_storage.save("consultations/x.jpg", ContentFile(b"x"))
