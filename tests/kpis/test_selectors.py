"""kpis.selectors: every figure checked against numbers worked out by hand (docs/kpis.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis import selectors
from kpis.services import kpi_recompute
from reps.models import ActivityKind, ActivityStatus
from tests.factories import AdminFactory, RepFactory, make_pipeline
from tests.kpis.kpi_helpers import d, done, feedback, move, opp, planned

pytestmark = pytest.mark.django_db

WEEK = {"start": d("2025-03-03"), "end": d("2025-03-09")}  # Monday..Sunday


def rep_row(user, rep, **period):
    rows = selectors.kpi_table(user=user, group_by="rep", **(period or WEEK))
    return next(row for row in rows if row["rep"]["id"] == rep.pk)


@pytest.fixture
def busy_week(rep, django_capture_on_commit_callbacks):
    """One week of a rep's work; the expected figures are in test_a_busy_week_adds_up."""
    make_pipeline()
    with django_capture_on_commit_callbacks(execute=True):
        done(rep, ActivityKind.CALL, "2025-03-03", planned="2025-03-03")
        done(rep, ActivityKind.EMAIL, "2025-03-04")
        done(rep, ActivityKind.DISCOVERY_MEETING, "2025-03-05")
        done(rep, ActivityKind.PROPOSAL_MEETING, "2025-03-06")
        done(rep, ActivityKind.TASK, "2025-03-06")  # not a contact
        done(rep, ActivityKind.OTHER_MEETING, "2025-03-10")  # next week
        planned(rep, ActivityKind.TASK, "2025-03-07")
        planned(rep, ActivityKind.CALL, "2025-03-07", status=ActivityStatus.CANCELLED)
        o1 = opp(rep, "2025-03-03", amount="1000.00")
        move(o1, "Proposal", "2025-03-04")
        move(o1, "Won", "2025-03-05")
        o2 = opp(rep, "2025-03-03", stage_name="Proposal", amount="300.00")
        move(o2, "Lost", "2025-03-06")
        o3 = opp(rep, "2025-03-04", amount="200.00")
        move(o3, "Lost", "2025-03-07")
        opp(rep, "2025-03-05", stage_name="Won", amount="500.00")
        feedback(rep, "2025-03-04", score=4)
        feedback(rep, "2025-03-05", score=5)
        feedback(rep, "2025-03-06", complaint=True)
        feedback(rep, "2025-03-06", score=2, complaint=True)
    return rep


def test_a_busy_week_adds_up(busy_week, admin_user):
    row = rep_row(admin_user, busy_week)
    assert row["rep"] == {"id": busy_week.pk, "name": busy_week.name}
    assert row["contacts"] == 4
    assert row["discovery_meetings"] == 1
    assert row["proposal_meetings"] == 1
    assert row["activities_planned"] == 3
    assert row["activities_done_as_planned"] == 1
    assert row["opportunities_created"] == 4
    assert row["offers_submitted"] == 3
    assert row["deals_won"] == 2
    assert row["won_revenue"] == Decimal("1500.00")
    assert row["deals_lost"] == 2
    assert row["lost_after_offer"] == 1
    assert row["csat"] == Decimal("3.67")
    assert row["complaints"] == 2
    assert row["win_rate"] == Decimal("0.5000")
    assert row["offer_to_close"] == Decimal("0.6667")
    assert row["contact_to_offer"] == Decimal("0.7500")
    assert row["plan_completion"] == Decimal("0.3333")
    assert row["avg_deal_size"] == Decimal("750.00")
    assert row["sales_cycle_days"] == Decimal("1.0")
    assert "target" not in row


def test_a_period_counts_by_date_not_by_whole_weeks(busy_week, admin_user):
    # Tuesday..Wednesday only: email (Tue), discovery (Wed); o3 created Tue, o4 created Wed.
    row = rep_row(admin_user, busy_week, start=d("2025-03-04"), end=d("2025-03-05"))
    assert row["contacts"] == 2
    assert row["opportunities_created"] == 2
    assert row["offers_submitted"] == 2  # o1 on Tuesday, o4 on Wednesday
    assert row["deals_won"] == 2
    assert row["deals_lost"] == 0
    assert row["win_rate"] == Decimal("1.0000")


def test_ratios_with_zero_denominators_are_undefined(rep, admin_user):
    row = rep_row(admin_user, rep)
    ratios = ("win_rate", "offer_to_close", "contact_to_offer", "plan_completion", "avg_deal_size", "sales_cycle_days", "csat")
    for name in ratios:
        assert row[name] is None, name
    assert row["contacts"] == 0
    assert row["won_revenue"] == Decimal("0.00")


def test_a_rep_sees_only_their_own_row(busy_week, other_rep):
    rows = selectors.kpi_table(user=busy_week.user, group_by="rep", **WEEK)
    assert [row["rep"]["id"] for row in rows] == [busy_week.pk]


def test_a_manager_sees_their_team(busy_week, manager, other_rep):
    rows = selectors.kpi_table(user=manager, group_by="team", **WEEK)
    assert [row["team"]["id"] for row in rows] == [busy_week.team_id]
    assert rows[0]["contacts"] == 4
    assert rows[0]["won_revenue"] == Decimal("1500.00")


def test_a_rep_sees_no_team_rows(busy_week):
    assert selectors.kpi_table(user=busy_week.user, group_by="team", **WEEK) == []


def test_weekly_series_is_oldest_first_and_counts_each_week(busy_week, admin_user):
    series = selectors.weekly_series(user=admin_user, rep_id=busy_week.pk, weeks=3, until=d("2025-03-12"))
    assert [w["week"] for w in series] == [d("2025-02-24"), d("2025-03-03"), d("2025-03-10")]
    assert [w["contacts"] for w in series] == [0, 4, 1]
    assert series[1]["deals_won"] == 2


def test_last_computed_at_is_set_by_a_recompute(rep):
    assert selectors.last_computed_at(rep_ids=[rep.pk]) is None
    kpi_recompute()
    assert selectors.last_computed_at(rep_ids=[rep.pk]) is not None


def test_recompute_twice_gives_the_same_rows(busy_week, admin_user):
    before = rep_row(admin_user, busy_week)
    assert kpi_recompute() > 0
    kpi_recompute()
    assert rep_row(admin_user, busy_week) == before


def test_admin_sees_every_rep(busy_week, other_rep):
    rows = selectors.kpi_table(user=AdminFactory(), group_by="rep", **WEEK)
    assert {row["rep"]["id"] for row in rows} >= {busy_week.pk, other_rep.pk}
    assert RepFactory  # factories used by fixtures
