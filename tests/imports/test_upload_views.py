"""The upload page, a job's page and its progress endpoint: admins only, end to end."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse

from imports.models import ImportJob, ImportStatus
from reps.models import Opportunity, Rep
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _uploads(folder: Path) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in sorted(folder.glob("*.csv"))]


def _login(client, user) -> None:
    client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("name", ["import_upload", "import_job", "import_job_status"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    job = ImportJob.objects.create(format="salesperf", directory="")
    response = client.get(reverse(name) if name == "import_upload" else reverse(name, args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reps_and_managers_may_not_import(client, rep, manager):
    job = ImportJob.objects.create(format="salesperf", directory="")
    for user in (rep.user, manager):
        _login(client, user)
        assert client.get(reverse("import_upload")).status_code == 403
        assert client.post(reverse("import_upload"), {"format": "salesperf"}).status_code == 403
        assert client.get(reverse("import_job", args=[job.pk])).status_code == 403
        assert client.get(reverse("import_job_status", args=[job.pk])).status_code == 403


def test_an_admin_sees_the_upload_page_with_an_empty_state(client, admin_user):
    _login(client, admin_user)
    response = client.get(reverse("import_upload"))
    assert response.status_code == 200
    assert "No import yet" in response.content.decode()


def test_the_list_of_imports_costs_a_fixed_number_of_queries(client, admin_user, django_assert_num_queries):
    for n in range(3):
        ImportJob.objects.create(format="salesperf", directory="", created_by=admin_user, file_names=[f"f{n}.csv"])
    _login(client, admin_user)
    with django_assert_num_queries(4):  # session, user, count of jobs, a page of jobs with their users
        response = client.get(reverse("import_upload"))
    assert response.content.decode().count(admin_user.username) >= 3


def test_an_admin_uploads_csv_files_and_sees_the_summary(
    client, admin_user, example_dir, recompute_calls, django_capture_on_commit_callbacks
):
    _login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_upload"), {"format": "salesperf", "files": _uploads(example_dir)})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_job", args=[job.pk])
    assert job.status == ImportStatus.SUCCEEDED
    assert Opportunity.objects.count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "The import is saved." in page
    assert "opportunities.csv" in page
    status = client.get(reverse("import_job_status", args=[job.pk])).json()
    assert status == {
        "status": "succeeded",
        "percent": 100,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "finished": True,
    }
    assert not Path(job.directory).exists()  # uploaded files are removed once imported


def test_an_admin_uploads_a_zip_as_a_dry_run(
    client, admin_user, example_dir, recompute_calls, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in example_dir.glob("*.csv"):
            archive.write(path, f"export/{path.name}")
    _login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import_upload"),
            {"format": "salesperf", "dry_run": "on", "files": [SimpleUploadedFile("data.zip", buffer.getvalue())]},
        )
    job = ImportJob.objects.get()
    assert (job.status, job.dry_run, job.summary["ok"]) == (ImportStatus.SUCCEEDED, True, True)
    assert len(job.file_names) == 10
    assert not Rep.objects.exists()
    assert "This was a dry run: nothing was saved." in client.get(reverse("import_job", args=[job.pk])).content.decode()


def test_a_bad_upload_shows_each_error_with_file_line_and_reason(
    client, admin_user, recompute_calls, django_capture_on_commit_callbacks
):
    _login(client, admin_user)
    bad = SimpleUploadedFile("reps.csv", b"external_id,username,start_date\nr1,ann,2024-13-01\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_upload"), {"format": "salesperf", "files": [bad]})
    job = ImportJob.objects.get()
    response = client.get(reverse("import_job", args=[job.pk]))
    assert job.status == ImportStatus.FAILED
    assert job.summary["errors"] == [
        {"file": "reps.csv", "line": 2, "reason": "start_date “2024-13-01” is not a date like 2017-03-31."}
    ]
    page = response.content.decode()
    assert "Nothing was saved: 1 error." in page
    assert "start_date “2024-13-01” is not a date like 2017-03-31." in page
    assert not Rep.objects.exists()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_other_file_types_and_bad_zips_are_refused_on_the_form(client, admin_user, settings):
    _login(client, admin_user)
    response = client.post(reverse("import_upload"), {"format": "salesperf", "files": [SimpleUploadedFile("a.xlsx", b"PK")]})
    assert response.status_code == 200
    assert "is neither a .csv nor a .zip file" in response.content.decode()
    response = client.post(reverse("import_upload"), {"format": "salesperf", "files": [SimpleUploadedFile("a.zip", b"nope")]})
    assert "is not a valid zip file" in response.content.decode()
    response = client.post(
        reverse("import_upload"), {"format": "salesperf", "files": [SimpleUploadedFile("a.zip", _zip({"a.txt": b"x"}))]}
    )
    assert "No CSV file was found in the upload" in response.content.decode()
    response = client.post(reverse("import_upload"), {"format": "nope"})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*/*"))  # refused uploads leave no files


def test_running_a_finished_job_again_does_nothing(admin_user, recompute_calls):
    from imports import services

    job = ImportJob.objects.create(
        format="salesperf", directory="/nonexistent", status=ImportStatus.SUCCEEDED, summary={"ok": True}
    )
    assert services.import_job_run(job_id=job.pk).summary == {"ok": True}


def test_the_page_of_a_running_job_polls_its_status_and_refreshes_without_javascript(client, admin_user):
    job = ImportJob.objects.create(format="salesperf", directory="", status=ImportStatus.RUNNING, rows_total=200, rows_done=50)
    _login(client, admin_user)
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert f'data-status-url="{reverse("import_job_status", args=[job.pk])}"' in page
    assert 'value="25"' in page  # the progress bar as rendered, before any script runs
    assert "imports/job.js" in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert client.get(reverse("import_job_status", args=[job.pk])).json() == {
        "status": "running",
        "percent": 25,
        "rows_done": 50,
        "rows_total": 200,
        "finished": False,
    }


def test_a_missing_job_is_a_404(client, admin_user):
    _login(client, admin_user)
    assert client.get(reverse("import_job", args=[999999])).status_code == 404
    assert client.get(reverse("import_job_status", args=[999999])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="progress is written from a second connection on PostgreSQL only")
def test_progress_is_visible_to_the_page_while_the_import_runs():
    from imports.services import _JobProgress

    job = ImportJob.objects.create(format="salesperf", directory="", status=ImportStatus.RUNNING, rows_total=3000)
    progress = _JobProgress(job)
    try:
        with transaction.atomic():  # as the import's own transaction: its writes stay hidden until commit
            progress(1500)
            progress(10)  # within half a second of the last write: not written yet
            assert progress.done == 1510
            # Committed at once: a request of the status page (another connection) sees it.
            reader = connections.create_connection("default")
            try:
                with reader.cursor() as cursor:
                    cursor.execute("SELECT rows_done FROM imports_importjob WHERE id = %s", [job.pk])
                    assert cursor.fetchone() == (1500,)
            finally:
                reader.close()
    finally:
        progress.close()
