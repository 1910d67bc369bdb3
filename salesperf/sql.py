"""Query pieces shared by the API's paginator and the selectors (no DRF import here)."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery


class _RowCount(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _rows)"
    output_field = IntegerField()


TOTAL = "_paginator_total"


def with_total(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` with the number of its rows on every row (``TOTAL``; the last column of a
    ``values_list``): a scalar subquery, which PostgreSQL runs once."""
    return queryset.annotate(**{TOTAL: _RowCount(queryset.order_by().values("pk"))})
