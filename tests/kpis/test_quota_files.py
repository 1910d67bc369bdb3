"""Quota files (kpis/quota_files.py) and ``manage.py import_quotas``: CSV and .xlsx, every bad row
with its line, nothing written on any error, the same file twice changes nothing, and what the
grid downloads reads back unchanged."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kpis import quota_files
from kpis.models import ActivityTarget, Quota
from tests.factories import RepFactory, TeamFactory

pytestmark = pytest.mark.django_db

HEADER = "kind,rep,team,metric,activity_kind,start,end,target\n"


@pytest.fixture
def people(db):
    team = TeamFactory(name="North")
    return {
        "team": team,
        "ann": RepFactory(team=team, user__username="ann"),
        "bob": RepFactory(team=team, user__username="bob"),
    }


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def save(data: bytes, name: str, user=None, **kwargs):
    parsed = quota_files.read_quotas_file(data, name)
    return quota_files.import_quotas_file(parsed, user=user, source=f"upload: {name}", **kwargs)


def test_a_csv_of_quotas_and_targets_imports_and_twice_changes_nothing(people):
    data = (
        HEADER
        + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000\n"
        + ",bob,,,,2026-01-01,2026-01-31,12000.50\n"  # kind and metric default to quota, won_revenue
        + "quota,,North,activities,call,2026-01-01,2026-03-31,600\n"
        + "activity_target,,North,,call,2026-01-05,,12\n"
        + "activity_target,ann,,,email,2026-01-05,2026-06-28,30\n"
    ).encode()
    result = save(data, "q.csv")
    assert (result.quotas.created, result.targets.created) == (3, 2)
    again = save(data, "q.csv")
    assert (again.quotas.unchanged, again.targets.unchanged, again.quotas.created + again.targets.created) == (3, 2, 0)
    assert Quota.objects.get(rep=people["bob"]).target == Decimal("12000.50")
    assert Quota.history.filter(history_change_reason="upload: q.csv").count() == 3


def test_an_xlsx_of_targets_with_one_bad_row_changes_nothing(people):
    ActivityTarget.objects.create(team=people["team"], kind="call", per_week=10, start_date=dt.date(2025, 1, 6))
    data = xlsx(
        [
            ["kind", "rep", "team", "metric", "activity_kind", "start", "end", "target"],
            ["activity_target", None, "North", None, "call", dt.datetime(2026, 1, 5), None, 12],
            ["activity_target", "ann", None, None, "email", dt.datetime(2026, 1, 5), None, 30],
            [],  # a blank row keeps the line numbers of the sheet
            ["activity_target", "bob", None, None, "meeting", dt.datetime(2026, 1, 5), None, 2],
        ]
    )
    with pytest.raises(quota_files.QuotaFileError) as caught:
        save(data, "targets.xlsx")
    (error,) = caught.value.errors
    assert (error.line, error.column) == (5, "activity_kind")
    assert "Unknown activity kind 'meeting'" in error.message
    assert list(ActivityTarget.objects.values_list("per_week", "end_date")) == [(10, None)]


def test_every_bad_row_is_listed_with_its_line(people):
    data = (
        HEADER
        + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000\n"  # 2: fine
        + "quota,nobody,,won_revenue,,2026-01-01,2026-01-31,1\n"  # 3: unknown rep
        + "quota,ann,North,won_revenue,,2026-02-01,2026-02-28,1\n"  # 4: both
        + "quota,bob,,won_revenue,,2026-02-31,2026-03-31,1\n"  # 5: no such day
        + "quota,bob,,won_revenue,,2026-04-01,2026-04-30,0\n"  # 6: not > 0
        + "quota,ann,,won_revenue,,2026-01-15,2026-02-15,5\n"  # 7: overlaps line 2
        + "activity_target,bob,,,call,2026-01-05,,2.5\n"  # 8: not whole
        + "weird,bob,,,call,2026-01-05,,2\n"  # 9: unknown kind
        + "quota,bob,,won_revenue,,1899-01-01,1899-01-31,1\n"  # 10: out of range
    ).encode()
    with pytest.raises(quota_files.QuotaFileError) as caught:
        save(data, "q.csv")
    lines = {e.line: e for e in caught.value.errors}
    assert sorted(lines) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert lines[3].column == "rep" and lines[5].column == "start" and lines[6].column == "target"
    assert "Overlaps" in lines[7].message and "1900" in lines[10].message
    assert not Quota.objects.exists() and not ActivityTarget.objects.exists()


def test_remove_takes_a_quota_away(people):
    save((HEADER + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000\n").encode(), "a.csv")
    result = save((HEADER + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,remove\n").encode(), "b.csv")
    assert result.quotas.deleted == 1 and not Quota.objects.exists()


def test_semicolons_a_byte_order_mark_and_column_names_in_any_case(people):
    data = "\ufeffRep;Start;End;Target\nann;2026-01-01;2026-01-31;100\n".encode()
    assert save(data, "q.csv").quotas.created == 1


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "q.csv", "neither an .xlsx file nor CSV text"),
        (b"PK\x03\x04broken", "q.xlsx", "not a readable .xlsx file"),
        (b"", "q.csv", "empty"),
        (b"rep,target\nann,1\n", "q.csv", "missing: start"),
        (HEADER.encode(), "q.csv", "no rows"),
    ],
)
def test_bad_files_are_refused_in_words(people, data, name, words):
    parsed = quota_files.read_quotas_file(data, name)
    assert words in " ".join(str(e) for e in parsed.errors)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_reads_back_without_change(people, fmt):
    data = (
        HEADER
        + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000.10\n"
        + "quota,,North,activities,proposal_meeting,2026-01-01,2026-03-31,12\n"
        + "activity_target,,North,,call,2026-01-05,,12\n"
        + "activity_target,bob,,,call,2026-01-05,2026-02-01,9\n"
    ).encode()
    save(data, "q.csv")
    quota_rows, target_rows = quota_files.quotas_for_download(people["ann"].team.manager, team=people["team"])
    written = quota_files.write_quotas_file(quota_rows, target_rows, fmt=fmt)
    result = save(written, f"grid.{fmt}")
    assert (result.quotas.unchanged, result.targets.unchanged) == (2, 2)
    assert result.quotas.created + result.quotas.updated + result.targets.created + result.targets.updated == 0


def test_the_preview_says_what_would_change(people):
    save((HEADER + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,100\n").encode(), "a.csv")
    data = (
        HEADER
        + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,150\n"
        + "quota,bob,,won_revenue,,2026-01-01,2026-01-31,100\n"
        + "activity_target,bob,,,call,2026-01-05,,5\n"
    ).encode()
    errors, preview = quota_files.check_quotas_file(quota_files.read_quotas_file(data, "b.csv"), user=None)
    assert not errors
    assert [(p.line, p.action, p.old, p.new) for p in preview] == [
        (2, "update", Decimal("100.00"), Decimal("150")),
        (3, "create", None, Decimal("100")),
        (4, "create", None, 5),
    ]
    assert preview[0].owner == people["ann"].name


def test_the_preview_lists_an_earlier_open_ended_target_the_file_ends(people, tmp_path):
    ActivityTarget.objects.create(team=people["team"], kind="call", per_week=10, start_date=dt.date(2025, 12, 1))
    data = (
        HEADER + "quota,ann,,won_revenue,,2027-01-01,2027-01-31,100\n" + "activity_target,,North,,call,2027-01-04,,14\n"
    ).encode()
    errors, preview = quota_files.check_quotas_file(quota_files.read_quotas_file(data, "b.csv"), user=None)
    assert not errors
    assert [(p.line, p.action, p.start, p.end, p.old, p.new, p.earlier) for p in preview] == [
        (2, "create", dt.date(2027, 1, 1), dt.date(2027, 1, 31), None, Decimal("100"), False),
        (3, "update", dt.date(2025, 12, 1), dt.date(2027, 1, 3), 10, 10, True),
        (3, "create", dt.date(2027, 1, 4), None, None, 14, False),
    ]
    path = tmp_path / "targets.csv"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_quotas", str(path), "--dry-run", stdout=out)
    assert "line 3 ends the earlier weekly Call target of North from 2025-12-01 on 2027-01-03" in out.getvalue()
    assert "activity targets: 1 created, 1 updated" in out.getvalue()
    result = save(data, "b.csv")
    assert (result.targets.created, result.targets.updated) == (1, 1)
    assert [p.action for p in preview].count("update") == result.quotas.updated + result.targets.updated


# --- the command -------------------------------------------------------------------------


def test_the_command_imports_and_dry_runs(people, tmp_path, capsys):
    path = tmp_path / "quotas.csv"
    path.write_text(HEADER + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000\n")
    out = io.StringIO()
    call_command("import_quotas", str(path), "--dry-run", stdout=out)
    assert "quotas: 1 created" in out.getvalue() and "Dry run" in out.getvalue()
    assert not Quota.objects.exists()
    call_command("import_quotas", str(path), stdout=io.StringIO())
    assert Quota.objects.get().history.get().history_change_reason == "import: quotas.csv"


def test_the_command_lists_every_bad_row_and_saves_nothing(people, tmp_path):
    path = tmp_path / "quotas.csv"
    path.write_text(
        HEADER + "quota,ann,,won_revenue,,2026-01-01,2026-01-31,10000\nquota,zed,,won_revenue,,2026-01-01,2026-01-31,1\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_quotas", str(path), stdout=io.StringIO(), stderr=err)
    assert "quotas.csv, line 3, rep: No rep has the user name “zed”." in err.getvalue()
    assert not Quota.objects.exists()


def test_the_command_needs_a_file(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_quotas", str(tmp_path / "missing.csv"))
