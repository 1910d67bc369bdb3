"""/quotas/upload/: who may, every bad row shown with nothing saved, preview then commit."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import ActivityTarget, Quota
from tests.factories import RepFactory

pytestmark = pytest.mark.django_db

URL = reverse("quotas:upload")
HEADER = "kind,rep,team,metric,activity_kind,start,end,target\n"


def csv_file(text: str, name: str = "quotas.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + text).encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "targets.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_only_quota_editors_reach_the_page(client, settings, rep, manager, admin_user, no_role_user):
    assert client.get(URL).status_code == 302  # to the login page
    for user in (rep.user, manager, no_role_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


def test_an_xlsx_of_targets_with_one_bad_row_shows_it_and_changes_nothing(admin_client, team, rep):
    ActivityTarget.objects.create(team=team, kind="call", per_week=10, start_date=dt.date(2026, 1, 5))
    upload = xlsx_file(
        [
            ["kind", "rep", "team", "metric", "activity_kind", "start", "end", "target"],
            ["activity_target", None, team.name, None, "call", dt.date(2026, 4, 6), None, 14],
            ["activity_target", rep.user.username, None, None, "email", dt.date(2026, 4, 6), None, -3],
        ]
    )
    response = admin_client.post(URL, {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 problem, nothing was saved" in page
    (error,) = response.context["errors"]
    assert (error.line, error.column) == (3, "target") and "greater than zero" in error.message
    assert "Save these changes" not in page
    assert list(ActivityTarget.objects.values_list("team_id", "per_week", "end_date")) == [(team.pk, 10, None)]


def test_preview_first_then_commit(admin_client, admin_user, rep):
    response = admin_client.post(URL, {"file": csv_file(f"quota,{rep.user.username},,won_revenue,,2026-01-01,2026-01-31,9000\n")})
    assert response.status_code == 200
    assert [(p.line, p.action) for p in response.context["preview"]] == [(2, "create")]
    assert "Save these changes" in response.content.decode()
    assert not Quota.objects.exists()  # a preview saves nothing

    response = admin_client.post(URL, {"confirm": "1", "token": response.context["token"]}, follow=True)
    assert "quotas.csv saved: quotas 1 created" in response.content.decode()
    record = Quota.objects.get().history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "upload: quotas.csv")

    # The same confirmation again (a double click, the back button) saves nothing twice.
    response = admin_client.post(URL, {"confirm": "1", "token": "stale"}, follow=True)
    assert "expired" in response.content.decode()
    assert Quota.history.count() == 1


def test_the_preview_lists_the_earlier_target_a_row_ends_and_counts_as_the_save(admin_client, team):
    ActivityTarget.objects.create(team=team, kind="call", per_week=10, start_date=dt.date(2025, 12, 1))
    response = admin_client.post(URL, {"file": csv_file(f"activity_target,,{team.name},,call,2027-01-04,,14\n")})
    page = response.content.decode()
    assert "1 to create, 1 to update" in page
    assert "end the earlier target" in page and "2027-01-03" in page and "2025-12-01" in page
    response = admin_client.post(URL, {"confirm": "1", "token": response.context["token"]}, follow=True)
    assert "1 created, 1 updated" in response.content.decode()
    assert ActivityTarget.objects.get(start_date=dt.date(2025, 12, 1)).end_date == dt.date(2027, 1, 3)


def test_a_conflict_found_on_confirmation_is_listed_and_nothing_saved(admin_client, rep):
    response = admin_client.post(URL, {"file": csv_file(f"quota,{rep.user.username},,won_revenue,,2026-01-01,2026-01-31,9000\n")})
    Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 10), end_date=dt.date(2026, 2, 10), target=1)
    response = admin_client.post(URL, {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 200
    assert "Overlaps" in response.context["errors"][0].message
    assert Quota.objects.count() == 1


def test_managers_upload_only_their_teams(client, settings, rep, manager):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    stranger = RepFactory()
    client.force_login(manager)
    text = (
        f"quota,{rep.user.username},,won_revenue,,2026-01-01,2026-01-31,9000\n"
        f"quota,{stranger.user.username},,won_revenue,,2026-01-01,2026-01-31,9000\n"
    )
    response = client.post(URL, {"file": csv_file(text)})
    assert [(e.line, e.column) for e in response.context["errors"]] == [(3, "rep")]


def test_other_files_are_refused_in_words(admin_client):
    response = admin_client.post(URL, {"file": SimpleUploadedFile("quotas.pdf", b"%PDF-1.4")})
    assert response.status_code == 200
    assert "Choose a .csv or .xlsx file." in response.content.decode()
    response = admin_client.post(URL, {"file": SimpleUploadedFile("quotas.csv", b"\x00\x01\x02")})
    assert "neither an .xlsx file nor CSV text" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "now", "new", "per_week"),
    [
        ("en", "30,000.00", "34,495.00", "14"),
        ("hu", "30\u00a0000,00", "34\u00a0495,00", "14"),
        ("fa", "۳۰٬۰۰۰٫۰۰", "۳۴٬۴۹۵٫۰۰", "۱۴"),
    ],
)
def test_the_preview_shows_now_and_new_alike_in_the_reader_s_format(admin_client, team, rep, language, now, new, per_week):
    """An xlsx cell holds 34495 where the database holds 30000.00: both show with their cents,
    as the quota grid writes amounts in the reader's language; a weekly target stays whole."""
    Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target="30000.00")
    upload = xlsx_file(
        [
            ["kind", "rep", "team", "metric", "activity_kind", "start", "end", "target"],
            ["quota", rep.user.username, None, "won_revenue", None, dt.date(2026, 1, 1), dt.date(2026, 1, 31), 34495],
            ["activity_target", None, team.name, None, "call", dt.date(2026, 4, 6), None, 14],
        ]
    )
    response = admin_client.post(URL, {"file": upload}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert [p.action for p in response.context["preview"]] == ["update", "create"]
    cells = re.findall(r'<td class="num">([^<]*)</td>', response.content.decode())
    # line, now, new for each row
    assert cells[:3] == [digits(language, "2"), now, new], cells
    assert cells[3:] == [digits(language, "3"), "—", per_week], cells


def digits(language: str, text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if language == "fa" else text
