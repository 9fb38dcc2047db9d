"""``maillage restore`` refuses a bad archive or a non-empty install before writing anything.

Each refusal is one line on standard error naming the reason, with exit code 1; the database's
row counts and the media files are the same afterwards.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from maillage.cli import main
from maillage.core.backup import MANIFEST, install_contents, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def archive(personas: Any, media: Path, tmp_path: Path) -> Path:
    default_storage.save("consultations/photos/lavoir.jpg", ContentFile(b"\xff\xd8" * 500))
    path = tmp_path / "backup.tar.gz"
    assert main(["backup", "--quiet", str(path)]) == 0
    return path


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    counts = table_counts()
    files = sorted(default_storage.listdir("consultations/photos")[1])
    assert main(["restore", "--quiet", *options, str(path)]) == 1
    assert table_counts() == counts
    assert sorted(default_storage.listdir("consultations/photos")[1]) == files
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_backup_holds_a_manifest_with_versions_counts_migrations_and_checksums(
    archive: Path,
) -> None:
    manifest = json.loads(_members(archive)[MANIFEST])
    assert manifest["format"] == "maillage-backup"
    assert set(manifest["versions"]) >= {"maillage", "django", "database_engine"}
    assert manifest["tables"]["people_person"] == 6
    assert "0001_initial" in manifest["migrations"]["people"]
    assert [m["name"] for m in manifest["media"]] == ["consultations/photos/lavoir.jpg"]
    assert len(manifest["media"][0]["sha256"]) == 64
    assert archive.stat().st_mode & 0o077 == 0  # it holds the secret key


def test_restore_refuses_a_truncated_archive(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "truncated or damaged archive" in _refused(cut, capsys)


def test_restore_refuses_a_file_that_is_not_an_archive(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.tar.gz"
    text.write_text("not an archive at all\n")
    assert "truncated or damaged archive" in _refused(text, capsys)


def test_restore_refuses_a_foreign_archive_without_manifest(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = _write(tmp_path / "foreign.tar.gz", {"maillage-backup/data.json": b"{}"})
    assert "not a Maillage backup (no manifest.json)" in _refused(foreign, capsys)
    other = _write(tmp_path / "other.tar.gz", {"etc/passwd": b"root:x:0:0"})
    assert "not a Maillage backup" in _refused(other, capsys)


def test_restore_refuses_an_archive_whose_file_does_not_match_its_checksum(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = _members(archive)
    name = "maillage-backup/database/people.person.jsonl"
    members[name] = members[name].replace(b"participant@example.org", b"intruder@example.org..")
    line = _refused(_write(tmp_path / "tampered.tar.gz", members), capsys)
    assert f"checksum mismatch for {name}" in line


def test_restore_refuses_a_backup_of_a_newer_schema(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    manifest["migrations"]["people"].append("0999_from_the_future")
    members[MANIFEST] = json.dumps(manifest).encode()
    line = _refused(_write(tmp_path / "newer.tar.gz", members), capsys)
    assert "newer than this code (unknown migration people.0999_from_the_future)" in line


def test_restore_refuses_a_non_empty_install_without_force(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(archive, capsys)
    assert "this install is not empty" in line and "--force" in line


def test_restore_of_a_missing_file_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "nowhere.tar.gz")]) == 1
    assert "nowhere.tar.gz: no such file" in capsys.readouterr().err


def test_a_freshly_migrated_install_counts_as_empty(media: Path) -> None:
    # Content types, permissions and the shipped questionnaire come from the migrations.
    assert install_contents() == []
