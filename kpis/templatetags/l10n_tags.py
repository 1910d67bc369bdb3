"""Template helpers for the reader's language: digits, and plotly.js's locale as a JSON block."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from salesperf import l10n

register = template.Library()


@register.filter(is_safe=True)
def digits(value: Any) -> str:
    """The value (a number, a formatted date, a translated sentence) with the language's digits:
    Persian digits in Persian, as salesperf.l10n writes every figure."""
    if value is None:
        return ""
    return l10n.digits(str(value))


@register.simple_tag
def plotly_locale_json() -> SafeString:
    """``<script type="application/json" id="plotly-locale">``: read by static/js/dashboard.js."""
    return json_script(l10n.plotly_locale(), "plotly-locale")
