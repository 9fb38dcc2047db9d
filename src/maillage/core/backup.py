"""Backups: one ``.tar.gz`` holding the database, the media files, the secret key and a manifest.

The database is dumped with Django's serializers (JSON lines, one file per model), not with
``pg_dump`` or SQLite's backup API: slower on a large install, but one format that restores on
either engine (a SQLite install moves to PostgreSQL by a backup and a restore), needs no client
tools of the server's exact version, and is checked by the same code on both. Media files are
read and written through Django's default storage, so they come from and go to S3 alike.

The manifest (``manifest.json``, the archive's last member) names the versions, the migration
state, the row count of every table and the size and SHA-256 of every other member. A restore
reads the whole archive into a temporary folder and checks it all (manifest, checksums, schema,
emptiness of the install) before it writes anything; then it drops the install's own tables,
builds the archive's schema from nothing (never migrating backwards, which an irreversible
migration would stop halfway), empties the tables the migrations filled, loads the rows, migrates to the code's schema, and
writes the media files and the secret key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "maillage-backup"
FORMAT_VERSION = 1
ROOT = "maillage-backup"
MANIFEST = f"{ROOT}/manifest.json"
SECRET_MEMBER = f"{ROOT}/secret_key"
_CHUNK = 1024 * 1024
_BATCH = 500
# Rows Django's migrations put in a fresh install (content types, permissions, the default
# questionnaire...) do not make it "non-empty"; the people, territories or files would.
_SEEDED_APPS = {"contenttypes", "auth", "sessions"}

Progress = Callable[[str, int, int | None], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message names the reason in one line."""


def _no_progress(description: str, advance: int, total: int | None) -> None:
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- reading the install


def _dumped_models() -> list[Any]:
    """The concrete models whose rows a backup holds, dependencies (natural keys) first."""
    from django.apps import apps
    from django.core import serializers

    app_list = dict.fromkeys(apps.get_app_configs())
    models = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [m for m in models if m._meta.managed and not m._meta.proxy]


def table_counts() -> dict[str, int]:
    """Return the row count of every model table that exists (auto-created m2m tables too)."""
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.managed and not model._meta.proxy and table in existing:
            counts[table] = model._base_manager.count()
    return dict(sorted(counts.items()))


