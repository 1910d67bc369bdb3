"""Celery tasks of the import app: thin wrappers around imports.services."""

from __future__ import annotations

from celery import Task, shared_task

from imports import services

# How often a message that came back while its import still runs looks again.
BUSY_RETRY_SECONDS = 60


@shared_task(bind=True, acks_late=True)
def import_job_run(self: Task, *, job_id: int, resume: bool = False) -> None:
    """Run an uploaded import; a job that already finished, or another run holds, is left as it is.

    ``resume``: this message replaces one that came back while the job's run was alive; if
    that run has died since, this one runs the job again (like a redelivered message)."""
    redelivered = resume or bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        services.import_job_run(job_id=job_id, redelivered=redelivered)
    except services.ImportJobBusy as busy:
        raise self.retry(kwargs={"job_id": job_id, "resume": True}, countdown=BUSY_RETRY_SECONDS, max_retries=None) from busy


@shared_task(acks_late=True)
def requeue_waiting_jobs() -> int:
    """Every few minutes: queue again the uploads that could not be queued (broker down)."""
    return services.import_jobs_requeue()
