"""Imports started from the upload page: their files, progress and summary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One import of a set of CSV files in one format, run by a Celery task."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    format = models.CharField(_("format"), max_length=40)
    dry_run = models.BooleanField(_("dry run"), default=False)
    file_names = models.JSONField(_("files"), default=list)
    directory = models.CharField(_("folder of the uploaded files"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("rows to read"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=[s.value for s in ImportStatus]), name="importjob_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.format} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