def applied_migrations() -> dict[str, list[str]]:
    """Return the migrations recorded as applied, by app label."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    found: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        found.setdefault(app_label, []).append(name)
    return found


def _media_names(storage: Any, folder: str = "") -> Iterator[str]:
    """Every file of ``storage``, through its API (local disk and S3 alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _media_names(storage, f"{folder}/{sub}" if folder else sub)


def _versions() -> dict[str, str]:
    import django
    from django.db import connection

    try:
        from importlib.metadata import version

        maillage_version = version("maillage")
    except Exception:  # noqa: BLE001 — a source checkout without metadata still backs up
        maillage_version = "unknown"
    if connection.vendor == "postgresql":
        server = str(connection.cursor().connection.info.server_version)
    else:
        import sqlite3

        server = sqlite3.sqlite_version
    return {
        "maillage": maillage_version,
        "django": django.get_version(),
        "python": platform.python_version(),
        "database_engine": connection.vendor,
        "database_server": server,
    }


# ---------------------------------------------------------------- backup


class _HashingReader:
    """Reads a file object through, hashing and counting what passes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def backup(destination: Path, *, progress: Progress = _no_progress) -> dict[str, Any]:
    """Write the archive to ``destination`` (replaced only once complete); return the manifest."""
    from django.conf import settings
    from django.core import serializers
    from django.core.files.storage import default_storage

    destination = Path(destination)
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder, not a file name")
    if not destination.parent.is_dir():
        raise BackupError(f"the folder {destination.parent} does not exist")
    counts = table_counts()
    models = _dumped_models()
    total_rows = sum(counts.get(m._meta.db_table, 0) for m in models)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "migrations": applied_migrations(),
        "tables": counts,
        "database": [],
        "media": [],
    }
    partial = destination.with_name(f".{destination.name}.partial")
    # The archive holds the secret key and personal data: readable by its owner only.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            with tempfile.TemporaryDirectory(prefix="maillage-backup-") as scratch:
                for model in models:
                    label = model._meta.label_lower
                    path = Path(scratch) / f"{label}.jsonl"
                    rows = 0
                    with path.open("w", encoding="utf-8") as out:
                        queryset = model._base_manager.order_by("pk")
                        for chunk in _chunks(queryset.iterator(chunk_size=2000), 2000):
                            serializers.serialize("jsonl", chunk, stream=out, cls=_ExactEncoder)
                            rows += len(chunk)
                            progress("database", len(chunk), total_rows)
                    name = f"{ROOT}/database/{label}.jsonl"
                    tar.add(path, arcname=name)
                    manifest["database"].append(
                        {
                            "name": name,
                            "model": label,
                            "rows": rows,
                            "size": path.stat().st_size,
                            "sha256": _sha256(path),
                        }
                    )
                    path.unlink()
            names = list(_media_names(default_storage))
            for name in names:
                with default_storage.open(name, "rb") as handle:
                    reader = _HashingReader(handle)
                    info = tarfile.TarInfo(f"{ROOT}/media/{name}")
                    info.size = default_storage.size(name)
                    info.mtime = int(datetime.now(UTC).timestamp())
                    tar.addfile(info, reader)  # type: ignore[arg-type]  # read() is all tarfile uses
                if reader.size != info.size:
                    raise BackupError(f"media file {name} changed while it was read")
                manifest["media"].append(
                    {"name": name, "size": reader.size, "sha256": reader.digest.hexdigest()}
                )
                progress("media", 1, len(names))
            key = settings.SECRET_KEY.encode()
            info = tarfile.TarInfo(SECRET_MEMBER)
            info.size = len(key)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(key))
            manifest["secret_key"] = {"sha256": hashlib.sha256(key).hexdigest()}
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to the millisecond; a backup keeps the microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------- restore


@dataclass
class Unpacked:
    """An archive read and checked, in a temporary folder."""

    folder: Path
    manifest: dict[str, Any]

    def path(self, member: str) -> Path:
        return self.folder / member


def unpack(source: Path, folder: Path, *, progress: Progress = _no_progress) -> Unpacked:
    """Extract ``source`` into ``folder`` and check it whole; raise BackupError naming the fault."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    total = source.stat().st_size
    try:
        with source.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            done = 0
            for member in tar:
                if not member.name.startswith(f"{ROOT}/") or ".." in member.name.split("/"):
                    raise BackupError(
                        f"{source}: not a Maillage backup (unexpected member {member.name!r})"
                    )
                if not member.isfile():
                    continue
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file has contents
                with target.open("wb") as out:
                    while chunk := handle.read(_CHUNK):
                        out.write(chunk)
                progress("reading", raw.tell() - done, total)
                done = raw.tell()
    except (tarfile.ReadError, EOFError, OSError, tarfile.StreamError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        reason = str(error) or type(error).__name__
        raise BackupError(f"{source}: truncated or damaged archive ({reason})") from error
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source}: not a Maillage backup (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{source}: its manifest is not valid JSON") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: not a Maillage backup (manifest of another format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{source}: backup format {manifest.get('format_version')} is not supported "
            f"(this version reads format {FORMAT_VERSION})"
        )
    for entry in manifest["database"]:
        _check_member(source, folder, entry["name"], entry)
    for entry in manifest["media"]:
        _check_member(source, folder, f"{ROOT}/media/{entry['name']}", entry)
    key = folder / SECRET_MEMBER
    if not key.is_file() or _sha256(key) != manifest["secret_key"]["sha256"]:
        raise BackupError(f"{source}: checksum mismatch for the secret key")
    return Unpacked(folder, manifest)


def _check_member(source: Path, folder: Path, member: str, entry: dict[str, Any]) -> None:
    path = folder / member
    if not path.is_file():
        raise BackupError(f"{source}: {member} is listed in the manifest but missing")
    if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
        raise BackupError(f"{source}: checksum mismatch for {member}")


def newer_migrations(manifest: dict[str, Any]) -> list[str]:
    """Return the archive's applied migrations this code does not know (``app.name``)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(manifest["migrations"].items())
        for name in names
        if (app, name) not in known
    ]


def install_contents() -> list[str]:
    """Return what makes this install non-empty (tables with rows, media), or nothing."""
    from django.apps import apps
    from django.core.files.storage import default_storage

    found = []
    for table, count in table_counts().items():
        model = next(
            m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table
        )
        if count and model._meta.app_label not in _SEEDED_APPS and not _seeded(model):
            found.append(f"{table} ({count} rows)")
    media = next(_media_names(default_storage), None)
    if media is not None:
        found.append(f"media files ({media}…)")
    return found


def _seeded(model: Any) -> bool:
    # The journeys app ships its default questionnaire as a data migration.
    return model._meta.label_lower in {"journeys.questionnaire", "journeys.question"}


def check_restorable(unpacked: Unpacked, *, force: bool) -> None:
    """Raise BackupError if the archive cannot be restored onto this install."""
    newer = newer_migrations(unpacked.manifest)
    if newer:
        raise BackupError(
            f"the backup's schema is newer than this code (unknown migration {newer[0]}): "
            "upgrade Maillage first"
        )
    if not force:
        contents = install_contents()
        if contents:
            raise BackupError(
                f"this install is not empty ({contents[0]}): restore onto an empty one, "
                "or pass --force to replace its data"
            )


def restore(unpacked: Unpacked, *, progress: Progress = _no_progress) -> list[str]:
    """Rebuild the install from a checked archive; return notes for the operator."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from maillage.core.cli import migrate

    notes = []
    manifest = unpacked.manifest
    # Rows are loaded into the schema they were dumped from, then migrated forward. That schema
    # is built up from nothing: migrating back from an install migrated further could meet a
    # migration that cannot be undone, after the checks had passed.
    _drop_maillage_tables()
    executor = MigrationExecutor(connection)
    targets = _leaf_targets(executor, manifest["migrations"])
    executor.migrate(targets)
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    _load_rows(unpacked, progress)
    migrate()
    _restore_media(unpacked, progress)
    key = (unpacked.folder / SECRET_MEMBER).read_text()
    if os.environ.get("SECRET_KEY"):
        if os.environ["SECRET_KEY"] != key:
            notes.append(
                "SECRET_KEY is set in the environment and differs from the backup's: sessions, "
                "signed links and password resets of the backup are void until you set it back"
            )
    else:
        target = Path(settings.SECRET_KEY_FILE)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key)
    return notes


