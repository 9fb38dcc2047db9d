"""``maillage restore FILE [--force]``: rebuild an empty install from a backup archive.

Everything is checked before anything is written: the archive whole (manifest, checksums), its
schema against the code's migrations, and the install's emptiness (unless ``--force``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maillage.core.backup import BackupError, check_restorable, restore, unpack
from maillage.core.management.commands._progress import progress_bar


class Command(BaseCommand):
    help = "Restore a backup archive onto an empty install (--force: replace existing data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="the archive written by `maillage backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace the data of a non-empty install"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar nor summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with (
                tempfile.TemporaryDirectory(prefix="maillage-restore-") as scratch,
                progress_bar(quiet=options["quiet"]) as progress,
            ):
                unpacked = unpack(options["file"], Path(scratch), progress=progress)
                check_restorable(unpacked, force=options["force"])
                notes = restore(unpacked, progress=progress)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        if not options["quiet"]:
            manifest = unpacked.manifest
            self.stdout.write(
                f"{options['file']}: restored {sum(manifest['tables'].values())} rows and "
                f"{len(manifest['media'])} media files "
                f"(backup of {manifest['created_at']}, {manifest['versions']['database_engine']})"
            )
        for note in notes:
            self.stderr.write(f"note: {note}")
