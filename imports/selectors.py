"""Reads of the import app."""

from __future__ import annotations

from django.db.models import QuerySet

from imports.models import ImportJob


def import_job_list() -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").defer("summary")
