"""The period a dashboard shows: a week, a month, a quarter or a custom range of whole days.

Pure date arithmetic (no database), following the shared KPI definitions, "Time": weeks are
ISO weeks named by their Monday, months and quarters are calendar ones, all in the
organisation's time zone (``timezone.localdate()`` gives "today").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesperf import l10n


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


PERIOD_KIND_LABELS = {
    PeriodKind.WEEK: gettext_lazy("Week"),
    PeriodKind.MONTH: gettext_lazy("Month"),
    PeriodKind.QUARTER: gettext_lazy("Quarter"),
    PeriodKind.CUSTOM: gettext_lazy("Custom range"),
}

# A custom range longer than this is refused: it would be a slow page and no manager's question.
MAX_CUSTOM_DAYS = 3 * 366


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day`` (the organisation's time zone), aware: the
    lower bound of a day's timestamps, so that a timestamp column's index serves the filter."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole days, ``start``..``end``, of one kind."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: dt.date) -> Period:
        """The week, month or quarter that ``day`` falls in."""
        kind = PeriodKind(kind)
        if kind == PeriodKind.WEEK:
            start = week_start(day)
            return cls(kind, start, start + dt.timedelta(days=6))
        if kind == PeriodKind.MONTH:
            start = month_start(day)
            return cls(kind, start, add_months(start, 1) - dt.timedelta(days=1))
        if kind == PeriodKind.QUARTER:
            start = quarter_start(day)
            return cls(kind, start, add_months(start, 3) - dt.timedelta(days=1))
        return cls(kind, day, day)

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise ValueError("end before start")
        return cls(PeriodKind.CUSTOM, start, end)

    @classmethod
    def of_range(cls, start: dt.date, end: dt.date) -> Period:
        """The range as a week, month or quarter when it is exactly one, else a custom range."""
        for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
            candidate = cls.containing(kind, start)
            if candidate.start == start and candidate.end == end:
                return candidate
        return cls.custom(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative), of the same kind and length."""
        if self.kind == PeriodKind.WEEK:
            return Period.containing(self.kind, self.start + dt.timedelta(weeks=steps))
        if self.kind == PeriodKind.MONTH:
            return Period.containing(self.kind, add_months(self.start, steps))
        if self.kind == PeriodKind.QUARTER:
            return Period.containing(self.kind, add_months(self.start, 3 * steps))
        offset = dt.timedelta(days=self.days * steps)
        return Period.custom(self.start + offset, self.end + offset)

    def previous(self) -> Period:
        return self.shifted(-1)

    def next(self) -> Period:
        return self.shifted(1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def is_running(self, today: dt.date) -> bool:
        return self.contains(today)

    def has_ended(self, today: dt.date) -> bool:
        return self.end < today

    def query(self) -> dict[str, str]:
        """The URL parameters that select this period (see :func:`period_from_params`)."""
        params = {"period": self.kind.value, "start": self.start.isoformat()}
        if self.kind == PeriodKind.CUSTOM:
            params["end"] = self.end.isoformat()
        return params

    @property
    def label(self) -> str:
        """The period in words, with the language's digits ("March 2025", "مارس ۲۰۲۵")."""
        return l10n.digits(self._label())

    def _label(self) -> str:
        if self.kind == PeriodKind.WEEK:
            iso = self.start.isocalendar()
            return _("Week %(week)d, %(year)d (from %(monday)s)") % {
                "week": iso.week,
                "year": iso.year,
                "monday": self.start.isoformat(),
            }
        if self.kind == PeriodKind.MONTH:
            return date_format(self.start, "YEAR_MONTH_FORMAT")  # "March 2025", in the user's language
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return _("%(start)s to %(end)s") % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def __str__(self) -> str:
        return self.label


# The days a page may be asked about: far enough for any sales history or plan, and far from
# the calendar's ends (a period's neighbours and a 12-week series are computed around them).
# (One rule for the whole product: salesperf/dates.py.)
from salesperf.dates import EARLIEST_DAY, LATEST_DAY  # noqa: E402


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def period_from_params(params: dict[str, str] | object, *, today: dt.date, default: Period | None = None) -> tuple[Period, str]:
    """The period chosen by URL parameters ``period``, ``start`` and ``end``, and an error message.

    ``period`` is a kind; ``start`` any day inside a week, month or quarter (today when
    missing); a custom range needs ``start`` and ``end``. Bad input never fails: it falls
    back to ``default`` (the current month when none) and says what was wrong.
    """
    get = params.get  # type: ignore[attr-defined]
    fallback = default or Period.containing(PeriodKind.MONTH, today)
    raw_kind = get("period") or ""
    if not raw_kind and not get("start"):
        return fallback, ""
    try:
        kind = PeriodKind(raw_kind or (PeriodKind.CUSTOM if get("end") else PeriodKind.MONTH))
    except ValueError:
        return fallback, _("Unknown period “%(kind)s”: choose week, month, quarter or custom range.") % {"kind": raw_kind}
    start = _parse_date(get("start"))
    if get("start") and start is None:
        return fallback, _("The start date must be a date like 2026-11-02, between the years 1900 and 2999.")
    if kind != PeriodKind.CUSTOM:
        return Period.containing(kind, start or today), ""
    end = _parse_date(get("end"))
    if start is None or end is None:
        return fallback, _("A custom range needs a start and an end date, like 2026-11-02, between the years 1900 and 2999.")
    if end < start:
        return fallback, _("The end date must not be before the start date.")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        return fallback, _("A custom range can span at most %(days)d days.") % {"days": MAX_CUSTOM_DAYS}
    return Period.of_range(start, end), ""
