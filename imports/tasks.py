"""Celery tasks of the import app: thin wrappers around imports.services."""

from __future__ import annotations

from celery import Task, shared_task

from imports import services


@shared_task(bind=True, acks_late=True)
def import_job_run(self: Task, *, job_id: int) -> None:
    """Run an uploaded import; a job that already finished, or another run holds, is left as it is."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    services.import_job_run(job_id=job_id, redelivered=redelivered)


@shared_task(acks_late=True)
def requeue_waiting_jobs() -> int:
    """Every few minutes: queue again the uploads that could not be queued (broker down)."""
    return services.import_jobs_requeue()