def _drop_maillage_tables() -> None:
    """Drop the tables this install's code and migrations own (never another program's)."""
    from django.conf import settings
    from django.db import connection

    existing = set(connection.introspection.table_names(include_views=False))
    owned = set(connection.introspection.django_table_names(only_existing=True))
    cache_table = str(settings.CACHES["default"].get("LOCATION", ""))
    owned |= {"django_migrations", cache_table} & existing
    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
    with connection.schema_editor() as editor:
        for table in sorted(owned):
            editor.execute(f"DROP TABLE IF EXISTS {editor.quote_name(table)}{cascade}")


def _leaf_targets(executor: Any, applied: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The last migration of each app in the archive's state (what ``migrate app name`` takes)."""
    graph = executor.loader.graph
    nodes = {(app, name) for app, names in applied.items() for name in names}
    leaves = []
    for node in sorted(nodes):
        children = {child for child in graph.node_map[node].children if child[0] == node[0]}
        if not children & nodes:
            leaves.append(node)
    return leaves


def _load_rows(unpacked: Unpacked, progress: Progress) -> None:
    """Load every dumped row: one transaction, foreign keys checked at its end (as ``loaddata``).

    Rows are inserted in batches rather than saved one by one as ``loaddata`` does (an UPDATE
    tried, then an INSERT, per row): on the demo's 31,000 rows, a restore on a busy PostgreSQL
    went from over ten minutes to about one. No model signal runs, as none should on raw data.
    """
    from django.apps import apps
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection, transaction

    entries = unpacked.manifest["database"]
    total = sum(entry["rows"] for entry in entries)
    models = []
    with transaction.atomic(), connection.constraint_checks_disabled():
        for entry in entries:
            model = apps.get_model(entry["model"])
            models.append(model)
            with unpacked.path(entry["name"]).open(encoding="utf-8") as stream:
                objects = serializers.deserialize("jsonl", stream, ignorenonexistent=False)
                for batch in _chunks(objects, _BATCH):
                    _insert_raw(model, [o.object for o in batch])
                    _bulk_m2m(model, batch)
                    progress("database", len(batch), total)
        connection.check_constraints(table_names=[m._meta.db_table for m in models])
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _insert_raw(model: Any, objects: list[Any]) -> None:
    """INSERT the rows as they are: unlike ``bulk_create``, no field's ``pre_save`` runs, so
    ``auto_now``/``auto_now_add`` dates keep the backup's values instead of the restore's time."""
    from django.db import connection
    from django.db.models.sql import InsertQuery

    if not objects:
        return
    fields = list(model._meta.local_concrete_fields)
    size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    for start in range(0, len(objects), size):
        query = InsertQuery(model)
        query.insert_values(fields, objects[start : start + size], raw=True)
        query.get_compiler(connection=connection).execute_sql(returning_fields=None)


def _bulk_m2m(model: Any, batch: list[Any]) -> None:
    """Insert the rows of the auto-created many-to-many tables the dump holds in its objects."""
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if not through._meta.auto_created:
            continue  # an explicit through model is dumped as a model of its own
        source = f"{field.m2m_field_name()}_id"
        target = f"{field.m2m_reverse_field_name()}_id"
        rows = [
            through(**{source: o.object.pk, target: value})
            for o in batch
            for value in o.m2m_data.get(field.name, ())
        ]
        through._base_manager.bulk_create(rows, batch_size=_BATCH)


def _restore_media(unpacked: Unpacked, progress: Progress) -> None:
    from django.core.files import File
    from django.core.files.storage import default_storage

    media = unpacked.manifest["media"]
    for entry in media:
        name = entry["name"]
        if default_storage.exists(name):
            default_storage.delete(name)
        with unpacked.path(f"{ROOT}/media/{name}").open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"the storage saved {name} as {saved}")
        progress("media", 1, len(media))
