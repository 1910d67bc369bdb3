"""Recompute the stored KPI rows: ``manage.py recompute_kpis [--since DATE] [--rep ID]``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kpis import services
from reps.models import Rep

# Reps per transaction: large enough for set-based speed, small enough for a moving bar.
BATCH = 50


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: expected a date as YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Recompute the stored KPI rows (docs/kpis.md) of every rep, or of some, from a date or over all history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", metavar="DATE", help="First day to recompute (YYYY-MM-DD); default: all history.")
        parser.add_argument(
            "--rep", metavar="ID", type=int, action="append", help="Only this rep (by id); may be given more than once."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        reps = Rep.objects.order_by("pk")
        if options["rep"]:
            wanted = set(options["rep"])
            reps = reps.filter(pk__in=wanted)
            missing = wanted - set(reps.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"--rep: no rep with id {', '.join(map(str, sorted(missing)))}")
        rep_ids = list(reps.values_list("pk", flat=True))
        started = time.monotonic()
        written = 0
        bar = tqdm(total=len(rep_ids), unit="rep", file=self.stderr._out, disable=options["no_progress"] or None)
        with bar:
            for first in range(0, len(rep_ids), BATCH):
                batch = rep_ids[first : first + BATCH]
                written += services.kpi_recompute(since=since, rep_ids=batch)
                bar.update(len(batch))
        span = f"since {since.isoformat()}" if since else "over all history"
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {written} KPI day rows of {len(rep_ids)} reps {span} in {time.monotonic() - started:.1f} s."
            )
        )
