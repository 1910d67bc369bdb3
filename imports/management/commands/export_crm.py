"""``python manage.py export_crm --format salesperf DIR``: write every record as CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from imports import services


class Command(BaseCommand):
    help = "Export all CRM data as CSV files that import_crm reads back into the same data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=["salesperf"], help="format of the files")
        parser.add_argument("path", type=Path, help="folder to write the CSV files to (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["path"]
        if directory.exists() and not directory.is_dir():
            raise CommandError(_("%(path)s is a file, not a folder.") % {"path": directory})
        try:
            counts = services.export_run(format=options["format"], directory=directory)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for name, n in counts.items():
            self.stdout.write(_("%(file)s: %(n)d rows") % {"file": name, "n": n})
        self.stdout.write(self.style.SUCCESS(_("Exported to %(path)s") % {"path": directory}))
