"""Quota and weekly activity target services (kpis/quotas.py): all-or-nothing saves, every bad
row with a readable reason, no overlaps (also at the database level on PostgreSQL), history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kpis import quotas
from kpis.models import ActivityTarget, Quota
from kpis.quotas import ActivityTargetInput, QuotaInput, QuotaInputError, SaveResult, quota_saves
from reps import access
from tests.factories import RepFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

d = dt.date.fromisoformat
JAN = (d("2026-01-01"), d("2026-01-31"))
FEB = (d("2026-02-01"), d("2026-02-28"))
Q1 = (d("2026-01-01"), d("2026-03-31"))


def quota(rep=None, team=None, period=JAN, target="1000", metric="won_revenue", kind=""):
    return QuotaInput(
        rep_id=rep.pk if rep else None,
        team_id=team.pk if team else None,
        metric=metric,
        activity_kind=kind,
        start_date=period[0],
        end_date=period[1],
        target=None if target is None else Decimal(target),
    )


def target(rep=None, team=None, kind="call", start="2026-01-05", end=None, per_week=10):
    return ActivityTargetInput(
        rep_id=rep.pk if rep else None,
        team_id=team.pk if team else None,
        kind=kind,
        start_date=d(start),
        end_date=d(end) if end else None,
        per_week=per_week,
    )


# --- saving quotas ------------------------------------------------------------------------


def test_it_creates_updates_deletes_and_leaves_the_rest(admin_user, rep, team):
    result = quotas.save_quotas([quota(rep), quota(rep, period=FEB), quota(team=team)], user=admin_user, source="grid")
    assert result == SaveResult(created=3, updated=0, deleted=0, unchanged=0)

    result = quotas.save_quotas(
        [
            quota(rep, target="1500"),
            quota(rep, period=FEB, target=None),
            quota(team=team),
            quota(rep, period=(d("2026-05-01"), d("2026-05-31")), target=None),
        ],
        user=admin_user,
        source="grid",
    )
    assert result == SaveResult(created=0, updated=1, deleted=1, unchanged=2)
    assert list(Quota.objects.filter(rep=rep).values_list("start_date", "target")) == [(JAN[0], Decimal("1500.00"))]
    assert Quota.objects.filter(team=team).count() == 1


def test_saving_the_same_rows_twice_changes_nothing(admin_user, rep):
    rows = [quota(rep), quota(rep, period=FEB, target="2000.50")]
    quotas.save_quotas(rows, user=admin_user, source="upload: q.csv")
    assert quotas.save_quotas(rows, user=admin_user, source="upload: q.csv") == SaveResult(0, 0, 0, 2)
    assert Quota.history.count() == 2


def test_every_bad_row_is_listed_and_nothing_is_written(admin_user, rep, team):
    rows = [
        quota(rep),  # fine
        quota(rep, team=team, period=FEB),  # both owners
        quota(period=FEB),  # neither
        quota(rep, period=(d("2026-03-31"), d("2026-03-01"))),  # ends before it starts
        quota(rep, period=(d("2026-04-01"), d("2026-04-30")), target="0"),
        quota(rep, period=(d("2026-05-01"), d("2026-05-31")), metric="activities"),  # no kind
        quota(rep, period=(d("2026-06-01"), d("2026-06-30")), kind="call"),  # kind without 'activities'
        quota(rep, period=(d("2026-07-01"), d("2026-07-31")), metric="profit"),
        quota(rep, period=(d("1899-12-01"), d("1899-12-31"))),
        quota(rep, period=(d("2026-08-01"), d("2026-08-31")), target="10.001"),
    ]
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas(rows, user=admin_user, source="grid")
    errors = caught.value.errors
    assert sorted({e.row for e in errors}) == list(range(1, 10))
    by_row = {e.row: e for e in errors}
    assert by_row[3].field == "end_date"
    assert by_row[4].field == "target" and "greater than zero" in by_row[4].message
    assert by_row[5].field == "activity_kind"
    assert by_row[6].field == "activity_kind"
    assert by_row[7].field == "metric"
    assert "1900" in by_row[8].message
    assert by_row[9].field == "target"
    assert not Quota.objects.exists()
    assert quotas.validate_quotas(rows, user=admin_user) == errors


def test_activity_quotas_need_a_kind_and_are_kept_apart_by_kind(admin_user, rep):
    rows = [quota(rep, metric="activities", kind="call", target="40"), quota(rep, metric="activities", kind="email", target="80")]
    assert quotas.save_quotas(rows, user=admin_user, source="grid").created == 2


def test_overlap_with_a_stored_quota_is_refused_with_a_readable_message(admin_user, rep):
    quotas.save_quotas([quota(rep)], user=admin_user, source="grid")
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas([quota(rep, period=Q1, target="5000")], user=admin_user, source="grid")
    (error,) = caught.value.errors
    assert error.row == 0
    assert "Overlaps the Won revenue quota of" in error.message and "2026-01-01 to 2026-01-31" in error.message
    assert "quota_" not in error.message
    assert Quota.objects.count() == 1


def test_overlap_between_rows_marks_both(admin_user, rep, other_rep):
    rows = [quota(rep), quota(rep, period=Q1), quota(other_rep, period=Q1)]
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas(rows, user=admin_user, source="grid")
    assert [e.row for e in caught.value.errors] == [0, 1]


def test_a_quota_may_be_replaced_by_a_longer_one_in_one_save(admin_user, rep):
    quotas.save_quotas([quota(rep), quota(rep, period=FEB)], user=admin_user, source="grid")
    rows = [quota(rep, target=None), quota(rep, period=FEB, target=None), quota(rep, period=Q1, target="9000")]
    assert quotas.save_quotas(rows, user=admin_user, source="grid") == SaveResult(1, 0, 2, 0)


def test_a_rep_quota_and_a_team_quota_may_cover_the_same_days(admin_user, rep, team):
    assert quotas.save_quotas([quota(rep, period=Q1), quota(team=team, period=Q1)], user=admin_user, source="grid").created == 2


def test_the_same_key_twice_is_an_error(admin_user, rep):
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas([quota(rep), quota(rep, target="5")], user=admin_user, source="grid")
    assert [e.row for e in caught.value.errors] == [1]


def test_unknown_rep_or_team(admin_user):
    rows = [
        QuotaInput(999999, None, "won_revenue", "", *JAN, Decimal(1)),
        QuotaInput(None, 999999, "won_revenue", "", *JAN, Decimal(1)),
    ]
    errors = quotas.validate_quotas(rows, user=admin_user)
    assert [(e.row, e.field) for e in errors] == [(0, "rep"), (1, "team")]


def test_bulk_grid_save_takes_a_fixed_number_of_queries(admin_user):
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(3)]
    rows = [
        quota(r, period=(d(f"2026-{m:02}-01"), d(f"2026-{m:02}-01") + dt.timedelta(days=20))) for r in reps for m in range(1, 13)
    ]
    with CaptureQueriesContext(connection) as ctx:
        quotas.save_quotas(rows, user=admin_user, source="grid")
    # savepoint, reps, existing quotas, insert quotas, insert history, release savepoint
    assert len(ctx.captured_queries) <= 7
    assert Quota.objects.count() == 36


# --- who may -----------------------------------------------------------------------------


def test_managers_may_not_edit_quotas_unless_the_setting_allows(rep, manager):
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas([quota(rep)], user=manager, source="grid")
    assert "may not" in caught.value.errors[0].message
    assert not access.can_edit_quotas(manager, rep.team)
    assert access.can_see_quotas(manager, rep.team)


def test_managers_edit_only_their_teams_when_allowed(settings, rep, manager, other_rep):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    assert access.can_edit_quotas(manager, rep.team) and not access.can_edit_quotas(manager, other_rep.team)
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas([quota(rep), quota(other_rep), quota(team=other_rep.team)], user=manager, source="grid")
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "rep"), (2, "team")]
    assert quotas.save_quotas([quota(rep), quota(team=rep.team)], user=manager, source="grid").created == 2


def test_reps_never_edit_quotas(settings, rep):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    assert not access.can_edit_quotas(rep.user) and not access.can_see_quotas(rep.user)
    assert quotas.validate_quotas([quota(rep)], user=rep.user)


def test_admins_see_and_edit_every_team(admin_user, team):
    assert access.can_edit_quotas(admin_user, team) and access.can_see_quotas(admin_user, team)


def test_a_region_manager_edits_the_teams_below(settings):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    boss = UserFactory(username="regional")
    child = TeamFactory(parent=TeamFactory(manager=boss))
    assert access.can_edit_quotas(boss, child)


# --- history -----------------------------------------------------------------------------


def test_history_records_who_when_old_new_and_source(admin_user, rep):
    quotas.save_quotas([quota(rep)], user=admin_user, source="grid")
    quotas.save_quotas([quota(rep, target="1200")], user=admin_user, source="upload: q.xlsx")
    quotas.save_quotas([quota(rep, target=None)], user=None, source="import")
    pk = Quota.history.first().id
    with CaptureQueriesContext(connection) as ctx:
        history = quotas.quota_history([pk])
    assert len(ctx.captured_queries) == 1
    deleted, changed, created = history[pk]
    assert (created.action, created.old_target, created.new_target, created.source) == ("created", None, Decimal("1000"), "grid")
    assert created.user == (admin_user.get_full_name() or admin_user.username)
    assert (changed.old_target, changed.new_target, changed.source) == (Decimal("1000"), Decimal("1200"), "upload: q.xlsx")
    assert (deleted.action, deleted.old_target, deleted.new_target, deleted.user) == ("deleted", Decimal("1200"), None, "")


def test_a_long_source_is_cut_to_fit(admin_user, rep):
    quotas.save_quotas([quota(rep)], user=admin_user, source="upload: " + "x" * 300 + ".csv")
    assert len(Quota.history.get().history_change_reason) == 100


def test_a_change_to_a_row_without_history_still_shows_the_old_value(admin_user, rep, team):
    # Rows bulk-inserted with no history row (older demo data, raw imports).
    Quota.objects.bulk_create([Quota(rep=rep, metric="won_revenue", start_date=JAN[0], end_date=JAN[1], target=1000)])
    ActivityTarget.objects.bulk_create([ActivityTarget(team=team, kind="call", per_week=10, start_date=JAN[0])])
    quotas.save_quotas([quota(rep, target="1200")], user=admin_user, source="grid")
    quotas.save_activity_targets([ActivityTargetInput(None, team.pk, "call", JAN[0], None, None)], user=admin_user, source="grid")
    pk = Quota.objects.get().pk
    changed, initial = quotas.quota_history([pk])[pk]
    assert (changed.action, changed.old_target, changed.new_target) == ("changed", Decimal("1000"), Decimal("1200"))
    assert (initial.action, initial.new_target, initial.source, initial.user) == ("created", Decimal("1000"), "initial value", "")
    target_pk = ActivityTarget.history.first().id
    deleted, initial = quotas.activity_target_history([target_pk])[target_pk]
    assert (deleted.action, deleted.old_target, initial.new_target) == ("deleted", 10, 10)
    # Rows with history get no second first row.
    quotas.save_quotas([quota(rep, target="1300")], user=admin_user, source="grid")
    assert Quota.history.filter(history_type="+").count() == 1


# --- weekly activity targets --------------------------------------------------------------


def test_a_new_target_ends_the_open_ended_one_before_it(admin_user, team):
    quotas.save_activity_targets([target(team=team)], user=admin_user, source="grid")
    result = quotas.save_activity_targets([target(team=team, start="2026-04-06", per_week=15)], user=admin_user, source="grid")
    assert result == SaveResult(created=1, updated=1, deleted=0, unchanged=0)
    assert list(ActivityTarget.objects.order_by("start_date").values_list("start_date", "end_date", "per_week")) == [
        (d("2026-01-05"), d("2026-04-05"), 10),
        (d("2026-04-06"), None, 15),
    ]


def test_a_file_of_open_ended_targets_imports_twice_without_change(admin_user, rep):
    rows = [target(rep), target(rep, start="2026-04-06", per_week=12), target(rep, kind="email", per_week=30)]
    assert quotas.save_activity_targets(rows, user=admin_user, source="import") == SaveResult(3, 0, 0, 0)
    assert quotas.save_activity_targets(rows, user=admin_user, source="import") == SaveResult(0, 0, 0, 3)
    assert ActivityTarget.objects.get(start_date=d("2026-01-05"), kind="call").end_date == d("2026-04-05")


def test_other_target_overlaps_are_errors(admin_user, rep):
    quotas.save_activity_targets([target(rep, end="2026-03-31")], user=admin_user, source="grid")
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_activity_targets([target(rep, start="2026-03-02", end="2026-06-30")], user=admin_user, source="grid")
    assert "Overlaps the weekly Call target" in caught.value.errors[0].message


def test_bad_target_rows_are_all_listed(admin_user, rep, team):
    rows = [
        target(rep),
        target(rep, team=team, start="2026-02-02"),
        target(rep, kind="fax", start="2026-03-02"),
        target(rep, start="2026-04-06", end="2026-04-01"),
        target(rep, start="2026-05-04", per_week=0),
        target(rep, start="3001-01-01"),
    ]
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_activity_targets(rows, user=admin_user, source="grid")
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (1, None),
        (2, "kind"),
        (3, "end_date"),
        (4, "per_week"),
        (5, "start_date"),
    ]
    assert not ActivityTarget.objects.exists()


def test_removing_a_target_and_its_history(admin_user, rep):
    quotas.save_activity_targets([target(rep)], user=admin_user, source="grid")
    assert quotas.save_activity_targets([target(rep, per_week=None)], user=admin_user, source="api") == SaveResult(0, 0, 1, 0)
    pk = ActivityTarget.history.first().id
    deleted, created = quotas.activity_target_history([pk])[pk]
    assert (created.new_target, deleted.old_target, deleted.source) == (10, 10, "api")


# --- the database itself -----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_postgresql_refuses_overlapping_quotas_itself(rep, team):
    Quota.objects.create(rep=rep, start_date=JAN[0], end_date=JAN[1], target=1)
    Quota.objects.create(team=team, start_date=JAN[0], end_date=JAN[1], target=1)  # other owner: fine
    Quota.objects.create(rep=rep, metric="deals_won", start_date=JAN[0], end_date=JAN[1], target=1)  # other metric
    Quota.objects.create(rep=rep, start_date=FEB[0], end_date=FEB[1], target=1)  # touching, not overlapping
    with pytest.raises(IntegrityError, match="quota_no_overlap_per_rep"), transaction.atomic():
        Quota.objects.create(rep=rep, start_date=d("2026-01-31"), end_date=d("2026-02-01"), target=1)
    with pytest.raises(IntegrityError, match="quota_no_overlap_per_team"), transaction.atomic():
        Quota.objects.create(team=team, start_date=Q1[0], end_date=Q1[1], target=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_postgresql_refuses_overlapping_activity_targets_itself(rep):
    ActivityTarget.objects.create(rep=rep, kind="call", per_week=1, start_date=JAN[0])  # open-ended
    with pytest.raises(IntegrityError, match="activity_target_no_overlap_per_rep"), transaction.atomic():
        ActivityTarget.objects.create(rep=rep, kind="call", per_week=1, start_date=d("2027-01-01"), end_date=d("2027-01-31"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_a_quota_saved_meanwhile_is_reported_in_words_not_as_a_database_error(admin_user, rep, monkeypatch):
    """Another save slips in between the check and the write: the database refuses the overlap,
    and the user reads which row overlaps what, nothing saved."""
    checks = []
    plan = quota_saves._plan_quotas

    def plan_then_race(rows, user, exclude_ids=()):
        result = plan(rows, user, exclude_ids)
        checks.append(result)
        if len(checks) == 1:  # the other save, committed just after our check
            Quota.objects.create(rep=rep, start_date=d("2026-01-10"), end_date=d("2026-02-10"), target=1)
        return result

    monkeypatch.setattr(quota_saves, "_plan_quotas", plan_then_race)
    with pytest.raises(QuotaInputError) as caught:
        quotas.save_quotas([quota(rep)], user=admin_user, source="grid")
    assert len(checks) == 2  # checked again after the database refused
    assert "quota_no_overlap" not in str(caught.value.errors)
    assert "at the same time" in caught.value.errors[0].message
    assert not Quota.objects.filter(start_date=JAN[0]).exists()
