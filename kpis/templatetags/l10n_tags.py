"""Template helpers for the reader's language: plotly.js's locale as a JSON block."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from salesperf import l10n

register = template.Library()


@register.simple_tag
def plotly_locale_json() -> SafeString:
    """``<script type="application/json" id="plotly-locale">``: read by static/js/dashboard.js."""
    return json_script(l10n.plotly_locale(), "plotly-locale")
