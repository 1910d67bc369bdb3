"""Targets of any period (docs/kpis.md, "Quota"), worked out by hand.

Q1 2025: 1 January is a Wednesday. Working days: January 23, February 20, March 21 (3–7,
10–14, 17–21, 24–28, 31): 64 in all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from kpis import selectors
from kpis.models import Quota, QuotaMetric
from kpis.targets import QuotaBook, QuotaSpan, quota_share, rep_target, team_target
from reps import services
from reps.models import ActivityKind
from tests.factories import RepFactory, TeamFactory
from tests.kpis.kpi_helpers import d

Q1 = (d("2025-01-01"), d("2025-03-31"))
MARCH = (d("2025-03-01"), d("2025-03-31"))


def span(start: str, end: str, target: str) -> QuotaSpan:
    return QuotaSpan(d(start), d(end), Fraction(Decimal(target)))


def cents(value: Fraction | None) -> Decimal | None:
    return selectors.round_half_up(value, Decimal("0.01"))


# --- the arithmetic, without the database ---------------------------------------------------


QUARTER = span("2025-01-01", "2025-03-31", "1000.00")  # 1000 / 64 a working day


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-03-01", "2025-03-31", "328.13"),  # March: 1000 × 21 / 64 = 328.125
        ("2025-03-03", "2025-03-09", "78.13"),  # a week, Monday to Sunday: 1000 × 5 / 64 = 78.125
        # a custom range: Thursday 27 and Friday 28 February, Monday 3 March = 3 days: 46.875
        ("2025-02-27", "2025-03-03", "46.88"),
        # a range reaching past the quota: Friday 28 and Monday 31 March only = 2 days: 31.25
        ("2025-03-28", "2025-04-04", "31.25"),
        ("2025-03-08", "2025-03-09", "0.00"),  # a weekend: no working day of the quota
        ("2025-01-01", "2025-03-31", "1000.00"),  # the quarter itself
    ],
)
def test_a_quarter_quota_gives_each_period_its_share(start, end, expected):
    assert cents(quota_share(QUARTER, d(start), d(end))) == Decimal(expected)


def test_the_months_of_a_quarter_add_up_to_its_quota_exactly():
    months = [("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28"), ("2025-03-01", "2025-03-31")]
    # 1000 × 23 / 64 + 1000 × 20 / 64 + 1000 × 21 / 64: 359.375 + 312.5 + 328.125
    assert sum(quota_share(QUARTER, d(a), d(b)) for a, b in months) == 1000


def test_monthly_quotas_add_up_to_the_quarter():
    book = QuotaBook(
        rep_quotas={
            1: [
                span("2025-01-01", "2025-01-31", "1000.00"),
                span("2025-02-01", "2025-02-28", "2000.00"),
                span("2025-03-01", "2025-03-31", "3000.00"),
            ]
        }
    )
    assert rep_target(book, 1, *Q1) == 6000
    # Thursday 30 and Friday 31 January (2 of 23), Monday 3 and Tuesday 4 February (2 of 20):
    # 1000 × 2 / 23 + 2000 × 2 / 20 = 86.9565… + 200 = 286.9565…
    assert cents(rep_target(book, 1, d("2025-01-30"), d("2025-02-04"))) == Decimal("286.96")
    assert rep_target(book, 1, d("2025-04-01"), d("2025-04-30")) is None  # no quota overlaps April


def test_a_quota_without_a_working_day_spreads_over_its_calendar_days():
    fair = span("2025-03-08", "2025-03-09", "10")  # a Saturday and a Sunday
    assert quota_share(fair, *MARCH) == 10  # whole inside March
    assert quota_share(fair, d("2025-03-09"), d("2025-03-15")) == 5  # 1 of its 2 days


def test_a_team_uses_its_own_quota_on_its_days_and_its_members_shares_on_the_others():
    # Own quota 1–15 March: 1500 (working days 3–7, 10–14, all inside March).
    # 16–31 March: the member's monthly 2100 (100 a working day) × 11 days (17–21, 24–28, 31).
    book = QuotaBook(
        rep_quotas={1: [span("2025-03-01", "2025-03-31", "2100.00")]},
        team_quotas={10: [span("2025-03-01", "2025-03-15", "1500.00")]},
        members={10: [(1, d("2024-01-01"), None)]},
    )
    assert team_target(book, 10, *MARCH) == 1500 + 1100
    # The week of 10 March lies in the team's own quota: 1500 × 5 / 10.
    assert team_target(book, 10, d("2025-03-10"), d("2025-03-16")) == 750
    # The week of 17 March is the member's: 100 × 5.
    assert team_target(book, 10, d("2025-03-17"), d("2025-03-23")) == 500


def test_a_rep_joining_mid_month_counts_for_the_team_only_on_member_days():
    book = QuotaBook(
        rep_quotas={1: [span("2025-03-01", "2025-03-31", "2100.00")], 2: [span("2025-03-01", "2025-03-31", "420.00")]},
        # Rep 2 joins on Monday 17 March (and had been in another team before).
        members={10: [(1, d("2024-01-01"), None), (2, d("2025-03-17"), None)], 11: [(2, d("2024-01-01"), d("2025-03-16"))]},
    )
    # 2100 + 420 × 11 / 21 (17–21, 24–28, 31) = 2100 + 220
    assert team_target(book, 10, *MARCH) == 2320
    # The other team keeps rep 2's 10 days (3–7, 10–14): 420 × 10 / 21 = 200.
    assert team_target(book, 11, *MARCH) == 200
    # A rep with no quota adds nothing, and a team of such reps has no target.
    assert team_target(QuotaBook(members={12: [(3, d("2024-01-01"), None)]}), 12, *MARCH) is None


def test_a_region_sums_its_sub_teams_each_by_the_same_rule():
    book = QuotaBook(
        rep_quotas={1: [span("2025-03-01", "2025-03-31", "2100.00")], 2: [span("2025-03-01", "2025-03-31", "900.00")]},
        team_quotas={11: [span("2025-03-01", "2025-03-31", "5000.00")]},
        members={11: [(1, d("2024-01-01"), None)], 12: [(2, d("2024-01-01"), None)]},
        children={100: [11, 12]},
    )
    # Team 11: its own 5000 (its member's 2100 do not count); team 12: its member's 900.
    assert team_target(book, 100, *MARCH) == 5900
    # A region quota on the second half wins there: 1–16 March from the sub-teams
    # (10 of 21 working days: 5000 × 10 / 21 + 900 × 10 / 21 = 59000 / 21), 17–31 its own 3000.
    region_book = QuotaBook(
        rep_quotas=book.rep_quotas,
        team_quotas={**book.team_quotas, 100: [span("2025-03-17", "2025-03-31", "3000.00")]},
        members=book.members,
        children=book.children,
    )
    assert team_target(region_book, 100, *MARCH) == Fraction(59000, 21) + 3000
    assert cents(team_target(region_book, 100, *MARCH)) == Decimal("5809.52")


# --- bands compare the exact value ----------------------------------------------------------


def figures_at(target: str, actual: str, today: str, period=MARCH) -> dict:
    return selectors.quota_figures(target=Decimal(target), actual=Decimal(actual), start=period[0], end=period[1], today=d(today))


@pytest.mark.parametrize(
    ("target", "actual", "shown", "band"),
    [
        ("5000.00", "3999.99", "0.8000", "at_risk"),  # 79.9998 %, shown as 80.0 %
        ("5000.00", "4000.00", "0.8000", "close"),  # exactly 80 %
        ("10000.00", "9999.98", "1.0000", "close"),  # 99.9998 %, shown as 100.0 %
        ("5000.00", "5000.00", "1.0000", "on_target"),
        ("5000.00", "4999.99", "1.0000", "close"),
    ],
)
def test_the_band_of_an_ended_period_compares_the_exact_attainment(target, actual, shown, band):
    row = figures_at(target, actual, "2025-04-01")
    assert row["attainment"] == Decimal(shown)
    assert row["band"] == band


@pytest.mark.parametrize(
    ("actual", "shown", "band"),
    [
        ("399.99", "0.8000", "at_risk"),  # 399.99 / 500 = 0.79998
        ("400.00", "0.8000", "close"),
        ("499.99", "1.0000", "close"),  # 0.99998
        ("500.00", "1.0000", "on_target"),
    ],
)
def test_the_band_of_a_running_period_compares_the_exact_pace(actual, shown, band):
    # Friday 7 March: 5 of 21 working days elapsed; expected 2100 × 5 / 21 = 500.00.
    row = figures_at("2100.00", actual, "2025-03-07")
    assert row["expected_to_date"] == Decimal("500.00")
    assert row["pace"] == Decimal(shown)
    assert row["band"] == band


def test_pace_uses_the_exact_expected_to_date():
    # Target 1000 over March, Monday 3 March: expected 1000 / 21 = 47.6190…, shown 47.62.
    # 47.61 is 0.99981 of it (close); 47.62 is 1.00002 (on target).
    assert figures_at("1000.00", "47.61", "2025-03-03")["band"] == "close"
    row = figures_at("1000.00", "47.62", "2025-03-03")
    assert row["expected_to_date"] == Decimal("47.62")
    assert row["pace"] == Decimal("1.0000")
    assert row["band"] == "on_target"


def test_a_prorated_target_is_rounded_only_when_shown():
    # The week of 3 March of a quarter quota of 1000: 78.125 shown 78.13; 78.13 won is on target
    # and 78.12 close, though both show as 100.0 %: the band uses the exact 78.125.
    week = (d("2025-03-03"), d("2025-03-09"))
    share = quota_share(QUARTER, *week)
    row = selectors.quota_figures(target=share, actual=Decimal("78.12"), start=week[0], end=week[1], today=d("2025-03-10"))
    assert (row["target"], row["attainment"], row["band"]) == (Decimal("78.13"), Decimal("0.9999"), "close")
    row = selectors.quota_figures(target=share, actual=Decimal("78.13"), start=week[0], end=week[1], today=d("2025-03-10"))
    assert (row["attainment"], row["band"]) == (Decimal("1.0001"), "on_target")


def test_count_targets_have_no_money_figures():
    row = selectors.quota_figures(target=Fraction(10), actual=8, start=MARCH[0], end=MARCH[1], today=d("2025-04-01"), money=False)
    assert (row["target"], row["attainment"], row["band"]) == (Decimal("10.00"), Decimal("0.8000"), "close")
    assert row["open_pipeline"] is row["weighted_pipeline"] is row["coverage"] is row["forecast"] is None


# --- through the selectors ------------------------------------------------------------------


@pytest.mark.django_db
def test_kpi_table_prorates_a_quarter_quota_for_a_rep_and_a_team(admin_user):
    team = TeamFactory(name="Solo")
    rep = RepFactory(team=team)
    Quota.objects.create(rep=rep, start_date=Q1[0], end_date=Q1[1], target=Decimal("1000.00"))

    def targets(group_by: str, start: str, end: str) -> list:
        rows = selectors.kpi_table(user=admin_user, start=d(start), end=d(end), group_by=group_by, today=d("2025-06-01"))
        return [row.get("target") for row in rows if (row.get("rep") or row.get("team"))["id"] in (rep.pk, team.pk)]

    assert targets("rep", "2025-03-01", "2025-03-31") == [Decimal("328.13")]
    assert targets("rep", "2025-03-03", "2025-03-09") == [Decimal("78.13")]
    assert targets("team", "2025-02-27", "2025-03-03") == [Decimal("46.88")]
    assert targets("team", "2025-04-01", "2025-04-30") == [None]  # no quota overlaps: no quota fields


@pytest.mark.django_db
def test_a_team_own_quota_on_part_of_the_month_and_a_newcomers_share(admin_user):
    team = TeamFactory(name="Half")
    ann = RepFactory(team=team)
    newcomer = RepFactory(team=None, start_date=d("2024-01-01"))
    services.rep_move_team(rep=newcomer, team=team, on_date=d("2025-03-17"))
    Quota.objects.create(team=team, start_date=d("2025-03-01"), end_date=d("2025-03-15"), target=Decimal("1500.00"))
    for who in (ann, newcomer):
        Quota.objects.create(rep=who, start_date=MARCH[0], end_date=MARCH[1], target=Decimal("2100.00"))
    rows = selectors.kpi_table(user=admin_user, start=MARCH[0], end=MARCH[1], group_by="team", today=d("2025-04-01"))
    row = next(r for r in rows if r["team"]["id"] == team.pk)
    # 1–15 March: the team's own 1500. 16–31 (11 working days): Ann's 1100 and the newcomer's
    # 1100 (a member from the 17th: the same 11 days).
    assert row["target"] == Decimal("3700.00")
    # On the team page, each rep's row has their share for the days they were in the team.
    rep_rows = selectors.kpi_table(
        user=admin_user, start=MARCH[0], end=MARCH[1], group_by="rep", team_id=team.pk, today=d("2025-04-01")
    )
    assert {r["rep"]["id"]: r["target"] for r in rep_rows} == {ann.pk: Decimal("2100.00"), newcomer.pk: Decimal("1100.00")}


@pytest.mark.django_db
def test_team_overview_gives_the_same_prorated_targets(admin_user):
    region = TeamFactory(name="Region")
    east, west = TeamFactory(name="East", parent=region), TeamFactory(name="West", parent=region)
    ann, bob = RepFactory(team=east), RepFactory(team=west)
    Quota.objects.create(team=east, start_date=Q1[0], end_date=Q1[1], target=Decimal("6400.00"))  # 100 a working day
    Quota.objects.create(rep=ann, start_date=MARCH[0], end_date=MARCH[1], target=Decimal("9999.00"))  # East's own wins
    Quota.objects.create(rep=bob, start_date=MARCH[0], end_date=MARCH[1], target=Decimal("2100.00"))
    week = (d("2025-03-03"), d("2025-03-09"))
    overview = selectors.team_overview(user=admin_user, team_id=region.pk, start=week[0], end=week[1], today=d("2025-03-05"))
    # East 100 × 5 + West 2100 × 5 / 21 = 500 + 500
    assert overview.total["target"] == Decimal("1000.00")
    table = selectors.kpi_table(
        user=admin_user, start=week[0], end=week[1], group_by="team", team_id=region.pk, today=d("2025-03-05")
    )
    assert next(r for r in table if r["team"]["id"] == region.pk)["target"] == Decimal("1000.00")
    # Wednesday 5 March: 3 of 5 working days: expected 600.00.
    assert overview.total["expected_to_date"] == Decimal("600.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "kind", "target", "actual", "attainment", "band"),
    [
        (QuotaMetric.DEALS_WON, "", "4", 2, "0.5000", "at_risk"),
        (QuotaMetric.OFFERS_SUBMITTED, "", "5", 4, "0.8000", "close"),
        (QuotaMetric.ACTIVITIES, ActivityKind.CALL, "3", 3, "1.0000", "on_target"),
    ],
)
def test_every_metric_has_its_target_and_attainment(counted_march, admin_user, metric, kind, target, actual, attainment, band):
    rep = counted_march
    rows = selectors.kpi_table(
        user=admin_user,
        start=MARCH[0],
        end=MARCH[1],
        group_by="rep",
        today=d("2025-04-01"),
        metric=metric,
        activity_kind=kind,
    )
    row = next(r for r in rows if r["rep"]["id"] == rep.pk)
    assert (row["target"], row["actual"], row["attainment"], row["band"]) == (
        Decimal(target).quantize(Decimal("0.01")),
        actual,
        Decimal(attainment),
        band,
    )
    assert row["forecast"] is None and row["open_pipeline"] is None  # money figures: won revenue only


@pytest.mark.django_db
def test_a_bad_metric_is_refused(admin_user):
    for metric, kind in (("bogus", ""), (QuotaMetric.ACTIVITIES, ""), (QuotaMetric.DEALS_WON, ActivityKind.CALL)):
        with pytest.raises(ValueError):
            selectors.kpi_table(user=admin_user, start=MARCH[0], end=MARCH[1], group_by="rep", metric=metric, activity_kind=kind)


def test_working_days_of_q1():
    assert selectors.working_days(*Q1) == 64
    assert selectors.working_days(d("2025-03-17"), d("2025-03-31")) == 11
    assert selectors.working_days(d("2025-03-01"), d("2025-03-01") - dt.timedelta(days=1)) == 0


def test_a_period_without_a_working_day_paces_by_calendar_days():
    # A weekend fair's quota of 10 over Saturday 8 and Sunday 9 March; on the Saturday, half of
    # it is expected (1 of 2 calendar days): 5, and 4 done is a pace of 0.8 (close).
    fair = span("2025-03-08", "2025-03-09", "10")
    weekend = (d("2025-03-08"), d("2025-03-09"))
    row = selectors.quota_figures(
        target=quota_share(fair, *weekend), actual=4, start=weekend[0], end=weekend[1], today=d("2025-03-08"), money=False
    )
    assert (row["target"], row["expected_to_date"], row["pace"], row["band"]) == (
        Decimal("10.00"),
        Decimal("5.00"),
        Decimal("0.8000"),
        "close",
    )
