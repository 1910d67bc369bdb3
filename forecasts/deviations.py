"""Deviations of the order book between two instants (the last meeting and now), per rep.

For the one-to-one agenda and the team meeting (docs/kpis.md, "Forecasts", "Deviations"):
deals pushed to a later expected close (and how often each was pushed), amounts changed,
deals added, won and lost, in count and money, per current owner. Three grouped queries,
whatever the number of reps, deals or edits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from reps.models import MONEY, Opportunity, OpportunityFieldChange, StageKind

ZERO = Decimal("0.00")
KEYS = ("pushed", "amount_changed", "added", "won", "lost")
MONEY_FIELD = DecimalField(**MONEY)


def _empty() -> dict[str, Any]:
    row: dict[str, Any] = {f"{key}_count": 0 for key in KEYS}
    row.update({f"{key}_amount": ZERO for key in KEYS})
    row["pushes"] = 0
    row["pushed_deals"] = []
    return row


def _between(instant: str, date: str, since: dt.datetime, until: dt.datetime) -> Q:
    """An event after ``since`` and at or before ``until``: at its instant when known, else at the
    end of its local day (docs/kpis.md, "Who gets the credit"), i.e. dated from since's local day
    to the day before until's."""
    known = Q(**{f"{instant}__gt": since, f"{instant}__lte": until})
    dated = Q(
        **{
            f"{instant}__isnull": True,
            f"{date}__gte": timezone.localdate(since),
            f"{date}__lte": timezone.localdate(until) - dt.timedelta(days=1),
        }
    )
    return known | dated


def _pushed() -> Q:
    """An edit of the expected close that moved it later, or cleared it (ISO dates compare as text)."""
    return (
        Q(field=OpportunityFieldChange.Field.EXPECTED_CLOSE_DATE)
        & ~Q(old_value="")
        & (Q(new_value="") | Q(new_value__gt=F("old_value")))
    )


def order_book_deviations(*, rep_ids: Sequence[int], since: dt.datetime, until: dt.datetime) -> dict[int, dict[str, Any]]:
    """Per rep, for the deals they own now:

    - ``pushed_count`` (deals whose expected close moved later at least once in the range),
      ``pushes`` (all such moves), ``pushed_amount`` (those deals' amounts now) and
      ``pushed_deals`` ([{id, name, amount, times, times_ever}], most pushed first: ``times`` in
      the range, ``times_ever`` since the deal was created);
    - ``amount_changed_count`` (edits of the amount in the range) and ``amount_changed_amount``
      (their net change);
    - ``added``, ``won``, ``lost`` (deals created, won, lost in the range) as ``_count`` and
      ``_amount``.

    Edits count at their instant, ``since`` < changed_at ≤ ``until``; creations and closes too,
    or at the end of their local day when only the date is known. Three queries."""
    result: dict[int, dict[str, Any]] = {pk: _empty() for pk in rep_ids}
    if not rep_ids:
        return result
    edits = OpportunityFieldChange.objects.filter(opportunity__owner_id__in=list(rep_ids)).order_by()
    in_range = Q(changed_at__gt=since, changed_at__lte=until)
    pushed = (
        edits.filter(_pushed())
        .values("opportunity_id", "opportunity__owner_id", "opportunity__name", "opportunity__amount")
        .annotate(times=Count("pk", filter=in_range), times_ever=Count("pk"))
        .filter(times__gt=0)
        .order_by("-times", "-opportunity__amount", "opportunity_id")
    )
    for deal in pushed:
        row = result[deal["opportunity__owner_id"]]
        row["pushed_count"] += 1
        row["pushes"] += deal["times"]
        row["pushed_amount"] += deal["opportunity__amount"]
        row["pushed_deals"].append(
            {
                "id": deal["opportunity_id"],
                "name": deal["opportunity__name"],
                "amount": deal["opportunity__amount"],
                "times": deal["times"],
                "times_ever": deal["times_ever"],
            }
        )

    def money(name: str) -> Cast:
        return Cast(NullIf(name, Value("")), MONEY_FIELD)

    amounts = (
        edits.filter(in_range, field=OpportunityFieldChange.Field.AMOUNT)
        .values("opportunity__owner_id")
        .annotate(n=Count("pk"), net=Sum(Coalesce(money("new_value"), ZERO) - Coalesce(money("old_value"), ZERO)))
    )
    for group in amounts:
        row = result[group["opportunity__owner_id"]]
        row["amount_changed_count"], row["amount_changed_amount"] = group["n"], group["net"] or ZERO

    added = _between("created_at", "created_date", since, until)
    closed = _between("closed_at", "close_date", since, until)
    events = {
        "added": added,
        "won": closed & Q(stage__kind=StageKind.WON),
        "lost": closed & Q(stage__kind=StageKind.LOST),
    }
    annotations: dict[str, Any] = {}
    for key, condition in events.items():
        annotations[f"{key}_count"] = Count("pk", filter=condition)
        annotations[f"{key}_amount"] = Coalesce(Sum("amount", filter=condition), ZERO, output_field=MONEY_FIELD)
    # one statement, a FILTER clause per figure
    groups = (
        Opportunity.objects.filter(owner_id__in=list(rep_ids))
        .filter(added | closed)
        .order_by()
        .values("owner_id")
        .annotate(**annotations)
    )
    for group in groups:
        row = result[group["owner_id"]]
        for key in annotations:
            row[key] = group[key]
    return result


def team_total(rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The sum of the reps' deviations (their deals are theirs alone: no double count)."""
    total = _empty()
    for row in rows.values():
        for key in total:
            if key == "pushed_deals":
                continue
            total[key] += row[key]
    return total
