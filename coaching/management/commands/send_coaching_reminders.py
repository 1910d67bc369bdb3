"""``python manage.py send_coaching_reminders``: what beat runs every morning (each email once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coaching import reminders


class Command(BaseCommand):
    help = (
        "Send the coaching emails due today: one-to-one reminders (the day before), overdue action items "
        "(weekly) and the team's week (managers, weekly). An email already sent is not sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Send as if today were YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders.send_all(today=options["today"])
        details = ", ".join(f"{kind}: {count}" for kind, count in sorted(sent.counts.items())) or "nothing due"
        self.stdout.write(self.style.SUCCESS(f"{sent.total} coaching emails sent ({details})."), ending="\n")
