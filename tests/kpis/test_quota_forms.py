"""Reading typed targets and ramp shares, and the ramp arithmetic of copy forward (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kpis.quota_copy import column_ramp_share, is_in_ramp, ramp_share
from kpis.quota_forms import CellError, parse_per_week, parse_ramp, parse_target
from kpis.quota_grids import GridPeriod, quarter_column, quota_share

RAMP = [Decimal(25), Decimal(50), Decimal(75)]


@pytest.mark.parametrize(
    ("typed", "value"),
    [("", None), ("  ", None), ("1000", Decimal("1000")), ("1,000.50", Decimal("1000.50")), ("12 500", Decimal("12500"))],
)
def test_targets_are_read_with_the_english_separators(typed, value):
    with translation.override("en"):
        assert parse_target(typed) == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1234,5", Decimal("1234.5")),
        ("1.234,50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("7.5", Decimal("7.5")),
    ],
)
def test_targets_accept_a_decimal_comma_where_the_language_uses_one(typed, value):
    with translation.override("de"):
        assert parse_target(typed) == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("۱۲۳۴۵٫۵", Decimal("12345.5")),  # Persian digits and decimal separator, as a Persian keyboard types them
        ("۱۲٬۳۴۵", Decimal("12345")),  # with the Persian thousands separator
        ("12345٫50", Decimal("12345.50")),
        ("١٢٣٫٥", Decimal("123.5")),  # Arabic-Indic digits
        ("12345.50", Decimal("12345.50")),  # what the grid shows in a cell
    ],
)
def test_targets_accept_persian_digits_and_separators(typed, value):
    with translation.override("fa"):
        assert parse_target(typed) == value


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "not a number"),
        ("-5", "more than 0"),
        ("0", "more than 0"),
        ("0.00", "more than 0"),
        ("1.234", "two decimals"),
        ("1e5", "not a number"),
        ("NaN", "not a number"),
        ("9999999999999", "too large"),
    ],
)
def test_bad_targets_say_why(typed, reason):
    with translation.override("en"), pytest.raises(CellError, match=reason):
        parse_target(typed)


def test_activities_per_week_are_whole_numbers():
    assert parse_per_week("") is None
    assert parse_per_week(" 12 ") == 12
    assert parse_per_week("0") == 0
    for bad in ("1.5", "-1", "many", "100000"):
        with pytest.raises(CellError):
            parse_per_week(bad)


def test_ramp_shares():
    assert parse_ramp("25, 50, 75") == RAMP
    assert parse_ramp("25% 50% 75%") == RAMP
    assert parse_ramp("") == []
    for bad in ("25, lots", "150", "-5"):
        with pytest.raises((ValueError, ArithmeticError)):
            parse_ramp(bad)


def test_a_new_rep_ramps_month_by_month_from_their_start_date():
    start = dt.date(2027, 4, 10)
    months = [dt.date(2027, m, 1) for m in (3, 4, 5, 6, 7)]
    assert [ramp_share(start, m, RAMP) for m in months] == [0, 25, 50, 75, 100]
    # a quarter column takes the average of its months' shares: (25 + 50 + 75) / 3
    assert column_ramp_share(start, quarter_column(dt.date(2027, 4, 1)), RAMP) == Decimal(50)
    assert is_in_ramp(dt.date(2027, 2, 1), dt.date(2027, 4, 1), RAMP)  # Feb, Mar, Apr ramping
    assert not is_in_ramp(dt.date(2027, 1, 31), dt.date(2027, 4, 1), RAMP)  # Jan, Feb, Mar: done by April


def test_a_quotas_share_of_a_month_goes_by_working_days():
    # Q2 2027 has 65 working days: April 22, May 21, June 22
    within = (dt.date(2027, 5, 1), dt.date(2027, 5, 31))
    assert quota_share(Decimal(6500), dt.date(2027, 4, 1), dt.date(2027, 6, 30), within=within) == Decimal(2100)


def test_periods_step_by_quarter_and_year():
    q1 = GridPeriod.containing(dt.date(2027, 2, 14))
    assert (q1.start, q1.end, q1.label) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31), "Q1 2027")
    assert q1.shifted(-1).label == "Q4 2026"
    assert q1.last_year().label == "Q1 2026"
