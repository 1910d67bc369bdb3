"""Forecast categories, calls, the team roll-up and accuracy, with hand-worked figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forecasts import selectors, services
from kpis.periods import Period, PeriodKind
from kpis.services import kpi_recompute
from reps import services as rep_services
from reps.models import ForecastCategory, Stage
from tests.factories import AdminFactory, RepFactory, TeamFactory, make_pipeline

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
DECEMBER = Period.containing(PeriodKind.MONTH, TODAY)
NOVEMBER = DECEMBER.previous()


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@pytest.fixture
def org():
    pipeline = make_pipeline()
    Stage.objects.filter(pipeline=pipeline, name="Proposal").update(forecast_category=ForecastCategory.BEST_CASE)
    Stage.objects.filter(pipeline=pipeline, name="Negotiation").update(forecast_category=ForecastCategory.COMMIT)
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    region = TeamFactory(name="Region")
    team = TeamFactory(name="Team A", parent=region)
    other_team = TeamFactory(name="Team B", parent=region)
    rep = RepFactory(team=team, user__username="rita")
    mate = RepFactory(team=team, user__username="tom")
    other = RepFactory(team=other_team, user__username="olga")
    return {"stages": stages, "region": region, "team": team, "other_team": other_team, "rep": rep, "mate": mate, "other": other}


def deal(owner, stage, amount, close, **fields):
    return rep_services.opportunity_create(
        owner=owner, name=f"{stage.name} {amount}", stage=stage, amount=Decimal(amount), expected_close_date=close, **fields
    )


@pytest.fixture
def rita_deals(org):
    """Rita's December: 1000.00 won on 1 Dec; open: 2000 commit (stage), 500 best case (stage),
    300 pipeline, 100 in Discovery set to commit by her, 700 omitted by her, 900 in January."""
    s, rep = org["stages"], org["rep"]
    deal(rep, s["Won"], "1000.00", None, created_date=TODAY, close_date=TODAY)
    deal(rep, s["Negotiation"], "2000.00", dt.date(2026, 12, 20))
    deal(rep, s["Proposal"], "500.00", dt.date(2026, 12, 10))
    deal(rep, s["Prospecting"], "300.00", dt.date(2026, 12, 31))
    deal(rep, s["Discovery"], "100.00", dt.date(2026, 12, 5), forecast_category=ForecastCategory.COMMIT)
    deal(rep, s["Negotiation"], "700.00", dt.date(2026, 12, 15), forecast_category=ForecastCategory.OMITTED)
    deal(rep, s["Negotiation"], "900.00", dt.date(2027, 1, 5))
    kpi_recompute()
    return rep


def test_prefill_adds_won_and_open_deals_by_category(org, rita_deals):
    admin = AdminFactory()
    figures = selectors.deal_figures(user=admin, rep_ids=[rita_deals.pk], period=DECEMBER, today=TODAY)[rita_deals.pk]
    assert figures.won == Decimal("1000.00")
    assert figures.open_by_category == {
        "pipeline": Decimal("300.00"),
        "best_case": Decimal("500.00"),
        "commit": Decimal("2100.00"),
        "omitted": Decimal("700.00"),
    }
    assert figures.commit == Decimal("3100.00")  # 1000 won + 2000 + 100 in commit
    assert figures.best_case == Decimal("3600.00")  # + 500 in best case


def test_rep_submits_and_the_manager_rolls_up_and_adjusts(org, rita_deals):
    rep, mate, team = rita_deals, org["mate"], org["team"]
    services.forecast_submit(
        by_user=rep.user,
        rep=rep,
        period_kind="month",
        period_start=DECEMBER.start,
        commit=Decimal("3000"),
        best_case=Decimal("3600"),
        at=at("2026-12-01 09:00"),
    )
    services.forecast_submit(
        by_user=rep.user,
        rep=rep,
        period_kind="month",
        period_start=DECEMBER.start,
        commit=Decimal("3400"),
        best_case=Decimal("3600"),
        note="Acme signs early",
        at=at("2026-12-08 09:00"),
    )
    services.forecast_submit(
        by_user=mate.user,
        rep=mate,
        period_kind="month",
        period_start=DECEMBER.start,
        commit=Decimal("500"),
        best_case=Decimal("800"),
        at=at("2026-12-08 10:00"),
    )
    forecast = selectors.team_forecast(user=team.manager, team=team, period=DECEMBER, today=TODAY)
    assert forecast.roll_up_commit == Decimal("3900.00")  # Rita's last call 3400 + Tom's 500
    assert forecast.roll_up_best_case == Decimal("4400.00")
    services.forecast_submit(
        by_user=team.manager,
        team=team,
        period_kind="month",
        period_start=DECEMBER.start,
        commit=Decimal("3500"),
        best_case=Decimal("4400"),
        note="Tom's renewal slips",
        at=at("2026-12-08 12:00"),
    )
    # The region adds up its teams' last calls (Team B has none yet).
    region = selectors.team_forecast(user=org["region"].manager, team=org["region"], period=DECEMBER, today=TODAY)
    assert region.roll_up_commit == Decimal("3500.00")
    moves = selectors.history(selectors.submissions(period=DECEMBER, rep_ids=[rep.pk]))
    assert [(m.week, m.submission.commit, m.commit_change) for m in moves] == [
        (dt.date(2026, 11, 30), Decimal("3000.00"), None),
        (dt.date(2026, 12, 7), Decimal("3400.00"), Decimal("400.00")),
    ]


def test_who_may_submit(org):
    rep, mate, team = org["rep"], org["mate"], org["team"]
    common = {"period_kind": "month", "period_start": DECEMBER.start, "commit": Decimal("1"), "best_case": Decimal("1")}
    with pytest.raises(PermissionDenied):
        services.forecast_submit(by_user=rep.user, rep=mate, **common)
    with pytest.raises(PermissionDenied):
        services.forecast_submit(by_user=team.manager, rep=rep, **common)  # the rep calls their own number
    with pytest.raises(PermissionDenied):
        services.forecast_submit(by_user=rep.user, team=team, **common)
    with pytest.raises(PermissionDenied):
        services.forecast_submit(by_user=team.manager, team=org["other_team"], **common)
    services.forecast_submit(by_user=org["region"].manager, team=team, **common)  # a region's manager may


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period_start": dt.date(2026, 12, 2)}, "period_start"),
        ({"period_kind": "week"}, "period_kind"),
        ({"best_case": Decimal("0.50")}, "best_case"),
        ({"period_start": dt.date(3000, 1, 1)}, "period_start"),
    ],
)
def test_bad_calls_are_refused_with_a_reason(org, changes, field):
    values = {
        "period_kind": "month",
        "period_start": DECEMBER.start,
        "commit": Decimal("1"),
        "best_case": Decimal("1"),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.forecast_submit(by_user=org["rep"].user, rep=org["rep"], **values)
    assert field in error.value.message_dict


def test_accuracy_counts_the_last_call_before_the_midpoint_and_before_the_end(org):
    """November 2026 (30 days): midpoint 16 Nov 00:00, end 1 Dec 00:00. Won 1000.00 on 20 Nov.
    Calls: 800 on 3 Nov, 900 on 15 Nov 23:59 (last before the midpoint), 1200 on 30 Nov
    (last before the end), 1500 on 1 Dec (too late). Midpoint: error 900 − 1000 = −100,
    |−100| / 1000 = 0.1, bias −0.1; end: error +200, 0.2, bias +0.2."""
    rep = org["rep"]
    deal(rep, org["stages"]["Won"], "1000.00", None, created_date=dt.date(2026, 11, 2), close_date=dt.date(2026, 11, 20))
    kpi_recompute()
    for when, commit in [
        ("2026-11-03 10:00", "800"),
        ("2026-11-15 23:59", "900"),
        ("2026-11-30 18:00", "1200"),
        ("2026-12-01 08:00", "1500"),
    ]:
        services.forecast_submit(
            by_user=rep.user,
            rep=rep,
            period_kind="month",
            period_start=NOVEMBER.start,
            commit=Decimal(commit),
            best_case=Decimal(commit),
            at=at(when),
        )
    scores = selectors.accuracy(user=AdminFactory(), kind="month", today=TODAY, rep_ids=[rep.pk], periods=2)[("rep", rep.pk)]
    october, november = scores["periods"]
    assert october["call_mid"] is None and october["won"] == Decimal("0")
    assert november["won"] == Decimal("1000.00")
    assert (november["call_mid"], november["error_mid"], november["pct_error_mid"], november["bias_mid"]) == (
        Decimal("900.00"),
        Decimal("-100.00"),
        Decimal("0.1000"),
        Decimal("-0.1000"),
    )
    assert (november["call_end"], november["error_end"], november["pct_error_end"], november["bias_end"]) == (
        Decimal("1200.00"),
        Decimal("200.00"),
        Decimal("0.2000"),
        Decimal("0.2000"),
    )
    assert scores["mape_end"] == Decimal("0.2000") and scores["bias_mid"] == Decimal("-0.1000")


def test_editing_amount_and_close_date_is_logged(org):
    opportunity = deal(org["rep"], org["stages"]["Proposal"], "500.00", dt.date(2026, 12, 10))
    rep_services.opportunity_update(opportunity=opportunity, amount=Decimal("650.00"), expected_close_date=dt.date(2027, 1, 10))
    rep_services.opportunity_update(opportunity=opportunity, next_step="Call back")
    changes = list(opportunity.field_changes.values_list("field", "old_value", "new_value"))
    assert sorted(changes) == [("amount", "500.00", "650.00"), ("expected_close_date", "2026-12-10", "2027-01-10")]


def test_a_teams_accuracy_compares_its_calls_with_its_reps_won_revenue_over_the_periods(org):
    """Team A: October won 1000 (Rita) + 500 (Tom) = 1500, called 1800 at both points: error
    +300, bias +0.2. November won 2000 (Rita), called 1500 before the midpoint and 2500 at the
    end: −500 and −0.25, then +500 and +0.25. Means over the two months: at the midpoint
    |error| (0.2 + 0.25) / 2 = 0.225, bias (0.2 − 0.25) / 2 = −0.025; at the end both 0.225."""
    rep, mate, team, s = org["rep"], org["mate"], org["team"], org["stages"]
    october = NOVEMBER.previous()
    for owner, amount, day in ((rep, "1000.00", "2026-10-10"), (mate, "500.00", "2026-10-20"), (rep, "2000.00", "2026-11-05")):
        close = dt.date.fromisoformat(day)
        deal(owner, s["Won"], amount, None, created_date=close, close_date=close)
    kpi_recompute()
    for period, commit, when in (
        (october, "1800", "2026-10-02 09:00"),
        (NOVEMBER, "1500", "2026-11-02 09:00"),
        (NOVEMBER, "2500", "2026-11-20 09:00"),
    ):
        services.forecast_submit(
            by_user=team.manager,
            team=team,
            period_kind="month",
            period_start=period.start,
            commit=Decimal(commit),
            best_case=Decimal(commit),
            at=at(when),
        )
    scores = selectors.accuracy(user=AdminFactory(), kind="month", today=TODAY, team_ids=[team.pk], periods=2)[("team", team.pk)]
    oct_row, nov_row = scores["periods"]
    assert (oct_row["won"], oct_row["error_mid"], oct_row["bias_end"]) == (
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("0.2000"),
    )
    assert (nov_row["won"], nov_row["error_mid"], nov_row["bias_mid"], nov_row["error_end"], nov_row["bias_end"]) == (
        Decimal("2000.00"),
        Decimal("-500.00"),
        Decimal("-0.2500"),
        Decimal("500.00"),
        Decimal("0.2500"),
    )
    assert (scores["mape_mid"], scores["bias_mid"], scores["mape_end"], scores["bias_end"]) == (
        Decimal("0.2250"),
        Decimal("-0.0250"),
        Decimal("0.2250"),
        Decimal("0.2250"),
    )
