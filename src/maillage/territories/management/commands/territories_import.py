"""Import areas or places from a GeoJSON file, as the import page does, with a progress bar.

    manage.py territories_import communes-68-haut-rhin.geojson --kind commune \\
        --parent haut-rhin --name-property nom --code-property code --as admin@example.org
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from maillage.people.models import Person
from maillage.territories.imports import read_features
from maillage.territories.models import Territory
from maillage.territories.services import territory_import


class Command(BaseCommand):
    help = "Import areas or places from a GeoJSON FeatureCollection (all or nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="the GeoJSON file")
        parser.add_argument("--kind", required=True, choices=Territory.KIND_ORDER)
        parser.add_argument("--parent", help="slug of the territory to import into (else top)")
        parser.add_argument("--name-property", default="nom", help="property holding the name")
        parser.add_argument("--code-property", default="code", help="property holding the code")
        parser.add_argument("--as", dest="actor", required=True, help="email of the importer")
        parser.add_argument("--dry-run", action="store_true", help="report, record nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Person.objects.filter(email=options["actor"].lower()).first()
        if actor is None:
            raise CommandError(f"no account with email {options['actor']!r}")
        parent = None
        if options["parent"]:
            parent = Territory.objects.filter(slug=options["parent"]).first()
            if parent is None:
                raise CommandError(f"no territory with slug {options['parent']!r}")
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {options['file']}: {error.strerror}") from None
        try:
            rows = read_features(
                data,
                name_property=options["name_property"],
                code_property=options["code_property"],
            )
            with Progress(disable=options["verbosity"] == 0) as progress:
                task = progress.add_task("import", total=len(rows))
                report = territory_import(
                    actor=actor,
                    parent=parent,
                    kind=options["kind"],
                    rows=rows,
                    dry_run=options["dry_run"],
                    progress=lambda done: progress.update(task, completed=done),
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied:
            raise CommandError(f"{actor.email} may not import into this territory") from None
        verb = "would be" if report.dry_run else "were"
        self.stdout.write(
            f"{len(report.created)} {verb} created, {len(report.updated)} {verb} updated."
        )
