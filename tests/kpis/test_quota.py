"""Quota figures of docs/kpis.md ("Quota"), worked out by hand.

March 2025 starts on a Saturday; its working days are 3–7, 10–14, 17–21, 24–28 and 31: 21.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis import selectors
from kpis.models import Quota
from reps import services
from tests.factories import RepFactory, make_pipeline
from tests.kpis.kpi_helpers import d, opp

pytestmark = pytest.mark.django_db

MARCH = {"start": d("2025-03-01"), "end": d("2025-03-31")}


def rep_row(user, rep, today, **period):
    rows = selectors.kpi_table(user=user, group_by="rep", today=d(today), **(period or MARCH))
    return next(row for row in rows if row["rep"]["id"] == rep.pk)


def team_row(user, team, today):
    rows = selectors.kpi_table(user=user, group_by="team", today=d(today), **MARCH)
    return next(row for row in rows if row["team"]["id"] == team.pk)


@pytest.fixture
def march(rep, django_capture_on_commit_callbacks):
    """Target 2100.00; 150.00 won on 3 March; open deals expected to close on 20 and 31 March
    (Negotiation 75 %, Proposal 50 %) and one on 5 April."""
    make_pipeline()
    Quota.objects.create(rep=rep, start_date=MARCH["start"], end_date=MARCH["end"], target=Decimal("2100.00"))
    with django_capture_on_commit_callbacks(execute=True):
        opp(rep, "2025-03-03", stage_name="Won", amount="150.00")
        opp(rep, "2025-03-03", stage_name="Negotiation", amount="1000.00", expected_close_date=d("2025-03-20"))
        opp(rep, "2025-03-03", stage_name="Proposal", amount="400.00", expected_close_date=d("2025-03-31"))
        opp(rep, "2025-03-03", stage_name="Proposal", amount="999.00", expected_close_date=d("2025-04-05"))
    return rep


def test_pace_on_the_first_working_day(march, admin_user):
    row = rep_row(admin_user, march, "2025-03-03")
    assert row["target"] == Decimal("2100.00")
    assert row["attainment"] == Decimal("0.0714")  # 150 / 2100
    assert row["expected_to_date"] == Decimal("100.00")  # 2100 × 1 / 21
    assert row["pace"] == Decimal("1.5000")  # 150 / 100
    assert row["band"] == "on_target"
    assert row["open_pipeline"] == Decimal("1400.00")  # 1000 + 400
    assert row["weighted_pipeline"] == Decimal("950.00")  # 750 + 200
    assert row["coverage"] == Decimal("0.7179")  # 1400 / (2100 − 150)
    assert row["forecast"] == Decimal("1100.00")  # 150 + 950


def test_pace_on_the_last_working_day(march, admin_user):
    row = rep_row(admin_user, march, "2025-03-31")
    assert row["expected_to_date"] == Decimal("2100.00")  # 21 of 21 working days
    assert row["pace"] == Decimal("0.0714")
    assert row["band"] == "at_risk"
    assert row["open_pipeline"] == Decimal("400.00")  # only the deal expected today is left
    assert row["weighted_pipeline"] == Decimal("200.00")
    assert row["coverage"] == Decimal("0.2051")  # 400 / 1950
    assert row["forecast"] == Decimal("350.00")


def test_before_the_first_working_day_pace_is_undefined(march, admin_user):
    row = rep_row(admin_user, march, "2025-03-01")  # Saturday: no working day elapsed
    assert row["expected_to_date"] == Decimal("0.00")
    assert row["pace"] is None
    assert row["band"] is None


def test_once_the_period_ended_the_band_follows_attainment(march, admin_user):
    row = rep_row(admin_user, march, "2025-04-02")
    assert row["band"] == "at_risk"  # attainment 0.0714
    assert row["open_pipeline"] == Decimal("0.00")
    assert row["forecast"] == Decimal("150.00")


def test_band_close_between_80_and_100_percent(march, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opp(march, "2025-03-17", stage_name="Won", amount="1650.00")
    # Monday 17 March: working days 3–7, 10–14, 17 = 11; expected 2100 × 11 / 21 = 1100.00.
    row = rep_row(admin_user, march, "2025-03-17")
    assert row["expected_to_date"] == Decimal("1100.00")
    assert row["pace"] == Decimal("1.6364")  # 1800 / 1100
    row = rep_row(admin_user, march, "2025-03-31")
    assert row["pace"] == Decimal("0.8571")  # 1800 / 2100
    assert row["band"] == "close"


def test_coverage_is_undefined_once_the_target_is_met(march, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opp(march, "2025-03-04", stage_name="Won", amount="1950.00")
    row = rep_row(admin_user, march, "2025-03-04")
    assert row["attainment"] == Decimal("1.0000")
    assert row["coverage"] is None


def test_no_quota_fields_for_a_period_no_quota_overlaps(march, admin_user):
    row = rep_row(admin_user, march, "2025-03-03", start=d("2025-04-01"), end=d("2025-04-30"))
    assert "target" not in row


def test_a_period_inside_the_quota_gets_its_share(march, admin_user):
    # 1–30 March holds 20 of the quota's 21 working days (all but Monday 31): 2100 × 20 / 21.
    row = rep_row(admin_user, march, "2025-03-03", start=d("2025-03-01"), end=d("2025-03-30"))
    assert row["target"] == Decimal("2000.00")


def test_a_team_without_a_quota_has_the_sum_of_its_members_quotas(march, team, admin_user):
    other = RepFactory(team=team)
    Quota.objects.create(rep=other, start_date=MARCH["start"], end_date=MARCH["end"], target=Decimal("900.00"))
    row = team_row(admin_user, team, "2025-03-03")
    assert row["target"] == Decimal("3000.00")  # 2100 + 900
    assert row["attainment"] == Decimal("0.0500")  # 150 / 3000
    assert row["expected_to_date"] == Decimal("142.86")  # 3000 × 1 / 21 = 142.857…


def test_a_team_quota_wins_over_the_sum_of_its_members_quotas(march, team, admin_user):
    Quota.objects.create(team=team, start_date=MARCH["start"], end_date=MARCH["end"], target=Decimal("5000.00"))
    row = team_row(admin_user, team, "2025-03-03")
    assert row["target"] == Decimal("5000.00")
    assert row["attainment"] == Decimal("0.0300")  # 150 / 5000
    assert row["open_pipeline"] == Decimal("1400.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.7999"), "at_risk"),
        (Decimal("0.8000"), "close"),
        (Decimal("0.9999"), "close"),
        (Decimal("1.0000"), "on_target"),
        (Decimal("1.5000"), "on_target"),
        (None, None),
    ],
)
def test_band_edges(value, expected):
    assert selectors.band(value) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-03-01", "2025-03-31", 21),  # see the module docstring
        ("2025-03-03", "2025-03-09", 5),  # Monday..Sunday
        ("2025-03-08", "2025-03-09", 0),  # a weekend
        ("2025-01-01", "2025-03-31", 64),  # Q1 2025: January 23, February 20, March 21
        ("2025-03-10", "2025-03-09", 0),  # empty
    ],
)
def test_working_days(start, end, expected):
    assert selectors.working_days(d(start), d(end)) == expected


def test_a_rep_who_joined_the_team_mid_period_adds_the_share_of_their_member_days(march, team, admin_user):
    newcomer = RepFactory(team=None, start_date=d("2024-01-01"))
    services.rep_move_team(rep=newcomer, team=team, on_date=d("2025-03-17"))
    Quota.objects.create(rep=newcomer, start_date=MARCH["start"], end_date=MARCH["end"], target=Decimal("400.00"))
    row = team_row(admin_user, team, "2025-03-03")
    # Member from Monday 17 March: 17–21, 24–28 and 31 = 11 of 21 working days.
    # 2100 + 400 × 11 / 21 = 2100 + 209.5238… = 2309.52.
    assert row["target"] == Decimal("2309.52")
