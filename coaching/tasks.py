"""Celery tasks of coaching: thin wrappers, each safe to run twice (what was done is not redone)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from coaching import agenda, planning, reminders


@shared_task(acks_late=True)
def plan_one_to_ones(*, today: str | None = None) -> int:
    """Nightly: plan the one-to-ones due until the end of next week, and store the agendas of
    held sessions that have none yet. Returns how many one-to-ones were planned."""
    result = planning.plan_one_to_ones(today=dt.date.fromisoformat(today) if today else None)
    agenda.freeze_missing()
    return len(result.created)


@shared_task(acks_late=True)
def send_coaching_reminders(*, today: str | None = None) -> int:
    """Every morning: the reminders due today (each email once). Returns how many were sent."""
    return reminders.send_all(today=dt.date.fromisoformat(today) if today else None).total
