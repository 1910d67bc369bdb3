"""``python manage.py plan_one_to_ones``: what beat runs every night (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coaching import agenda, planning


class Command(BaseCommand):
    help = (
        "Plan the one-to-ones due until the end of next week from each rep's cadence (weekly by default), "
        "never double-booking a manager, and store the agendas of held sessions that have none yet. "
        "Running it twice plans nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Plan as if today were YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = planning.plan_one_to_ones(today=options["today"])
        frozen = agenda.freeze_missing()
        for line in result.skipped:
            self.stdout.write(self.style.WARNING(f"  not planned: {line}"))
        self.stdout.write(
            self.style.SUCCESS(f"{len(result.created)} one-to-ones planned; {frozen} agendas of held sessions stored.")
        )
