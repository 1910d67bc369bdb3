"""The period picker's date arithmetic (kpis/periods.py): no database."""

import datetime as dt

import pytest

from kpis.periods import Period, PeriodKind, period_from_params

D = dt.date
TODAY = D(2026, 11, 25)  # a Wednesday


def test_week_runs_monday_to_sunday_and_is_named_by_its_iso_week():
    week = Period.containing("week", TODAY)
    assert (week.start, week.end) == (D(2026, 11, 23), D(2026, 11, 29))
    assert "Week 48, 2026" in week.label


def test_week_across_new_year_belongs_to_its_iso_year():
    week = Period.containing(PeriodKind.WEEK, D(2027, 1, 1))  # a Friday
    assert (week.start, week.end) == (D(2026, 12, 28), D(2027, 1, 3))
    assert "Week 53, 2026" in week.label


def test_month_and_quarter_are_calendar_ones():
    assert Period.containing("month", D(2028, 2, 10)) == Period(PeriodKind.MONTH, D(2028, 2, 1), D(2028, 2, 29))
    quarter = Period.containing("quarter", TODAY)
    assert (quarter.start, quarter.end) == (D(2026, 10, 1), D(2026, 12, 31))
    assert quarter.label == "Q4 2026"


@pytest.mark.parametrize(
    ("period", "previous", "following"),
    [
        (Period.containing("week", D(2026, 1, 1)), (D(2025, 12, 22), D(2025, 12, 28)), (D(2026, 1, 5), D(2026, 1, 11))),
        (Period.containing("month", D(2026, 1, 31)), (D(2025, 12, 1), D(2025, 12, 31)), (D(2026, 2, 1), D(2026, 2, 28))),
        (Period.containing("quarter", D(2026, 1, 5)), (D(2025, 10, 1), D(2025, 12, 31)), (D(2026, 4, 1), D(2026, 6, 30))),
        (Period.custom(D(2026, 3, 1), D(2026, 3, 10)), (D(2026, 2, 19), D(2026, 2, 28)), (D(2026, 3, 11), D(2026, 3, 20))),
    ],
)
def test_previous_and_next_step_by_one_period_of_the_same_length(period, previous, following):
    assert (period.previous().start, period.previous().end) == previous
    assert (period.next().start, period.next().end) == following
    assert period.previous().kind == period.kind


def test_no_parameters_give_the_default_or_the_current_month():
    assert period_from_params({}, today=TODAY) == (Period(PeriodKind.MONTH, D(2026, 11, 1), D(2026, 11, 30)), "")
    quarter = Period.containing("quarter", TODAY)
    assert period_from_params({}, today=TODAY, default=quarter) == (quarter, "")


def test_a_kind_and_any_day_inside_it_select_that_period():
    period, error = period_from_params({"period": "week", "start": "2026-11-05"}, today=TODAY)
    assert error == ""
    assert (period.kind, period.start, period.end) == (PeriodKind.WEEK, D(2026, 11, 2), D(2026, 11, 8))
    period, _ = period_from_params({"period": "quarter"}, today=TODAY)
    assert period.start == D(2026, 10, 1)


def test_custom_range_round_trips_through_its_query():
    chosen = Period.custom(D(2026, 11, 3), D(2026, 11, 17))
    assert period_from_params(chosen.query(), today=TODAY) == (chosen, "")


def test_custom_range_that_is_exactly_a_month_becomes_that_month():
    period, _ = period_from_params({"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}, today=TODAY)
    assert period.kind == PeriodKind.MONTH


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "decade"}, "Unknown period"),
        ({"period": "month", "start": "yesterday"}, "must be a date"),
        ({"period": "custom", "start": "2026-11-10"}, "needs a start and an end"),
        ({"period": "custom", "start": "2026-11-10", "end": "2026-11-01"}, "must not be before"),
        ({"period": "custom", "start": "2000-01-01", "end": "2026-11-01"}, "at most"),
    ],
)
def test_bad_input_falls_back_to_the_default_and_says_why(params, message):
    period, error = period_from_params(params, today=TODAY)
    assert period == Period.containing("month", TODAY)
    assert message in error
