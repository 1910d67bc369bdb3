"""``python manage.py seed_demo``: deterministic, realistic demo data, inserted in bulk."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reps import demo


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create demo data: regions, teams, managers, reps, accounts, a default pipeline, about a year of "
        "activities and opportunities with history, customer feedback, activity targets and quotas. Users "
        "'admin', 'manager1…' and 'rep1…' get the password given with --password (one is generated and "
        "printed once otherwise). Refuses to run on a database with sales data unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reps", type=_positive, default=24, help="Number of reps (default 24).")
        parser.add_argument("--weeks", type=_positive, default=52, help="Weeks of history (default 52).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--password", default=None, help="Password of every demo user.")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Anchor date YYYY-MM-DD the history ends on (default: today).",
        )
        parser.add_argument("--reset", action="store_true", help="Delete ALL sales data and sales-team users first.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing (and succeed) when sales data already exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.has_sales_data():
            if options["if_empty"] and not options["reset"]:
                message = "Sales data already exists; leaving it as it is."
                if options.get("password"):
                    message += " The demo users' password was NOT changed: log in with the one they already have."
                self.stdout.write(message)
                return
            if not options["reset"]:
                raise CommandError(
                    "This database already has sales data. Run seed_demo on an empty database, or add --reset "
                    "to delete ALL sales data and sales-team users first."
                )
            self.stdout.write("Deleting existing sales data (--reset)…")
            demo.reset_sales_data()

        password = options["password"]
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        started = time.perf_counter()
        summary = demo.seed_demo(
            rep_count=options["reps"],
            weeks=options["weeks"],
            seed=options["seed"],
            password=password,
            today=options["today"] or timezone.localdate(),
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {elapsed:.1f} s: {summary.regions} regions, {summary.teams} teams, "
                f"{summary.reps} reps, {summary.accounts} accounts, {summary.opportunities} opportunities, "
                f"{summary.activities} activities, {summary.feedback} feedback entries, {summary.quotas} quotas, "
                f"{summary.kpi_rows} KPI rows."
            )
        )
        self.stdout.write(f"Users: admin, manager1…manager{summary.managers}, rep1…rep{summary.reps}")
        if generated:
            self.stdout.write(f"Password of every demo user (shown once): {password}")
        else:  # a password given is not echoed (logs keep it); say which one holds
            self.stdout.write("Every demo user has the password given with --password.")
