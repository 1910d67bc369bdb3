"""The Celery app. Without REDIS_URL, settings make every task run eagerly in-process."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")

app = Celery("salesperf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _flush_on_start(sender: object = None, **kwargs: object) -> None:
    """A worker that starts runs what was missed while none was up (or the broker was down)."""
    app.send_task("kpis.tasks.flush_pending_recomputes")
    app.send_task("imports.tasks.requeue_waiting_jobs")
