"""Celery tasks of the import app: thin wrappers around imports.services."""

from __future__ import annotations

from celery import shared_task

from imports import services


@shared_task(acks_late=True)
def import_job_run(*, job_id: int) -> None:
    """Run an uploaded import; a job that already finished is left as it is."""
    services.import_job_run(job_id=job_id)
