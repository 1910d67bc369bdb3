"""Print the KPIs of a period and the row count of every table, as JSON, to compare two databases.

``manage.py kpi_snapshot --start 2025-04-01 --end 2025-06-30 [--today 2025-06-30]``: take one
before a backup and one after restoring it; the two files are identical when nothing was lost
(docs/operations.md, "Backup and restore"; scripts/backup_restore_check.sh does it end to end).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from kpis import selectors


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Print the KPIs per rep and per team over a period and every table's row count, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", type=_date, required=True, help="First day (YYYY-MM-DD).")
        parser.add_argument("--end", type=_date, required=True, help="Last day (YYYY-MM-DD).")
        parser.add_argument("--today", type=_date, help="The day pace and open pipeline are counted on (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        # Every team is visible to an admin; the KPI engine checks what the user may see.
        admin = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("no active superuser: the snapshot reads the KPIs as an admin (createsuperuser)")
        period = {"start": options["start"], "end": options["end"], "today": options["today"]}
        snapshot = {
            "kpis_by_rep": selectors.kpi_table(user=admin, group_by="rep", **period),
            "kpis_by_team": selectors.kpi_table(user=admin, group_by="team", **period),
            "rows": {
                model._meta.label: model._default_manager.count()
                for model in sorted(apps.get_models(), key=lambda model: model._meta.label)
            },
        }
        self.stdout.write(json.dumps(snapshot, cls=DjangoJSONEncoder, sort_keys=True, indent=1, default=str))
