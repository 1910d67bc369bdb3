"""Recompute the stored KPI rows: ``manage.py recompute_kpis [--since DATE] [--rep ID] [--parallel N]``.

Serial by default (batches of reps, here). With ``--parallel N`` the reps are split into N shards
(or more) that the Celery workers share (kpis.tasks.recompute_in_shards); the command waits for
the run's end. Both give the same rows.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from kpis import services, tasks
from kpis.models import KpiRun
from reps.models import Rep

# Reps per transaction: large enough for set-based speed, small enough for a moving bar.
BATCH = 50
# How often a parallel run's end is looked for (one indexed read of a row).
POLL_SECONDS = 0.2


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
        parser.add_argument(
            "--parallel",
            metavar="N",
            type=int,
            help="Split the reps into N shards (or more) that the Celery workers run side by side; wait for the end.",
        )
        parser.add_argument(
            "--timeout",
            metavar="SECONDS",
            type=float,
            help="With --parallel: stop waiting after this long (the run goes on in the workers); default: wait.",
        )

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
        if options["parallel"] is not None:
            if options["parallel"] < 1:
                raise CommandError(f"--parallel: expected a number of shards of 1 or more, got {options['parallel']}")
            self._parallel(since=since, rep_ids=rep_ids, shards=options["parallel"], timeout=options["timeout"])
            return
        started = time.monotonic()
        written = 0
        # One stamp for the whole run, as a parallel run has, so that both write the same rows.
        stamp = timezone.now()
        bar = tqdm(total=len(rep_ids), unit="rep", file=self.stderr._out, disable=options["no_progress"] or None)
        with bar:
            for first in range(0, len(rep_ids), BATCH):
                batch = rep_ids[first : first + BATCH]
                written += services.kpi_recompute(since=since, rep_ids=batch, computed_at=stamp)
                bar.update(len(batch))
        span = f"since {since.isoformat()}" if since else "over all history"
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {written} KPI day rows of {len(rep_ids)} reps {span} in {time.monotonic() - started:.1f} s."
            )
        )

    def _parallel(self, *, since: dt.date | None, rep_ids: list[int], shards: int, timeout: float | None) -> None:
        started = time.monotonic()
        try:
            run = tasks.recompute_in_shards(since=since, shards=shards, rep_ids=rep_ids)
        except Exception as exc:
            raise CommandError(f"the parallel recompute failed: {type(exc).__name__}: {exc}") from exc
        self.stderr.write(f"Run {run.pk}: {run.reps} reps in {run.shards} shards; waiting for the workers…")
        while run.finished_at is None and run.failed_at is None:
            if timeout is not None and time.monotonic() - started > timeout:
                raise CommandError(
                    f"run {run.pk} has not ended after {timeout:g} s; it goes on in the workers (see KPI recompute runs)"
                )
            time.sleep(POLL_SECONDS)
            run = KpiRun.objects.get(pk=run.pk)
        if run.failed_at is not None:
            raise CommandError(f"run {run.pk} failed: {run.error} (run it again: the recompute is idempotent)")
        span = f"since {since.isoformat()}" if since else "over all history"
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {run.rows_written} KPI day rows of {run.reps} reps {span} in {run.shards} shards"
                f" in {time.monotonic() - started:.1f} s."
            )
        )
