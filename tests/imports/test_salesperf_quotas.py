"""Quotas and weekly activity targets in the salesperf format: the export reads back (also into
the database it came from), and the rules of every quota save apply, by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpis.models import ActivityTarget, Quota
from tests.factories import RepFactory, TeamFactory
from tests.imports.test_export_crm import _wipe

pytestmark = pytest.mark.django_db


def import_folder(folder: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_crm", "--format", "salesperf", str(folder), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failed_import(folder: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_crm", "--format", "salesperf", str(folder), "--no-progress", stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def made_in_the_app(db):
    """Quotas and targets of a rep and a team made in the app: no external ids anywhere."""
    team = TeamFactory(name="Team A")
    rep = RepFactory(team=team)
    Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target=Decimal("1000.00"))
    Quota.objects.create(
        team=team,
        metric="activities",
        activity_kind="call",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 3, 31),
        target=90,
    )
    ActivityTarget.objects.create(
        team=team, kind="call", per_week=12, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 4, 5)
    )
    ActivityTarget.objects.create(team=team, kind="call", per_week=14, start_date=dt.date(2026, 4, 6))
    ActivityTarget.objects.create(rep=rep, kind="email", per_week=30, start_date=dt.date(2026, 1, 5))
    return {"team": team, "rep": rep}


def test_the_exported_quotas_and_targets_read_back_into_the_same_database(made_in_the_app, tmp_path, recompute_calls):
    call_command("export_crm", "--format", "salesperf", str(tmp_path / "all"), stdout=StringIO())
    folder = tmp_path / "targets"
    folder.mkdir()
    for name in ("quotas.csv", "activity_targets.csv"):
        (folder / name).write_text((tmp_path / "all" / name).read_text())
    assert "salesperf:rep:" in (folder / "quotas.csv").read_text()  # the ids the export makes up

    out, _err = import_folder(folder)
    assert "quotas.csv (quotas): 0 created, 0 updated, 2 unchanged" in out
    assert "activity_targets.csv (activity targets): 0 created, 0 updated, 3 unchanged" in out
    assert Quota.objects.count() == 2 and ActivityTarget.objects.count() == 3
    assert Quota.history.count() == 2  # those of their creation: nothing changed


def test_a_changed_target_in_the_file_is_saved_with_its_history(made_in_the_app, tmp_path, recompute_calls):
    call_command("export_crm", "--format", "salesperf", str(tmp_path / "all"), stdout=StringIO())
    folder = tmp_path / "targets"
    folder.mkdir()
    text = (tmp_path / "all" / "quotas.csv").read_text().replace("1000.00", "1200.00")
    (folder / "quotas.csv").write_text(text)
    import_folder(folder)
    quota = Quota.objects.get(rep=made_in_the_app["rep"])
    assert quota.target == Decimal("1200.00")
    assert quota.history.first().history_change_reason == "import_crm"


def test_overlaps_and_bad_rows_are_reported_by_line_and_nothing_is_saved(made_in_the_app, tmp_path, recompute_calls):
    rep = made_in_the_app["rep"]
    (tmp_path / "quotas.csv").write_text(
        "metric,start_date,end_date,target,rep_external_id,team_external_id,activity_kind\n"
        f"won_revenue,2026-02-01,2026-02-28,500.00,salesperf:rep:{rep.pk},,\n"  # fine
        f"won_revenue,2026-01-15,2026-02-15,500.00,salesperf:rep:{rep.pk},,\n"  # overlaps January and line 2
        f"won_revenue,2026-03-01,2026-03-31,0,salesperf:rep:{rep.pk},,\n"  # not > 0
        f"won_revenue,2026-04-01,2026-04-30,5,salesperf:rep:{rep.pk},,call\n"  # kind without 'activities'
    )
    (tmp_path / "activity_targets.csv").write_text(
        "kind,start_date,per_week,rep_external_id,team_external_id,end_date\n"
        f"meeting,2026-01-05,3,salesperf:rep:{rep.pk},,\n"
        f"call,2026-01-05,3,salesperf:rep:{rep.pk},salesperf:team:{made_in_the_app['team'].pk},\n"
    )
    err = failed_import(tmp_path)
    assert "quotas.csv, line 2: Overlaps" in err or "quotas.csv, line 3: Overlaps" in err
    assert "quotas.csv, line 4: target: The target must be greater than zero" in err
    assert "quotas.csv, line 5: activity_kind:" in err
    assert "activity_targets.csv, line 2: kind: Unknown activity kind 'meeting'" in err
    assert "activity_targets.csv, line 3: Give either a rep or a team" in err
    assert Quota.objects.count() == 2 and ActivityTarget.objects.count() == 3


def test_an_export_into_an_empty_database_gives_the_same_targets(made_in_the_app, tmp_path, recompute_calls):
    def snapshot():
        return sorted(
            ActivityTarget.objects.values_list("rep__user__username", "team__name", "kind", "start_date", "end_date", "per_week"),
            key=repr,
        )

    before = snapshot()
    call_command("export_crm", "--format", "salesperf", str(tmp_path), stdout=StringIO())
    _wipe()
    import_folder(tmp_path)
    assert snapshot() == before
