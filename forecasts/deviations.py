"""Deviations of the order book between two instants (the last meeting and now), per rep.

For the one-to-one agenda and the team meeting (docs/kpis.md, "Forecasts", "Deviations"):
deals pushed to a later expected close (and how often each was pushed), amounts changed,
deals added, won and lost, in count and money, per current owner. Four queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from reps.models import Opportunity, OpportunityFieldChange, StageKind

ZERO = Decimal("0.00")
KEYS = ("pushed", "amount_changed", "added", "won", "lost")


def _empty() -> dict[str, Any]:
    row: dict[str, Any] = {f"{key}_count": 0 for key in KEYS}
    row.update({f"{key}_amount": ZERO for key in KEYS})
    row["pushes"] = 0
    row["pushed_deals"] = {}
    return row


def order_book_deviations(*, rep_ids: Sequence[int], since: dt.datetime, until: dt.datetime) -> dict[int, dict[str, Any]]:
    """Per rep: ``pushed_count`` (deals whose expected close moved later at least once),
    ``pushes`` (all such moves), ``pushed_amount`` (their amounts now), ``pushed_deals``
    ({deal id: times pushed}); ``amount_changed_count`` / ``_amount`` (edits of the amount and
    their net change); ``added``, ``won``, ``lost`` (deals created, won, lost in the range, by
    date: since's local date exclusive, until's inclusive) as ``_count`` and ``_amount``."""
    result: dict[int, dict[str, Any]] = defaultdict(_empty)
    changes = OpportunityFieldChange.objects.filter(
        opportunity__owner_id__in=list(rep_ids), changed_at__gt=since, changed_at__lte=until
    ).values_list("opportunity__owner_id", "opportunity_id", "opportunity__amount", "field", "old_value", "new_value")
    counted: set[int] = set()
    for owner, deal, amount, field, old, new in changes:
        row = result[owner]
        if field == OpportunityFieldChange.Field.EXPECTED_CLOSE_DATE:
            if old and (not new or new > old):  # ISO dates compare as text; cleared = pushed out
                row["pushes"] += 1
                row["pushed_deals"][deal] = row["pushed_deals"].get(deal, 0) + 1
                if deal not in counted:
                    counted.add(deal)
                    row["pushed_count"] += 1
                    row["pushed_amount"] += amount
        else:
            row["amount_changed_count"] += 1
            row["amount_changed_amount"] += Decimal(new or "0") - Decimal(old or "0")
    first, last = timezone.localdate(since) + dt.timedelta(days=1), timezone.localdate(until)
    base = Opportunity.objects.filter(owner_id__in=list(rep_ids)).order_by().values("owner_id")
    groups = [
        ("added", base.filter(created_date__gte=first, created_date__lte=last)),
        ("won", base.filter(stage__kind=StageKind.WON, close_date__gte=first, close_date__lte=last)),
        ("lost", base.filter(stage__kind=StageKind.LOST, close_date__gte=first, close_date__lte=last)),
    ]
    for key, queryset in groups:
        for row in queryset.annotate(n=Count("pk"), total=Sum("amount")):
            result[row["owner_id"]][f"{key}_count"] = row["n"]
            result[row["owner_id"]][f"{key}_amount"] = row["total"] or ZERO
    return {pk: result[pk] for pk in rep_ids}
