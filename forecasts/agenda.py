"""The forecast part of the one-to-one agenda (part 4, the order book): what changed in the rep's
order book since the last one-to-one, and how accurate their calls were.

Kept apart from coaching so that the agenda gains one key, ``order_book_review``, and keeps
every other key as it was: agendas frozen before this key existed still read the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from forecasts import selectors
from forecasts.deviations import order_book_deviations
from forecasts.models import ForecastPeriodKind
from reps.models import MONEY, Rep

AGENDA_PERIODS = 6  # ended months whose accuracy the agenda shows
MONEY_FIELD = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"]}


class AccuracySpanSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class AccuracyPeriodSerializer(serializers.Serializer):
    period = AccuracySpanSerializer()
    won = serializers.DecimalField(**MONEY_FIELD)
    call_mid = serializers.DecimalField(**MONEY_FIELD, allow_null=True)
    call_end = serializers.DecimalField(**MONEY_FIELD, allow_null=True)
    error_mid = serializers.DecimalField(**MONEY_FIELD, allow_null=True)
    error_end = serializers.DecimalField(**MONEY_FIELD, allow_null=True)
    pct_error_mid = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    pct_error_end = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    bias_mid = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    bias_end = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class AccuracySerializer(serializers.Serializer):
    kind = serializers.CharField()
    periods = AccuracyPeriodSerializer(many=True)
    mape_mid = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    mape_end = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    bias_mid = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    bias_end = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class PushedDealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY_FIELD)
    times = serializers.IntegerField(help_text=_("Times its expected close moved later since the last one-to-one."))
    times_ever = serializers.IntegerField(help_text=_("Times its expected close moved later since it was created."))


class DeviationsSerializer(serializers.Serializer):
    pushed_count = serializers.IntegerField()
    pushes = serializers.IntegerField()
    pushed_amount = serializers.DecimalField(**MONEY_FIELD)
    pushed_deals = PushedDealSerializer(many=True)
    amount_changed_count = serializers.IntegerField()
    amount_changed_amount = serializers.DecimalField(**MONEY_FIELD)
    added_count = serializers.IntegerField()
    added_amount = serializers.DecimalField(**MONEY_FIELD)
    won_count = serializers.IntegerField()
    won_amount = serializers.DecimalField(**MONEY_FIELD)
    lost_count = serializers.IntegerField()
    lost_amount = serializers.DecimalField(**MONEY_FIELD)


class OrderBookReviewSerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        help_text=_("Start of the deviations: the last held one-to-one's start, else the start of last week.")
    )
    until = serializers.DateTimeField(help_text=_("End of the deviations: the moment the agenda describes."))
    previous_session = serializers.IntegerField(allow_null=True, help_text=_("The last held one-to-one; null without one."))
    deviations = DeviationsSerializer()
    accuracy = AccuracySerializer()


def order_book_review(
    *, user: Any, rep: Rep, since: dt.datetime, until: dt.datetime, previous_session: int | None = None
) -> dict[str, Any]:
    """The deviations of the rep's order book from ``since`` to ``until`` and the accuracy of their
    monthly calls over the last ended months as of ``until`` (docs/kpis.md, "Forecasts")."""
    kind = ForecastPeriodKind.MONTH.value
    scores = selectors.accuracy(user=user, kind=kind, today=timezone.localdate(until), rep_ids=[rep.pk], periods=AGENDA_PERIODS)[
        ("rep", rep.pk)
    ]
    return {
        "since": since,
        "until": until,
        "previous_session": previous_session,
        "deviations": order_book_deviations(rep_ids=[rep.pk], since=since, until=until)[rep.pk],
        "accuracy": {"kind": kind, **scores},
    }
