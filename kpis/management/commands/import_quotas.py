"""``python manage.py import_quotas PATH [--dry-run]``: save a quota file (CSV or .xlsx).

All or nothing: any bad row and nothing is saved; each is listed with its line. The history
of every change names the file (source "import: <file name>").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kpis import quota_files


class Command(BaseCommand):
    help = "Import quotas and weekly activity targets from a CSV or .xlsx file (docs/quotas.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check everything and say what would change; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        parsed = quota_files.read_quotas_file(path.read_bytes(), path.name)
        if options["dry_run"]:
            self._list_earlier_ends(parsed, path.name)
        try:
            result = quota_files.import_quotas_file(parsed, user=None, source=f"import: {path.name}", dry_run=options["dry_run"])
        except quota_files.QuotaFileError as failed:
            for error in failed.errors:
                self.stderr.write(f"{path.name}, {error}")
            raise CommandError(_("Nothing was imported: %(n)d errors.") % {"n": len(failed.errors)}) from None
        for label, counts in ((_("quotas"), result.quotas), (_("activity targets"), result.targets)):
            self.stdout.write(
                _("%(what)s: %(created)d created, %(updated)d updated, %(deleted)d removed, %(unchanged)d unchanged")
                % {
                    "what": label,
                    "created": counts.created,
                    "updated": counts.updated,
                    "deleted": counts.deleted,
                    "unchanged": counts.unchanged,
                }
            )
        done = _("Dry run: nothing was saved.") if options["dry_run"] else _("Imported %(file)s.") % {"file": path.name}
        self.stdout.write(self.style.SUCCESS(done))

    def _list_earlier_ends(self, parsed: quota_files.QuotaFile, name: str) -> None:
        """The earlier open-ended targets the file would end: changes of no line of their own."""
        _errors, preview = quota_files.check_quotas_file(parsed, user=None)
        for row in preview:
            if row.earlier:
                self.stdout.write(
                    _("%(file)s, line %(line)d ends the earlier weekly %(what)s target of %(owner)s from %(start)s on %(end)s")
                    % {
                        "file": name,
                        "line": row.line,
                        "what": row.what,
                        "owner": row.owner,
                        "start": row.start.isoformat(),
                        "end": row.end.isoformat() if row.end else "",
                    }
                )
