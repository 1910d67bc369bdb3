"""Uploads are capped (total size, zip expansion, CSV columns and line length) before any disk write."""

from __future__ import annotations

import io
import secrets
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from tests.imports.test_upload_views import _login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _zip(members: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return SimpleUploadedFile("upload.zip", buffer.getvalue(), content_type="application/zip")


def _post(client, admin_user, *files):
    _login(client, admin_user)
    return client.post(reverse("import_upload"), {"format": "salesperf", "files": list(files)})


def _refused(response, media, words: str) -> None:
    assert response.status_code == 200  # the form again, with the reason
    assert words in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not media.exists() or not any(media.rglob("*.csv"))  # nothing was written


def test_a_zip_bomb_is_refused(client, admin_user, _media):
    bomb = _zip({"activities.csv": b"external_id\n" + b"0" * 5_000_000})
    _refused(_post(client, admin_user, bomb), _media, "expands more than")


def test_an_upload_above_the_total_size_is_refused(client, admin_user, _media, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    rows = b"external_id,name\n" + b"".join(b"x%d,Name %d\n" % (n, n) for n in range(100))
    _refused(_post(client, admin_user, _zip({"accounts.csv": rows})), _media, "more than 0 MB")
    upload = SimpleUploadedFile("accounts.csv", rows, content_type="text/csv")
    _refused(_post(client, admin_user, upload), _media, "more than 0 MB")


def test_too_many_columns_are_refused(client, admin_user, _media):
    header = ",".join(f"c{n}" for n in range(500)).encode() + b"\n"
    upload = SimpleUploadedFile("accounts.csv", header + b"a\n", content_type="text/csv")
    _refused(_post(client, admin_user, upload), _media, "500 columns")


def test_a_line_too_long_is_refused_even_inside_a_zip(client, admin_user, _media):
    line = b"external_id,name\nx1," + secrets.token_hex(100_000).encode() + b"\n"  # does not compress much
    _refused(_post(client, admin_user, _zip({"accounts.csv": line})), _media, "line 2, is longer than")


def test_the_command_line_import_refuses_too_many_columns_too(tmp_path):
    from imports import services
    from imports.formats.base import ImportFailed

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "accounts.csv").write_text(",".join(["external_id", "name", *[f"c{n}" for n in range(300)]]) + "\nx,y\n")
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    assert "302 columns" in failed.value.report.as_dict()["errors"][0]["reason"]
