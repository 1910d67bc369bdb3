"""The KPI engine's Celery beat schedule, read from the environment (imported by settings).

- ``KPI_NIGHTLY_WEEKS`` (default 4): how many weeks, this one included, the nightly run recomputes.
- ``KPI_NIGHTLY_TIME`` (default ``02:30``): local time (HH:MM) of the nightly run.
- ``KPI_WEEKLY_TIME`` (default ``01:30``): local time (HH:MM), every Monday, of the run that
  recomputes the whole previous week.

Kept free of models so that settings can import it.
"""

from __future__ import annotations

import os
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured


def _read_time(name: str, default: str) -> tuple[int, int]:
    value = (os.environ.get(name) or default).strip()
    try:
        hour_text, minute_text = value.split(":")
        hour, minute = int(hour_text), int(minute_text)
    except ValueError:
        hour = minute = -1
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name}: expected a time of day as HH:MM (e.g. {default}), got {value!r}")
    return hour, minute


def read_nightly_weeks(name: str = "KPI_NIGHTLY_WEEKS", default: int = 4) -> int:
    value = (os.environ.get(name) or str(default)).strip()
    if not value.isdigit() or not 1 <= int(value) <= 104:
        raise ImproperlyConfigured(f"{name}: expected a whole number of weeks from 1 to 104, got {value!r}")
    return int(value)


def beat_schedule() -> dict[str, dict[str, Any]]:
    nightly_hour, nightly_minute = _read_time("KPI_NIGHTLY_TIME", "02:30")
    weekly_hour, weekly_minute = _read_time("KPI_WEEKLY_TIME", "01:30")
    return {
        # The outbox and the worker's heartbeat (docs/operations.md).
        "kpi-flush-pending-recomputes": {"task": "kpis.tasks.flush_pending_recomputes", "schedule": 60.0},
        "kpi-recompute-recent-weeks": {
            "task": "kpis.tasks.recompute_recent_weeks",
            "schedule": crontab(hour=nightly_hour, minute=nightly_minute),
        },
        "kpi-recompute-previous-week": {
            "task": "kpis.tasks.recompute_previous_week",
            "schedule": crontab(hour=weekly_hour, minute=weekly_minute, day_of_week="mon"),
        },
    }
