"""team_overview (the dashboard's one read) gives what the separate KPI reads give."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis import selectors
from kpis.models import Quota
from kpis.services import kpi_recompute
from reps import services
from tests.factories import AdminFactory, TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import make_rep, march_team
from tests.kpis.kpi_helpers import d, done, move, opp

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    """A region of two teams; a rep who leaves for a team outside it in mid-March; a team
    quota on one team; won deals before March (the weekly series) and open deals in March."""
    boss = UserFactory(username="regional")
    region = TeamFactory(name="Region", manager=boss)
    alpha = march_team("Alpha", parent=region)
    beta = march_team("Beta", parent=region)
    outside = TeamFactory(name="Outside")
    Quota.objects.create(team=beta.team, start_date=d("2025-03-01"), end_date=d("2025-03-31"), target=Decimal("5000.00"))
    early = opp(alpha.bob, "2025-01-20", stage_name="Proposal", amount="700.00")
    move(early, "Won", "2025-02-18")
    opp(alpha.cem, "2025-03-03", stage_name="Negotiation", amount="900.00", expected_close_date=d("2025-03-28"))
    opp(beta.bob, "2025-03-04", stage_name="Proposal", amount="400.00", expected_close_date=d("2025-03-25"))
    services.rep_move_team(rep=alpha.ann, team=outside, on_date=d("2025-03-16"))
    # Dan was in Alpha only before March: his February deal is in the series, not in the period.
    dan = make_rep(alpha.team, "Dan", "Dale")
    february = opp(dan, "2025-01-27", stage_name="Proposal", amount="300.00")
    move(february, "Won", "2025-02-11")
    services.rep_move_team(rep=dan, team=outside, on_date=d("2025-02-20"))
    done(alpha.ann, "discovery_meeting", "2025-03-20")  # in the outside team by then: not the region's
    late = opp(alpha.ann, "2025-03-21", stage_name="Proposal", amount="250.00")
    move(late, "Won", "2025-03-24")
    kpi_recompute()
    return {"boss": boss, "region": region, "alpha": alpha.team, "beta": beta.team}


@pytest.mark.parametrize("team_key", ["region", "alpha", "beta"])
@pytest.mark.parametrize("today", ["2025-03-15", "2025-04-10"])
@pytest.mark.parametrize("who", ["boss", "admin"])
def test_team_overview_equals_the_separate_reads(region, team_key, today, who):
    user = region["boss"] if who == "boss" else AdminFactory()
    team = region[team_key]
    start, end, day = d("2025-03-01"), d("2025-03-31"), d(today)

    overview = selectors.team_overview(user=user, team_id=team.pk, start=start, end=end, today=day)

    rows = selectors.kpi_table(user=user, start=start, end=end, group_by="rep", team_id=team.pk, today=day)
    team_rows = selectors.kpi_table(user=user, start=start, end=end, group_by="team", team_id=team.pk, today=day)
    assert overview.rows == rows
    assert overview.total == next(row for row in team_rows if row["team"]["id"] == team.pk)
    # a region's sub-teams, each as the team table gives it (none for a team without sub-teams)
    sub_teams = {t.pk for t in team.children.all()}
    assert overview.team_rows == [row for row in team_rows if row["team"]["id"] in sub_teams]
    assert len(overview.team_rows) == (2 if team_key == "region" else 0)
    assert overview.series == selectors.weekly_series(user=user, team_id=team.pk, weeks=12, until=min(end, day))
    assert overview.computed_at == selectors.last_computed_at(rep_ids=[row["rep"]["id"] for row in rows])


def test_the_fixture_exercises_what_it_should(region):
    """The comparison above means something: quotas, pipeline, cycles and movers are there."""
    boss, start, end = region["boss"], d("2025-03-01"), d("2025-03-31")
    overview = selectors.team_overview(user=boss, team_id=region["region"].pk, start=start, end=end, today=d("2025-03-15"))
    # Ann left for a team outside the region: her manager no longer sees her row, an admin
    # does, and the region's total keeps what she did while she was in it.
    assert "Ann Able" not in {row["rep"]["name"] for row in overview.rows}
    as_admin = selectors.team_overview(
        user=AdminFactory(), team_id=region["region"].pk, start=start, end=end, today=d("2025-03-15")
    )
    assert "Ann Able" in {row["rep"]["name"] for row in as_admin.rows}
    assert overview.total["won_revenue"] == sum(row["won_revenue"] for row in as_admin.rows)
    # No quota of its own: its sub-teams'. Alpha has none either: Bob's 1,000 and Ann's share
    # for her days in it (3–7 and 10–14 March: 10 of 21 working days, 1,000 × 10 / 21 =
    # 476.19); Beta its own 5,000. 1,000 + 476.19 + 5,000.
    assert overview.total["target"] == Decimal("6476.19")
    beta = selectors.team_overview(user=boss, team_id=region["beta"].pk, start=start, end=end, today=d("2025-03-15"))
    assert beta.total["target"] == Decimal("5000.00")  # its own quota wins over its members'
    assert overview.total["open_pipeline"] > 0
    assert overview.total["sales_cycle_days"] is not None
    assert sum(week["deals_won"] for week in overview.series) >= 5  # February's two deals are in the series
    assert "Dan Dale" not in {row["rep"]["name"] for row in as_admin.rows}  # not a member in March


def test_a_manager_cannot_read_another_team(region):
    other = TeamFactory(name="Elsewhere", manager=UserFactory(username="elsewhere"))
    with pytest.raises(selectors.PermissionDenied):
        selectors.team_overview(user=other.manager, team_id=region["alpha"].pk, start=d("2025-03-01"), end=d("2025-03-31"))


def test_kpi_table_for_some_reps_gives_their_rows_of_the_whole_table(region):
    boss, start, end = region["boss"], d("2025-03-01"), d("2025-03-31")
    whole = selectors.kpi_table(user=boss, start=start, end=end, group_by="rep", team_id=region["alpha"].pk)
    wanted = whole[1]["rep"]["id"]
    some = selectors.kpi_table(user=boss, start=start, end=end, group_by="rep", team_id=region["alpha"].pk, rep_ids=[wanted])
    assert some == [whole[1]]
    with pytest.raises(ValueError):
        selectors.kpi_table(user=boss, start=start, end=end, group_by="team", rep_ids=[wanted])


@pytest.mark.parametrize("metric", [{}, {"metric": "deals_won"}, {"metric": "activities", "activity_kind": "discovery_meeting"}])
def test_a_region_reads_the_weekly_trend_of_some_reps_as_the_overview_gives_it(region, metric):
    """The region's page reads the trends of the reps it shows apart: the same figures."""
    boss, team = region["boss"], region["region"]
    start, end, day = d("2025-03-01"), d("2025-03-31"), d("2025-04-10")
    full = selectors.team_overview(user=boss, team_id=team.pk, start=start, end=end, today=day, **metric)
    light = selectors.team_overview(user=boss, team_id=team.pk, start=start, end=end, today=day, with_rep_series=False, **metric)
    assert light.rep_series == {} and light.rows == full.rows and light.series == full.series
    if not metric:  # the comparison means something: won revenue in the 12 weeks
        assert any(any(weeks) for weeks in full.rep_series.values())
    some = [row["rep"]["id"] for row in full.rows][:3]
    subtree = [team.pk, region["alpha"].pk, region["beta"].pk]
    mondays = [week["week"] for week in full.series]
    read = selectors.rep_weekly_actuals(rep_ids=some, team_ids=subtree, mondays=mondays, **metric)
    assert read == {rep: full.rep_series[rep] for rep in some if rep in full.rep_series}


