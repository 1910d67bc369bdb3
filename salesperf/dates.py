"""The one rule for every date and time the product accepts: years 1900 to 2999.

Far enough for any sales history or plan, and far from the calendar's ends: periods, weeks
and 12-week series are computed around a date, and a time zone shifts a moment by hours, so
a date near year 1 or 9999 would overflow (a failed recompute, a page that cannot render).
Models, forms, serializers and importers all use this module; it needs no models.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)

OUT_OF_RANGE = _("Pick a date between the years 1900 and 2999.")
DONE_IN_THE_FUTURE = _("A done activity cannot be in the future; plan it instead.")


def in_range(value: dt.date | dt.datetime | None) -> bool:
    """Whether ``value`` (a date, or a datetime by its own calendar day) lies in 1900–2999."""
    if value is None:
        return True
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DAY <= day <= LATEST_DAY


def validate_in_range(value: dt.date | dt.datetime | None) -> None:
    """Validator for model, form and serializer fields."""
    if not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


def is_future_moment(moment: dt.datetime) -> bool:
    """Whether ``moment`` falls on a later local day than today (a done event cannot)."""
    return timezone.localdate(moment) > timezone.localdate()
