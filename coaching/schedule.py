"""Coaching's Celery beat schedule, read from the environment (imported by settings).

- ``COACHING_PLAN_TIME`` (default ``03:30``): local time (HH:MM) of the nightly run that plans
  the one-to-ones until the end of next week.
- ``COACHING_REMINDER_TIME`` (default ``07:00``): local time of the morning run that sends the
  reminders (the day before a one-to-one; weekly: overdue action items and, for managers, the
  team's week, which goes out on Monday).

Kept free of models so that settings can import it.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from kpis.schedule import _read_time


def beat_schedule() -> dict[str, dict[str, Any]]:
    plan_hour, plan_minute = _read_time("COACHING_PLAN_TIME", "03:30")
    remind_hour, remind_minute = _read_time("COACHING_REMINDER_TIME", "07:00")
    return {
        "coaching-plan-one-to-ones": {
            "task": "coaching.tasks.plan_one_to_ones",
            "schedule": crontab(hour=plan_hour, minute=plan_minute),
        },
        "coaching-send-reminders": {
            "task": "coaching.tasks.send_coaching_reminders",
            "schedule": crontab(hour=remind_hour, minute=remind_minute),
        },
    }
