"""Writes of the import app: running an import or export, and the upload page's jobs.

An import runs in ONE transaction: every file is checked, every row read and written, and
the KPIs of the affected reps recomputed from the earliest affected day through the KPI
engine — all inside that transaction, so the dashboard never shows imported rows with stale
KPIs, and any error (or a dry run) rolls everything back.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.formats import FORMATS, base
from imports.formats.base import DryRunRollback, ImportFailed, Report
from imports.models import ImportJob, ImportStatus
from kpis.services import kpi_recompute

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


def format_choices() -> list[str]:
    return list(FORMATS)


def count_rows(directory: Path) -> int:
    """A quick estimate of the data rows to read (lines of the CSV files, less headers)."""
    total = 0
    for path in directory.glob("*.csv"):
        with path.open("rb") as handle:
            total += max(0, sum(chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 20), b"")) - 1)
    return total


def import_run(*, format: str, directory: Path, dry_run: bool = False, progress: Progress | None = None) -> Report:
    """Import the CSV files in ``directory`` in ``format``, all or nothing.

    Raises ImportFailed (with the report: file, line, reason of every error) when anything is
    wrong; nothing is then written. A dry run does everything and rolls back.
    """
    module = FORMATS.get(format)
    report = Report(format=format, dry_run=dry_run)
    if module is None:
        report.error(
            "-",
            None,
            _("Unknown format “%(format)s”; choose one of %(formats)s.") % {"format": format, "formats": ", ".join(FORMATS)},
        )
        raise ImportFailed(report)
    directory = Path(directory)
    if not directory.is_dir():
        report.error(str(directory), None, _("This folder does not exist."))
        raise ImportFailed(report)
    try:
        with transaction.atomic():
            module.run(directory, report=report, progress=progress)
            if not report.ok:
                raise ImportFailed(report)
            if report.kpi_rep_ids:
                report.kpi_rows = kpi_recompute(since=report.kpi_since, rep_ids=sorted(report.kpi_rep_ids))
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    except ImportFailed:
        raise
    except Exception as exc:  # a database constraint the checks above did not foresee
        logger.exception("import failed")
        report.error("-", None, _("The import was stopped and nothing was saved: %(error)s") % {"error": exc})
        raise ImportFailed(report) from exc
    return report


# --- upload page jobs -------------------------------------------------------------------------


def _jobs_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


# Upload limits, checked before anything is written to the jobs folder (settings may lower them).
MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # CSV bytes in one upload, unzipped
MAX_ZIP_RATIO = 100  # unzipped size ÷ compressed size, per file: more is a zip bomb, not CSV
MAX_CSV_LINE_BYTES = 128 * 1024
MAX_CSV_COLUMNS = base.MAX_CSV_COLUMNS


def _limit(name: str) -> int:
    return int(getattr(settings, f"IMPORT_{name}", globals()[name]))


def _is_wanted(info: zipfile.ZipInfo) -> bool:
    inner = Path(info.filename).name
    return not info.is_dir() and inner.lower().endswith(".csv") and not inner.startswith(".")


def _check_csv(chunks: Iterable[bytes], name: str) -> int:
    """Check a CSV file's lines (length) and header (columns) as it streams; returns its size."""
    max_line, max_columns = _limit("MAX_CSV_LINE_BYTES"), _limit("MAX_CSV_COLUMNS")
    size, line, length, header, in_header = 0, 1, 0, bytearray(), True

    def check_header() -> None:
        columns = next(csv.reader([header.decode("utf-8-sig", errors="replace")]), [])
        if len(columns) > max_columns:
            raise ValidationError(
                _("“%(name)s” has %(count)d columns; a file may have at most %(max)d.")
                % {"name": name, "count": len(columns), "max": max_columns}
            )

    for chunk in chunks:
        size += len(chunk)
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            end = len(chunk) if newline < 0 else newline
            length += end - start
            if length > max_line:
                raise ValidationError(
                    _("“%(name)s”, line %(line)d, is longer than %(max)d bytes; is this a CSV file?")
                    % {"name": name, "line": line, "max": max_line}
                )
            if in_header:
                header += chunk[start:end]
            if newline < 0:
                break
            if in_header:
                check_header()
                in_header = False
            line, length, start = line + 1, 0, newline + 1
    if in_header:
        check_header()
    return size


