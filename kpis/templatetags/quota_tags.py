"""Filters of the quota workspace pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from salesperf import l10n

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """A target or total as shown beside the cells, in the language's separators and digits
    ("12,500.00", "12 500,00"); empty for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):  # activities per week
        return l10n.number(value, 0, grouping=False)
    return l10n.cents(value)


@register.filter
def row_value(value: Any, kind: str) -> str:
    """A value of the upload preview: a quota's amount always with its cents, however the file
    wrote it (an xlsx cell holds 34495 where the database holds 34495.00), a weekly activity
    target as a whole number; in the language's separators and digits. "—" for none."""
    if value is None or value == "":
        return "—"
    if kind == "activity_target":
        return l10n.number(int(value), 0, grouping=False)
    return l10n.cents(value)


@register.filter
def signed_amount(value: Any) -> str:
    """A difference with its sign ("+1,000.00", "−250.00")."""
    if value is None:
        return ""
    number = Decimal(value).quantize(Decimal("0.01"))
    text = l10n.cents(abs(number))
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else text)


@register.simple_tag
def quota_cells(row: Any, can_edit: bool) -> str:
    """A quota grid row's cells (built in Python: thousands of cells per page)."""
    from kpis.quota_html import quota_cells_html

    return quota_cells_html(row.cells, can_edit)


@register.simple_tag
def target_cells(row: Any, can_edit: bool, monday: Any) -> str:
    """An activity target grid row's cells."""
    from kpis.quota_html import target_cells_html

    return target_cells_html(row.cells, can_edit, monday)
