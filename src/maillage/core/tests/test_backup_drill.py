"""Backup drill: the demo → ``maillage backup`` → a fresh data folder → ``maillage restore``.

The restored install is backed up in turn and the two manifests compared: the same row count
in every table, the same files (SHA-256) and the same secret key; on one engine, the same
database dump byte for byte. SQLite to SQLite; then the SQLite archive restored onto a
PostgreSQL database, backed up there, and restored onto a second PostgreSQL database (both
created and dropped here): a restore on PostgreSQL of a PostgreSQL backup, and an install moved
from one engine to the other.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[4]
MEDIA = {
    "consultations/photos/2026/chemin.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "journeys/traces/sortie.gpx": b'<?xml version="1.0"?><gpx version="1.1"></gpx>\n',
}


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "MEDIA_ROOT", "REDIS_URL", "SECRET_KEY_FILE"}
    }
    env.update(
        MAILLAGE_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url or f"sqlite:///{data_dir / 'maillage.sqlite3'}",
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="maillage.settings",
    )
    return env


def _maillage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "maillage.cli", *args]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("maillage-backup/manifest.json")
        assert member is not None
        return json.load(member)


def _files(manifest: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["sha256"] for entry in manifest["media"]}


def _dumps(manifest: dict[str, Any]) -> dict[str, str]:
    return {entry["model"]: entry["sha256"] for entry in manifest["database"]}


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    env = _env(source)
    _maillage("demo", "--quiet", env=env)
    for name, data in MEDIA.items():
        path = source / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    archive = source / "nightly.tar.gz"
    _maillage("backup", "--quiet", str(archive), env=env)
    return archive


@pytest.mark.own_sqlite
def test_sqlite_restore_of_the_demo_has_the_same_rows_files_and_key(
    demo_archive: Path, tmp_path: Path
) -> None:
    original = _manifest(demo_archive)
    assert sum(original["tables"].values()) > 1000
    assert set(_files(original)) == set(MEDIA)
    fresh = tmp_path / "fresh"
    env = _env(fresh)
    _maillage("restore", "--quiet", str(demo_archive), env=env)
    assert (fresh / "media" / "journeys/traces/sortie.gpx").read_bytes() == MEDIA[
        "journeys/traces/sortie.gpx"
    ]
    again = tmp_path / "again.tar.gz"
    _maillage("backup", "--quiet", str(again), env=env)
    restored = _manifest(again)
    assert restored["tables"] == original["tables"]
    assert _files(restored) == _files(original)
    assert _dumps(restored) == _dumps(original)
    assert restored["secret_key"] == original["secret_key"]
    assert (fresh / "secret_key").stat().st_mode & 0o077 == 0

    # Now it is not empty: refused without --force, replaced with it.
    command = [sys.executable, "-m", "maillage.cli", "restore", "--quiet", str(demo_archive)]
    refused = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    assert refused.returncode == 1
    assert "this install is not empty" in refused.stderr.strip()
    (fresh / "media" / "extra.txt").write_text("not in the backup")
    _maillage("restore", "--quiet", "--force", str(demo_archive), env=env)
    forced = tmp_path / "forced.tar.gz"
    _maillage("backup", "--quiet", str(forced), env=env)
    assert _manifest(forced)["tables"] == original["tables"]
    assert _dumps(_manifest(forced)) == _dumps(original)


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    # The PostgreSQL run's server (`make test`'s second part), or one named by PG_URL.
    base = os.environ.get("PG_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        pytest.skip("neither PG_URL nor DATABASE_URL names a PostgreSQL database")
    import psycopg

    names = [f"{urlparse(base).path.lstrip('/')}_{suffix}" for suffix in ("drill", "restore")]
    with psycopg.connect(base, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}_drill", f"{base}_restore"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_restores_the_demo_moved_from_sqlite_and_its_own_backup(
    demo_archive: Path, postgres_databases: tuple[str, str], tmp_path: Path
) -> None:
    drill_url, restore_url = postgres_databases
    original = _manifest(demo_archive)

    first = _env(tmp_path / "first", drill_url)
    _maillage("restore", "--quiet", str(demo_archive), env=first)
    on_postgres = tmp_path / "postgres.tar.gz"
    _maillage("backup", "--quiet", str(on_postgres), env=first)
    moved = _manifest(on_postgres)
    assert moved["versions"]["database_engine"] == "postgresql"
    assert moved["tables"] == original["tables"]
    assert _files(moved) == _files(original)

    second = _env(tmp_path / "second", restore_url)
    _maillage("restore", "--quiet", str(on_postgres), env=second)
    again = tmp_path / "again.tar.gz"
    _maillage("backup", "--quiet", str(again), env=second)
    restored = _manifest(again)
    assert restored["tables"] == original["tables"]
    assert _files(restored) == _files(original)
    assert _dumps(restored) == _dumps(moved)
    assert restored["secret_key"] == original["secret_key"]


@pytest.mark.own_sqlite
def test_an_older_archive_restores_onto_an_install_migrated_further_without_going_back(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    _maillage("migrate", env=_env(old))
    archive = old / "old.tar.gz"
    _maillage("backup", "--quiet", str(archive), env=_env(old))
    # The archive as an earlier version wrote it: co-writing two migrations behind.
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    manifest = json.loads(members["maillage-backup/manifest.json"])
    manifest["migrations"]["cowriting"] = ["0001_initial"]
    members["maillage-backup/manifest.json"] = json.dumps(manifest).encode()
    older = tmp_path / "older.tar.gz"
    with tarfile.open(older, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    newer = tmp_path / "newer"
    env = _env(newer)
    _maillage("migrate", env=env)  # already at the code's schema, as after `maillage serve`
    # Any migration undone would stop here, as an irreversible one would in real life.
    script = (
        "import sys\n"
        "from django.db.migrations.executor import MigrationExecutor\n"
        "def refuse(self, state, migration, fake=False):\n"
        "    raise SystemExit(f'went back through {migration}')\n"
        "MigrationExecutor.unapply_migration = refuse\n"
        "from maillage.cli import main\n"
        "sys.exit(main(['restore', '--quiet', sys.argv[1]]))\n"
    )
    command = [sys.executable, "-c", script, str(older)]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stderr[-3000:]
    shown = _maillage("manage", "showmigrations", "cowriting", env=env).stdout
    assert "[X] 0003_sharedwork_archived_at" in shown
