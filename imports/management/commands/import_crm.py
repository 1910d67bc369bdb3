"""``python manage.py import_crm --format FORMAT PATH [--dry-run]``: import a folder of CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from imports import services
from imports.formats.base import ImportFailed


class Command(BaseCommand):
    help = "Import CRM data from a folder of CSV files (all or nothing; importing twice changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=services.format_choices(), help="format of the files")
        parser.add_argument("path", type=Path, help="folder holding the CSV files")
        parser.add_argument("--dry-run", action="store_true", help="check and import everything, then roll back")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["path"]
        if not directory.is_dir():
            raise CommandError(_("%(path)s is not a folder of CSV files.") % {"path": directory})
        bar = tqdm(
            total=services.count_rows(directory),
            unit=" rows",
            desc=_("Importing"),
            file=self.stderr._out,
            disable=options["no_progress"] or options["verbosity"] == 0,
            leave=False,
        )
        try:
            report = services.import_run(
                format=options["format"], directory=directory, dry_run=options["dry_run"], progress=bar.update
            )
        except ImportFailed as failed:
            bar.close()
            for line in failed.report.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(
                _("Nothing was imported: %(n)d errors (first: %(first)s)")
                % {"n": failed.report.error_count, "first": failed.report.first_error()}
            ) from None
        bar.close()
        lines = report.lines()
        for line in lines[1:]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(lines[0]))
