"""One test (at least) per rule of docs/kpis.md, with the expected numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from kpis import selectors
from kpis.models import KpiDay
from kpis.services import kpi_recompute
from reps import services
from reps.models import ActivityKind, OpportunityOwnerChange
from tests.factories import RepFactory, TeamFactory, make_pipeline
from tests.kpis.kpi_helpers import at, d, done, feedback, move, opp

pytestmark = pytest.mark.django_db


def row_of(rows, key, obj):
    return next(row for row in rows if row[key]["id"] == obj.pk)


def rep_figures(user, rep, start, end, **kwargs):
    return row_of(selectors.kpi_table(user=user, group_by="rep", start=d(start), end=d(end), **kwargs), "rep", rep)


def team_figures(user, team, start, end, **kwargs):
    return row_of(selectors.kpi_table(user=user, group_by="team", start=d(start), end=d(end), **kwargs), "team", team)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the KPI recompute the services enqueue, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    make_pipeline()
    return run


# --- Time -------------------------------------------------------------------------------------


@override_settings(TIME_ZONE="Europe/Budapest")
@pytest.mark.parametrize(
    ("sunday", "monday"),
    [
        ("2025-03-30", "2025-03-31"),  # clocks go forward at 02:00 that Sunday (CET → CEST)
        ("2025-10-26", "2025-10-27"),  # clocks go back at 03:00 that Sunday (CEST → CET)
    ],
)
def test_events_belong_to_their_local_day_and_week_across_a_dst_change(rep, admin_user, on_commit, sunday, monday):
    with on_commit():
        late = done(rep, ActivityKind.CALL, sunday, hour=23, minute=30)
        early = done(rep, ActivityKind.EMAIL, monday, hour=0, minute=30)
    # Both moments fall on the Sunday in UTC: only the local day puts the second in the next week.
    assert late.done_at.astimezone(dt.UTC).date() == d(sunday)
    assert early.done_at.astimezone(dt.UTC).date() == d(sunday)
    series = selectors.weekly_series(user=admin_user, rep_id=rep.pk, weeks=2, until=d(monday))
    assert [(w["week"], w["contacts"]) for w in series] == [
        (d(monday) - dt.timedelta(days=7), 1),
        (d(monday), 1),
    ]
    assert rep_figures(admin_user, rep, monday, monday)["contacts"] == 1
    assert rep_figures(admin_user, rep, sunday, sunday)["contacts"] == 1


def test_a_period_is_counted_by_date_not_by_weeks(rep, admin_user, on_commit):
    # Wednesday 2025-04-30 is in the week of 04-28, which straddles April and May.
    with on_commit():
        done(rep, ActivityKind.CALL, "2025-04-28")
        done(rep, ActivityKind.CALL, "2025-04-30")
        done(rep, ActivityKind.CALL, "2025-05-01")
        done(rep, ActivityKind.CALL, "2025-05-02")
    assert rep_figures(admin_user, rep, "2025-04-01", "2025-04-30")["contacts"] == 2
    assert rep_figures(admin_user, rep, "2025-05-01", "2025-05-31")["contacts"] == 2


# --- Who gets the credit ----------------------------------------------------------------------


def test_an_owner_change_mid_quarter_splits_the_credit(team, admin_user, on_commit):
    alice, bob = RepFactory(team=team), RepFactory(team=team)
    with on_commit():
        deal = opp(alice, "2025-01-15", amount="900.00")
        move(deal, "Proposal", "2025-02-03")
        services.opportunity_reassign(opportunity=deal, owner=bob, at=at("2025-02-10"))
        move(deal, "Won", "2025-03-05")
    a = rep_figures(admin_user, alice, "2025-01-01", "2025-03-31")
    b = rep_figures(admin_user, bob, "2025-01-01", "2025-03-31")
    assert (a["opportunities_created"], a["offers_submitted"], a["deals_won"], a["won_revenue"]) == (1, 1, 0, Decimal("0.00"))
    assert (b["opportunities_created"], b["offers_submitted"], b["deals_won"], b["won_revenue"]) == (0, 0, 1, Decimal("900.00"))
    assert a["contact_to_offer"] == Decimal("1.0000")
    assert b["contact_to_offer"] is None
    assert b["sales_cycle_days"] == Decimal("49.0")  # 15 Jan → 5 Mar: 16 + 28 + 5
    # The team has both reps: the deal counts once.
    t = team_figures(admin_user, team, "2025-01-01", "2025-03-31")
    assert (t["opportunities_created"], t["deals_won"], t["won_revenue"]) == (1, 1, Decimal("900.00"))


def test_without_owner_history_the_current_owner_gets_the_credit(rep, admin_user, on_commit):
    with on_commit():
        deal = opp(rep, "2025-03-03", stage_name="Won", amount="10.00")
    OpportunityOwnerChange.objects.filter(opportunity=deal).delete()
    kpi_recompute()
    assert rep_figures(admin_user, rep, "2025-03-03", "2025-03-03")["deals_won"] == 1


def test_a_rep_who_moves_team_counts_for_each_team_while_a_member(admin_user, on_commit):
    region = TeamFactory(name="North")
    first, second = TeamFactory(name="Alpha", parent=region), TeamFactory(name="Beta", parent=region)
    rep = RepFactory(team=first, start_date=d("2024-01-01"))
    with on_commit():
        done(rep, ActivityKind.CALL, "2025-03-04")  # Tuesday, in Alpha
        services.rep_move_team(rep=rep, team=second, on_date=d("2025-03-06"))
        done(rep, ActivityKind.CALL, "2025-03-07")  # Friday, in Beta
        done(rep, ActivityKind.EMAIL, "2025-03-07")
    week = ("2025-03-03", "2025-03-09")
    assert team_figures(admin_user, first, *week)["contacts"] == 1
    assert team_figures(admin_user, second, *week)["contacts"] == 2
    assert team_figures(admin_user, region, *week)["contacts"] == 3  # a region adds its teams
    # group_by=rep within a team: the rep's figures while in that team.
    assert rep_figures(admin_user, rep, *week, team_id=first.pk)["contacts"] == 1
    assert rep_figures(admin_user, rep, *week)["contacts"] == 3


def test_a_manager_sees_a_region_with_its_sub_teams(admin_user, on_commit):
    region = TeamFactory(name="South")
    sub = TeamFactory(name="Gamma", parent=region, manager=None)
    rep = RepFactory(team=sub)
    with on_commit():
        done(rep, ActivityKind.CALL, "2025-03-04")
    rows = selectors.kpi_table(user=region.manager, group_by="team", start=d("2025-03-03"), end=d("2025-03-09"))
    assert [(r["team"]["name"], r["contacts"]) for r in rows] == [("Gamma", 1), ("South", 1)]


def test_changing_an_activitys_owner_moves_its_count(team, admin_user, on_commit):
    alice, bob = RepFactory(team=team), RepFactory(team=team)
    with on_commit():
        call = done(alice, ActivityKind.CALL, "2025-03-04")
    with on_commit():
        services.activity_update(activity=call, owner=bob)
    assert rep_figures(admin_user, alice, "2025-03-04", "2025-03-04")["contacts"] == 0
    assert rep_figures(admin_user, bob, "2025-03-04", "2025-03-04")["contacts"] == 1
    assert not KpiDay.objects.filter(rep=alice).exists()  # the emptied row is removed


# --- Stages and the offer ---------------------------------------------------------------------


def test_an_opportunity_created_in_the_offer_stage_reaches_the_offer_on_creation(rep, admin_user, on_commit):
    with on_commit():
        opp(rep, "2025-03-04", stage_name="Proposal")
    f = rep_figures(admin_user, rep, "2025-03-04", "2025-03-04")
    assert (f["opportunities_created"], f["offers_submitted"], f["contact_to_offer"]) == (1, 1, Decimal("1.0000"))


def test_an_opportunity_created_in_a_later_open_stage_reaches_the_offer(rep, admin_user, on_commit):
    with on_commit():
        opp(rep, "2025-03-04", stage_name="Negotiation")
    assert rep_figures(admin_user, rep, "2025-03-04", "2025-03-04")["offers_submitted"] == 1


def test_a_deal_won_without_passing_the_offer_stage_reaches_the_offer_when_won(rep, admin_user, on_commit):
    with on_commit():
        deal = opp(rep, "2025-03-03", amount="400.00")
        move(deal, "Won", "2025-03-05")
    monday = rep_figures(admin_user, rep, "2025-03-03", "2025-03-03")
    wednesday = rep_figures(admin_user, rep, "2025-03-05", "2025-03-05")
    assert (monday["opportunities_created"], monday["offers_submitted"]) == (1, 0)
    assert (wednesday["offers_submitted"], wednesday["deals_won"]) == (1, 1)
    assert wednesday["offer_to_close"] == Decimal("1.0000")
    assert wednesday["sales_cycle_days"] == Decimal("2.0")


def test_a_deal_lost_before_the_offer_is_not_lost_after_offer(rep, admin_user, on_commit):
    with on_commit():
        early = opp(rep, "2025-03-03")
        move(early, "Lost", "2025-03-04")
        late = opp(rep, "2025-03-03")
        move(late, "Proposal", "2025-03-04")
        move(late, "Lost", "2025-03-05")
        won = opp(rep, "2025-03-03", amount="100.00")
        move(won, "Won", "2025-03-06")
    f = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert (f["deals_lost"], f["lost_after_offer"], f["deals_won"]) == (2, 1, 1)
    assert f["win_rate"] == Decimal("0.3333")  # 1 / (1 + 2)
    assert f["offer_to_close"] == Decimal("0.5000")  # 1 / (1 + 1)


def test_a_deal_reopened_after_it_was_won_no_longer_counts_until_won_again(rep, admin_user, on_commit):
    with on_commit():
        deal = opp(rep, "2025-03-03", amount="250.00")
        move(deal, "Won", "2025-03-04")
        move(deal, "Negotiation", "2025-03-06")
    week1 = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert (week1["deals_won"], week1["won_revenue"], week1["win_rate"]) == (0, Decimal("0.00"), None)
    assert week1["offers_submitted"] == 1  # the offer was reached when first won, and stays
    with on_commit():
        move(deal, "Won", "2025-03-12")
    week1 = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    week2 = rep_figures(admin_user, rep, "2025-03-10", "2025-03-16")
    assert week1["deals_won"] == 0
    assert (week2["deals_won"], week2["won_revenue"], week2["sales_cycle_days"]) == (1, Decimal("250.00"), Decimal("9.0"))


def test_contact_to_offer_is_a_cohort_that_rises_after_the_period(rep, admin_user, on_commit):
    with on_commit():
        first = opp(rep, "2025-03-03")
        opp(rep, "2025-03-04")
    assert rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")["contact_to_offer"] == Decimal("0.0000")
    with on_commit():
        move(first, "Proposal", "2025-03-12")  # the next week
    week = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert (week["offers_submitted"], week["contact_to_offer"]) == (0, Decimal("0.5000"))


def test_editing_the_close_date_moves_the_win(rep, admin_user, on_commit):
    with on_commit():
        deal = opp(rep, "2025-03-03", amount="70.00")
        move(deal, "Won", "2025-03-05")
    with on_commit():
        services.opportunity_update(opportunity=deal, close_date=d("2025-03-11"))
    assert rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")["deals_won"] == 0
    assert rep_figures(admin_user, rep, "2025-03-10", "2025-03-16")["deals_won"] == 1


# --- Counts -----------------------------------------------------------------------------------


def test_median_sales_cycle_of_an_odd_and_an_even_number_of_deals(rep, admin_user, on_commit):
    with on_commit():
        for created, cycle in (("2025-02-24", 10), ("2025-03-01", 5), ("2025-03-06", 1)):
            deal = opp(rep, created, amount="1.00")
            move(deal, "Won", str(d(created) + dt.timedelta(days=cycle)))
    # Won on 03-06, 03-06, 03-07 with cycles 10, 5, 1: median 5.
    assert rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")["sales_cycle_days"] == Decimal("5.0")
    # Only the first two (won 03-06): (5 + 10) / 2.
    assert rep_figures(admin_user, rep, "2025-03-06", "2025-03-06")["sales_cycle_days"] == Decimal("7.5")


def test_planned_activities_count_by_planned_date_whatever_their_status(rep, admin_user, on_commit):
    with on_commit():
        done(rep, ActivityKind.CALL, "2025-03-10", planned="2025-03-04")  # done late: still "as planned"
        services.activity_create(owner=rep, kind=ActivityKind.TASK, planned_date=d("2025-03-04"))
    f = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert (f["activities_planned"], f["activities_done_as_planned"], f["contacts"]) == (2, 1, 0)
    assert f["plan_completion"] == Decimal("0.5000")


def test_every_row_of_a_recompute_is_the_same_as_the_incremental_ones(rep, admin_user, on_commit):
    with on_commit():
        done(rep, ActivityKind.CALL, "2025-03-04")
        deal = opp(rep, "2025-03-03", amount="5.00")
        move(deal, "Won", "2025-03-05")
    incremental = list(KpiDay.objects.order_by("rep", "day").values(*selectors.sql.COUNT_COLUMNS, "day"))
    kpi_recompute()
    full = list(KpiDay.objects.order_by("rep", "day").values(*selectors.sql.COUNT_COLUMNS, "day"))
    assert incremental == full
    assert len(full) == 3  # Monday, Tuesday, Wednesday


# --- Ratios -----------------------------------------------------------------------------------


def test_a_zero_numerator_is_zero_but_a_zero_denominator_is_undefined(rep, admin_user, on_commit):
    with on_commit():
        deal = opp(rep, "2025-03-03")
        move(deal, "Lost", "2025-03-04")  # lost before any offer
    f = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert f["win_rate"] == Decimal("0.0000")  # 0 / (0 + 1)
    assert f["offer_to_close"] is None  # 0 / (0 + 0): no offer was presented
    assert f["contact_to_offer"] == Decimal("0.0000")  # 0 of 1 created
    assert f["avg_deal_size"] is None
    assert f["sales_cycle_days"] is None


def test_a_team_and_a_week_without_events_have_undefined_ratios(team, rep, admin_user):
    t = team_figures(admin_user, team, "2025-03-03", "2025-03-09")
    week = selectors.weekly_series(user=admin_user, team_id=team.pk, weeks=1, until=d("2025-03-05"))[0]
    for figures in (t, week):
        for name in ("win_rate", "offer_to_close", "contact_to_offer", "plan_completion", "avg_deal_size", "csat"):
            assert figures[name] is None, name
        assert figures["deals_won"] == 0


def test_money_adds_up_exactly(rep, admin_user, on_commit):
    with on_commit():
        for amount in ("0.10", "0.20", "0.05"):
            opp(rep, "2025-03-04", stage_name="Won", amount=amount)
    f = rep_figures(admin_user, rep, "2025-03-04", "2025-03-04")
    assert f["won_revenue"] == Decimal("0.35")  # with floats 0.1 + 0.2 is 0.30000000000000004
    assert f["avg_deal_size"] == Decimal("0.12")  # 0.35 / 3 = 0.1166…, rounded half up


def test_csat_is_the_mean_of_the_scores_given(rep, admin_user, on_commit):
    with on_commit():
        feedback(rep, "2025-03-04", score=5)
        feedback(rep, "2025-03-05", score=2)
        feedback(rep, "2025-03-05", complaint=True)  # no score: not in the mean
        feedback(rep, "2025-03-10", score=1)  # next week
    f = rep_figures(admin_user, rep, "2025-03-03", "2025-03-09")
    assert (f["csat"], f["complaints"]) == (Decimal("3.50"), 1)


# --- Teams over time --------------------------------------------------------------------------


def test_a_deal_won_after_a_rep_moved_counts_for_the_new_team(admin_user, on_commit):
    first, second = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    rep = RepFactory(team=first, start_date=d("2024-01-01"))
    with on_commit():
        early = opp(rep, "2025-03-03", amount="100.00")
        move(early, "Won", "2025-03-04")  # in Alpha: cycle 1 day
        services.rep_move_team(rep=rep, team=second, on_date=d("2025-03-06"))
        late = opp(rep, "2025-03-03", amount="40.00")
        move(late, "Won", "2025-03-07")  # in Beta: cycle 4 days
    week = ("2025-03-03", "2025-03-09")
    a, b = team_figures(admin_user, first, *week), team_figures(admin_user, second, *week)
    assert (a["deals_won"], a["won_revenue"], a["sales_cycle_days"]) == (1, Decimal("100.00"), Decimal("1.0"))
    assert (b["deals_won"], b["won_revenue"], b["sales_cycle_days"]) == (1, Decimal("40.00"), Decimal("4.0"))
    # Both created on Monday, in Alpha: the creations stay with Alpha.
    assert (a["opportunities_created"], b["opportunities_created"]) == (2, 0)


def test_moving_a_close_date_before_a_reassignment_credits_the_earlier_owner(team, admin_user, on_commit):
    alice, bob = RepFactory(team=team), RepFactory(team=team)
    with on_commit():
        deal = opp(alice, "2025-03-03", amount="80.00")
        services.opportunity_reassign(opportunity=deal, owner=bob, at=at("2025-03-10"))
        move(deal, "Won", "2025-03-12")
    assert rep_figures(admin_user, bob, "2025-03-01", "2025-03-31")["deals_won"] == 1
    with on_commit():  # the service tells the engine about bob only; alice's row must follow
        services.opportunity_update(opportunity=deal, close_date=d("2025-03-05"))
    assert rep_figures(admin_user, alice, "2025-03-01", "2025-03-31")["won_revenue"] == Decimal("80.00")
    assert rep_figures(admin_user, bob, "2025-03-01", "2025-03-31")["deals_won"] == 0
