"""The salesperf CSV format: the example folder, idempotency, history, bad files and values."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from imports import services
from imports.formats.base import ImportFailed
from kpis.models import Quota
from reps.models import (
    Account,
    Activity,
    CustomerFeedback,
    Opportunity,
    OpportunityOwnerChange,
    Pipeline,
    Rep,
    Team,
    TeamMembership,
)

pytestmark = pytest.mark.django_db


def _copy(example_dir: Path, tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names or [p.name for p in example_dir.glob("*.csv")]:
        shutil.copy(example_dir / name, folder / name)
    return folder


def _nothing_written() -> bool:
    return not any(m.objects.exists() for m in (Pipeline, Team, Rep, Account, Opportunity, Activity, CustomerFeedback, Quota))


def test_it_imports_the_example_folder(example_dir, recompute_calls):
    report = services.import_run(format="salesperf", directory=example_dir)
    assert report.totals().created == 1 + 3 + 3 + 2 + 3 + 4 + 6 + 2 + 4
    anna = Rep.objects.get(external_id="example:rep:anna")
    assert (anna.user.username, anna.team.name, anna.start_date) == ("anna.kovacs", "North – Field", dt.date(2024, 1, 1))
    assert TeamMembership.objects.get(rep=anna).start_date == dt.date(2024, 1, 1)
    assert Team.objects.get(name="North – Field").parent.name == "North"
    won = Opportunity.objects.get(external_id="example:opp:1")
    assert (won.stage.name, won.amount, won.offer_date, won.close_date) == (
        "Won",
        Decimal("9600.00"),
        dt.date(2024, 1, 25),
        dt.date(2024, 2, 20),
    )
    assert [c.to_stage.name for c in won.stage_changes.all()] == ["Prospecting", "Proposal", "Won"]
    # The events' instants come from the history's times (KPI credit to the owner at that moment).
    assert (won.offer_at, won.closed_at) == (
        dt.datetime(2024, 1, 25, 9, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 20, 14, 30, tzinfo=dt.UTC),
    )
    no_history = Opportunity.objects.get(external_id="example:opp:3")
    assert (no_history.created_at, no_history.offer_at, no_history.closed_at) == (None, None, None)  # dates only
    assert OpportunityOwnerChange.objects.filter(from_owner=None).count() == 4
    # Without a history, an opportunity is created directly in its stage.
    assert [c.to_stage.name for c in Opportunity.objects.get(external_id="example:opp:3").stage_changes.all()] == ["Proposal"]
    # An activity logged on a deal without an account takes the deal's account, as the services do.
    assert Activity.objects.get(external_id="example:act:2").account.name == "Fjord Shipping AS"
    assert Quota.objects.get(team__name="North – Field").target == Decimal("30000.00")
    assert recompute_calls == [{"since": dt.date(2024, 1, 1), "rep_ids": sorted(Rep.objects.values_list("pk", flat=True))}]


def test_importing_the_example_twice_changes_nothing(example_dir, recompute_calls):
    services.import_run(format="salesperf", directory=example_dir)
    again = services.import_run(format="salesperf", directory=example_dir)
    totals = again.totals()
    assert (totals.created, totals.updated, totals.unchanged) == (0, 0, 28)
    assert len(recompute_calls) == 1


def test_a_changed_row_is_updated(example_dir, tmp_path, recompute_calls):
    services.import_run(format="salesperf", directory=example_dir)
    folder = _copy(example_dir, tmp_path, "activities.csv")
    path = folder / "activities.csv"
    path.write_text(
        path.read_text().replace("call,planned,2024-04-02,,Follow-up call", "call,planned,2024-04-03,,Follow-up call")
    )
    report = services.import_run(format="salesperf", directory=folder)
    assert report.counts[("activities.csv", "activities")].__dict__ == {"created": 0, "updated": 1, "unchanged": 5}
    assert Activity.objects.get(external_id="example:act:5").planned_date == dt.date(2024, 4, 3)
    assert recompute_calls[-1]["since"] == dt.date(2024, 4, 2)


def test_a_dry_run_writes_nothing_but_reports_the_same(example_dir, recompute_calls):
    report = services.import_run(format="salesperf", directory=example_dir, dry_run=True)
    assert report.totals().created == 28
    assert _nothing_written()


def test_a_file_that_is_not_csv_is_rejected(example_dir, tmp_path):
    folder = _copy(example_dir, tmp_path)
    (folder / "reps.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    assert failed.value.report.errors == [
        {"file": "reps.csv", "line": None, "reason": "This is not a CSV text file (it contains binary data)."}
    ]
    assert _nothing_written()


def test_a_file_without_required_columns_is_rejected(example_dir, tmp_path):
    folder = _copy(example_dir, tmp_path)
    (folder / "activities.csv").write_text("external_id,owner,kind\nx,y,call\n")
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    error = failed.value.report.errors[0]
    assert (error["file"], error["line"]) == ("activities.csv", 1)
    assert "Required columns are missing: owner_external_id, status" in error["reason"]
    assert _nothing_written()


def test_bad_values_are_reported_per_row_and_nothing_is_written(example_dir, tmp_path):
    folder = _copy(example_dir, tmp_path)
    path = folder / "activities.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",call,done,", ",phone,done,")
    lines[4] = lines[4].replace("2024-01-16T08:30:00+01:00", "yesterday")
    lines.append("example:act:7,example:rep:nobody,call,planned,2024-04-02,,,,,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    assert [(e["file"], e["line"]) for e in failed.value.report.errors] == [
        ("activities.csv", 2),
        ("activities.csv", 5),
        ("activities.csv", 8),
    ]
    reasons = [e["reason"] for e in failed.value.report.errors]
    assert reasons[0].startswith("kind “phone” is not one of")
    assert reasons[1] == "done_at “yesterday” is not a date and time like 2017-03-31T14:30:00+00:00."
    assert reasons[2] == "owner_external_id “example:rep:nobody” names no row of this import nor any stored one."
    assert _nothing_written()


def test_an_open_deal_with_a_close_date_is_rejected(example_dir, tmp_path):
    folder = _copy(example_dir, tmp_path)
    path = folder / "opportunities.csv"
    path.write_text(path.read_text().replace("2024-04-30,,2024-03-20,Follow-up", "2024-04-30,2024-04-01,2024-03-20,Follow-up"))
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    assert failed.value.report.errors[0]["line"] == 4
    assert "an open deal has no close date" in failed.value.report.errors[0]["reason"]
    assert _nothing_written()


def test_an_unknown_file_is_rejected(example_dir, tmp_path):
    folder = _copy(example_dir, tmp_path, "teams.csv")
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    assert failed.value.report.errors[0]["file"] == "notes.csv"
    assert _nothing_written()


def test_an_empty_folder_is_rejected(tmp_path):
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=tmp_path)
    assert "No file of the salesperf format was found" in failed.value.report.errors[0]["reason"]
