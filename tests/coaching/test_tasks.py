"""Beat runs the planning every night and the reminders every morning; the tasks are the commands'."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from coaching import tasks
from coaching.models import FrozenAgenda

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_planning_and_the_reminders():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"coaching.tasks.plan_one_to_ones", "coaching.tasks.send_coaching_reminders"} <= tasks_scheduled
    assert "kpis.tasks.recompute_recent_weeks" in tasks_scheduled  # the KPI runs are still there


def test_the_tasks_can_run_twice(cworld):
    for user in (cworld.manager, cworld.rep.user):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    FrozenAgenda.objects.all().delete()
    tasks.plan_one_to_ones.delay()
    assert FrozenAgenda.objects.count() == 3  # the held sessions' agendas stored
    assert tasks.plan_one_to_ones.delay().get() == 0
    sent = tasks.send_coaching_reminders.delay().get()
    assert sent == len(mail.outbox) > 0
    assert tasks.send_coaching_reminders.delay().get() == 0