@pytest.mark.parametrize("metric", [{}, {"metric": "deals_won"}, {"metric": "activities", "activity_kind": "discovery_meeting"}])
@pytest.mark.parametrize("today", ["2025-03-15", "2025-04-10"])  # open pipeline read, or the period over
def test_a_regions_deferred_rep_rows_are_completed_to_the_same_figures(region, metric, today):
    """A region's page works out the figures of the reps it shows only: the same rows, totals
    and flags once completed, a page at a time or all at once."""
    boss, team = region["boss"], region["region"]
    start, end, day = d("2025-03-01"), d("2025-03-31"), d(today)
    for user in (boss, AdminFactory()):
        full = selectors.team_overview(user=user, team_id=team.pk, start=start, end=end, today=day, **metric)
        deferred = selectors.team_overview(
            user=user, team_id=team.pk, start=start, end=end, today=day, defer_rep_rows=True, **metric
        )
        assert deferred.total == full.total and deferred.team_rows == full.team_rows and deferred.series == full.series
        assert deferred.has_rep_quota == any(row.get("target") is not None for row in full.rows)
        assert [row["rep"] for row in deferred.rows] == [row["rep"] for row in full.rows]
        assert all("target" not in row and "actual" not in row for row in deferred.rows)  # nothing worked out yet
        deferred.complete_rows(deferred.rows[1:2])  # one "page", then the rest (the page's rows left as they are)
        assert deferred.rows[1] == full.rows[1] and "actual" not in deferred.rows[0]
        deferred.complete_rows(deferred.rows)
        assert deferred.rows == full.rows
        full.complete_rows(full.rows)  # a no-op on complete rows
    if not metric:  # the comparison means something
        assert any(row.get("target") is not None for row in full.rows)