def _check_uploads(files: list[UploadedFile]) -> None:
    """Refuse an upload that is too big, a zip bomb, or not CSV-shaped: before any disk write."""
    total, max_total, max_ratio = 0, _limit("MAX_UPLOAD_BYTES"), _limit("MAX_ZIP_RATIO")
    too_big = _("The upload holds more than %(max)d MB of CSV files; import it in parts.") % {"max": max_total // 2**20}
    for upload in files:
        name = Path(upload.name or "upload").name
        if not name.lower().endswith(".zip"):
            total += _check_csv(upload.chunks(), name)
            if total > max_total:
                raise ValidationError(too_big)
            continue
        try:
            with zipfile.ZipFile(upload) as archive:
                members = [info for info in archive.infolist() if _is_wanted(info)]
                total += sum(info.file_size for info in members)
                if total > max_total:
                    raise ValidationError(too_big)
                for info in members:
                    if info.file_size > max_ratio * max(info.compress_size, 1):
                        raise ValidationError(
                            _("“%(name)s” in “%(zip)s” expands more than %(ratio)d times; it is refused as unsafe.")
                            % {"name": Path(info.filename).name, "zip": name, "ratio": max_ratio}
                        )
                for info in members:
                    with archive.open(info) as member:
                        _check_csv(iter(lambda m=member: m.read(1 << 20), b""), Path(info.filename).name)
        except zipfile.BadZipFile:
            raise ValidationError(_("“%(name)s” is not a valid zip file.") % {"name": name}) from None
        upload.seek(0)


def _save_upload(upload: UploadedFile, directory: Path) -> list[str]:
    """Save one uploaded CSV, or the CSV files of an uploaded zip, flat in ``directory``."""
    name = Path(upload.name or "upload").name
    if name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(upload) as archive:
                saved = []
                for info in archive.infolist():
                    inner = Path(info.filename).name  # flatten; never write outside the folder
                    if not _is_wanted(info):
                        continue
                    with archive.open(info) as src, (directory / inner).open("wb") as dst:
                        shutil.copyfileobj(src, dst)
                    saved.append(inner)
                return saved
        except zipfile.BadZipFile:
            raise ValidationError(_("“%(name)s” is not a valid zip file.") % {"name": name}) from None
    with (directory / name).open("wb") as dst:
        for chunk in upload.chunks():
            dst.write(chunk)
    return [name]


@transaction.atomic
def import_job_create(*, user: Any, format: str, files: Iterable[UploadedFile], dry_run: bool = False) -> ImportJob:
    """Save the uploaded files and queue their import (run by a Celery task after commit)."""
    if format not in FORMATS:
        raise ValidationError({"format": _("Choose one of the formats listed.")})
    files = list(files)
    _check_uploads(files)
    job = ImportJob.objects.create(created_by=user, format=format, dry_run=dry_run, directory="")
    directory = _jobs_root() / str(job.pk)
    directory.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    try:
        for upload in files:
            names += _save_upload(upload, directory)
        if not names:
            raise ValidationError({"files": _("No CSV file was found in the upload. Upload .csv files or a .zip of them.")})
    except ValidationError:
        shutil.rmtree(directory, ignore_errors=True)  # the job row is rolled back; leave no files behind
        raise
    job.directory = str(directory)
    job.file_names = sorted(set(names))
    job.rows_total = count_rows(directory)
    job.save(update_fields=["directory", "file_names", "rows_total"])

    transaction.on_commit(lambda: import_job_enqueue(job_id=job.pk))
    return job


# A job still waiting this long was not queued (the broker was down) or its message was lost.
REQUEUE_AFTER = dt.timedelta(minutes=5)


def import_job_enqueue(*, job_id: int) -> bool:
    """Queue a saved job's run. If the broker cannot take it, the job stays waiting (its files
    are saved) and :func:`import_jobs_requeue` queues it once the broker is back."""
    from imports import tasks

    try:
        tasks.import_job_run.delay(job_id=job_id)
    except Exception:  # broker down, or (eager mode) the run itself failed: the upload stands
        logger.warning("import job %s could not be queued; it waits for the next requeue", job_id, exc_info=True)
        return False
    return True


def import_jobs_requeue(*, now: dt.datetime | None = None) -> int:
    """Queue again the jobs still waiting after REQUEUE_AFTER (run by the worker, every few minutes).

    A job queued twice runs once: the run claims the waiting job (see :func:`import_job_run`).
    """
    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    ids = list(ImportJob.objects.filter(status=ImportStatus.PENDING, created_at__lt=cutoff).values_list("pk", flat=True))
    return sum(import_job_enqueue(job_id=pk) for pk in ids)


class _JobProgress:
    """Writes a job's progress on its own connection, so the page sees it during the import.

    The import's transaction hides its own writes until commit; on PostgreSQL a second
    connection can update the job row meanwhile. SQLite allows one writer at a time, so
    there the page only sees the start and the end.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.done = 0
        self.last_written = 0.0
        self.connection = connections.create_connection("default") if connection.vendor == "postgresql" else None

    def __call__(self, rows: int) -> None:
        self.done += rows
        now = timezone.now().timestamp()
        if self.connection is None or now - self.last_written < 0.5:
            return
        self.last_written = now
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("UPDATE imports_importjob SET rows_done = %s WHERE id = %s", [self.done, self.job_id])
        except Exception:  # progress is a nicety; never let it break the import
            logger.warning("could not write import progress", exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class ImportJobBusy(Exception):
    """The job's run is alive in another worker (its message came back while it still runs)."""


# The two-key advisory locks of PostgreSQL: (this number, the job's id). The KPI engine's
# one-key lock lives in another key space.
_JOB_LOCK_SPACE = 7301


@contextmanager
def _job_lock(job_id: int) -> Iterator[bool]:
    """Hold the job's lock while a run imports it, if no other run holds it (yields whether it
    got it). On PostgreSQL a session lock, freed when the run ends or its process dies; SQLite
    runs one writer at a time and has no other worker, so there it is always given."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_JOB_LOCK_SPACE, job_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_JOB_LOCK_SPACE, job_id])


def import_job_run(*, job_id: int, redelivered: bool = False) -> ImportJob:
    """Run a queued import job; running it again after it finished does nothing.

    The run claims the job (waiting → running) so that a job queued twice runs once. A
    message redelivered because its worker died finds the job running and runs it again
    (the import is all or nothing: the dead run saved nothing). A message that comes back
    while its run is still alive (an import longer than the broker's visibility timeout)
    raises :class:`ImportJobBusy`: the task looks again later, and runs the job only if that
    run died without finishing it.
    """
    with _job_lock(job_id) as free:
        if not free:
            if redelivered:
                raise ImportJobBusy(job_id)
            return ImportJob.objects.get(pk=job_id)
        return _import_job_run_locked(job_id=job_id, redelivered=redelivered)


def _import_job_run_locked(*, job_id: int, redelivered: bool) -> ImportJob:
    job = ImportJob.objects.get(pk=job_id)
    claimable = [ImportStatus.PENDING, ImportStatus.RUNNING] if redelivered else [ImportStatus.PENDING]
    if not ImportJob.objects.filter(pk=job.pk, status__in=claimable).update(status=ImportStatus.RUNNING):
        return job
    progress = _JobProgress(job)
    try:
        report = import_run(format=job.format, directory=Path(job.directory), dry_run=job.dry_run, progress=progress)
        status = ImportStatus.SUCCEEDED
    except ImportFailed as failed:
        report = failed.report
        status = ImportStatus.FAILED
    finally:
        progress.close()
        shutil.rmtree(job.directory, ignore_errors=True)  # the summary keeps what matters
    job.status = status
    job.summary = report.as_dict()
    job.rows_done = max(progress.done, job.rows_total)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "rows_done", "finished_at"])
    return job


def export_run(*, format: str, directory: Path) -> dict[str, int]:
    """Write every record in ``format`` to CSV files in ``directory``; rows written per file."""
    module = FORMATS.get(format)
    if module is None or not hasattr(module, "export"):
        raise ValidationError(_("Export is available in these formats: %(formats)s.") % {"formats": "salesperf"})
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return module.export(directory)
