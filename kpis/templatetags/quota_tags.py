"""Filters of the quota workspace pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """A target or total as shown beside the cells ("12,500.00"); empty for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):  # activities per week
        return str(value)
    return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"


@register.filter
def signed_amount(value: Any) -> str:
    """A difference with its sign ("+1,000.00", "−250.00")."""
    if value is None:
        return ""
    number = Decimal(value).quantize(Decimal("0.01"))
    text = f"{abs(number):,.2f}"
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else text)