@pytest.mark.parametrize("metric", [{}, {"metric": "activities", "activity_kind": "discovery_meeting"}])
def test_a_regions_series_and_previous_period_read_per_day_equal_the_per_rep_read(region, metric):
    """A region's page reads its weekly series and the previous period's sums per day (no rep
    series): the same series and previous total as the per-rep, per-week read, and the previous
    total as the team table gives it (its sums and quota figures)."""
    boss, team = region["boss"], region["region"]
    start, end, day = d("2025-03-01"), d("2025-03-31"), d("2025-04-10")
    previous = (d("2025-02-01"), d("2025-02-28"))
    per_rep = selectors.team_overview(user=boss, team_id=team.pk, start=start, end=end, today=day, previous=previous, **metric)
    per_day = selectors.team_overview(
        user=boss, team_id=team.pk, start=start, end=end, today=day, previous=previous, with_rep_series=False, **metric
    )
    assert per_day.series == per_rep.series and per_day.previous_total == per_rep.previous_total
    before = next(
        row
        for row in selectors.kpi_table(user=boss, start=previous[0], end=previous[1], group_by="team", team_id=team.pk, **metric)
        if row["team"]["id"] == team.pk
    )
    assert per_day.previous_total == {**before, "sales_cycle_days": None}  # no won-cycle median for the previous period
    assert per_day.previous_total["deals_won"] >= 2  # February's two deals: the comparison means something


@pytest.mark.parametrize(("first", "last"), [("Ann", "Able"), ("", "Only"), ("Only", ""), ("", "")])
def test_a_region_names_its_reps_as_rep_name_does(region, first, last):
    """team_overview reads the reps' names as values: the same names as Rep.name (the full name,
    else the username)."""
    rep = make_rep(region["alpha"], "Eve", "Ever")
    rep.user.first_name, rep.user.last_name = first, last
    rep.user.save()
    services.rep_move_team(rep=rep, team=region["beta"], on_date=d("2025-03-10"))
    overview = selectors.team_overview(
        user=region["boss"], team_id=region["region"].pk, start=d("2025-03-01"), end=d("2025-03-31"), today=d("2025-04-10")
    )
    assert {row["rep"]["id"]: row["rep"]["name"] for row in overview.rows}[rep.pk] == rep.name
