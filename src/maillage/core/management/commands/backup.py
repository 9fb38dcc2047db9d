"""``maillage backup FILE``: the database, media files, secret key and a manifest in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maillage.core.backup import BackupError, backup
from maillage.core.management.commands._progress import progress_bar


class Command(BaseCommand):
    help = "Write a backup archive (.tar.gz): database, media files, secret key, manifest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. maillage.tar.gz")
        parser.add_argument("--quiet", action="store_true", help="no progress bar nor summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with progress_bar(quiet=options["quiet"]) as progress:
                manifest = backup(options["file"], progress=progress)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        if not options["quiet"]:
            rows = sum(manifest["tables"].values())
            self.stdout.write(
                f"{options['file']}: {rows} rows in {len(manifest['tables'])} tables, "
                f"{len(manifest['media'])} media files"
            )
