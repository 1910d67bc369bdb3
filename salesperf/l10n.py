"""Numbers, money, percentages and dates as the reader's language writes them.

Pages, charts and the xlsx exports use these; CSV files keep one format for machines (a dot
for decimals, no thousands separator, ISO dates), whatever the language. Separators and date
formats come from Django's locale formats (``get_format``), overridden in ``salesperf/formats``
(the week starts on Monday everywhere). Persian text gets Persian digits, as Persian readers
expect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import dates, formats, translation
from django.utils.translation import get_language, get_language_bidi

# Symbols of the currencies an organisation is likely to use; others show their ISO code.
CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CHF": "CHF",
    "NOK": "kr",
    "SEK": "kr",
    "DKK": "kr",
    "HUF": "Ft",
    "IRR": "ریال",
    "PLN": "zł",
    "CZK": "Kč",
}
# Languages that write the symbol before the amount ("€12,500"); the others after ("12 500 €").
SYMBOL_FIRST = {"en"}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Money at or above this is shown without cents when it is a whole amount (tables stay narrow).
ROUND_MONEY_FROM = Decimal(1000)
CENT = Decimal("0.01")


@lru_cache(maxsize=32)
def _separators(language: str) -> tuple[str, str]:
    with translation.override(language):
        return str(formats.get_format("DECIMAL_SEPARATOR")), str(formats.get_format("THOUSAND_SEPARATOR"))


# The language pinned by ``pinned_language`` (None: ask Django each time).
_pinned_language: ContextVar[str | None] = ContextVar("salesperf_l10n_language", default=None)


def _language() -> str:
    return _pinned_language.get() or get_language() or settings.LANGUAGE_CODE


@contextmanager
def pinned_language() -> Iterator[None]:
    """Look the active language up once for a block that formats many numbers (a table's
    cells): Django's ``get_language`` reads an asgiref ``Local``, microseconds a call, and a
    region's page formats thousands of numbers. Nothing in the block may switch languages."""
    token = _pinned_language.set(get_language() or settings.LANGUAGE_CODE)
    try:
        yield
    finally:
        _pinned_language.reset(token)


def separators() -> tuple[str, str]:
    """(decimal, thousands) separators of the active language."""
    return _separators(_language())


def digits(text: str) -> str:
    """The text with the active language's digits (Persian digits in Persian)."""
    if _language().startswith("fa"):
        return text.translate(PERSIAN_DIGITS)
    return text


def number(value: Any, places: int = 0, *, grouping: bool = True) -> str:
    """A number with ``places`` decimals, the language's separators and digits."""
    # the language is looked up once: a dashboard formats thousands of numbers a page
    language = _language()
    decimal, thousands = _separators(language)
    text = f"{Decimal(value):,.{places}f}" if grouping else f"{Decimal(value):.{places}f}"
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return text.translate(PERSIAN_DIGITS) if language.startswith("fa") else text


def percent(ratio: Any, places: int = 1) -> str:
    """A ratio (0.825) as a percentage ("82.5 %", "82,5 %")."""
    return number(Decimal(ratio) * 100, places) + " %"


def currency_symbol(code: str | None = None) -> str:
    code = code or settings.SALESPERF_CURRENCY
    return CURRENCY_SYMBOLS.get(code, code)


def cents(amount: Any) -> str:
    """An amount always to the cent ("12,500.00", "12 500,00"): the quota grid's figures."""
    return number(Decimal(amount).quantize(CENT), 2)


def money(amount: Any, *, symbol: bool = False) -> str:
    """An amount to the cent, without ``.00`` when it is large and whole; with the
    organisation's currency symbol where the language puts it when ``symbol``."""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value() and abs(amount) >= ROUND_MONEY_FROM
    text = number(amount, 0 if whole else 2)
    if not symbol:
        return text
    if _language().split("-")[0] in SYMBOL_FIRST:
        return currency_symbol() + text
    return text + "\u00a0" + currency_symbol()


def date(value: dt.date) -> str:
    """A date in the language's short order (31/12/2026, 2026. 12. 31., 31.12.2026)."""
    return digits(formats.date_format(value, "SHORT_DATE_FORMAT"))


def plotly_separators() -> str:
    """plotly's ``layout.separators``: the decimal then the thousands separator. plotly.js
    writes Latin digits only, so Persian charts keep the Latin separators that go with them."""
    if (get_language() or "").startswith("fa"):
        return ".,"
    decimal, thousands = separators()
    return decimal + (thousands or " ")


def plotly_locale() -> dict[str, Any]:
    """The active language for plotly.js (``Plotly.register`` of a locale), built from Django's
    own translations of month and day names, so no plotly locale file is needed."""
    decimal, thousands = plotly_separators()
    week = [dates.WEEKDAYS[(day + 6) % 7] for day in range(7)]  # plotly's weeks start on Sunday
    week_abbr = [dates.WEEKDAYS_ABBR[(day + 6) % 7] for day in range(7)]
    return {
        "moduleType": "locale",
        "name": get_language() or settings.LANGUAGE_CODE,
        "dictionary": {},
        "format": {
            "days": [str(name) for name in week],
            "shortDays": [str(name) for name in week_abbr],
            "months": [str(dates.MONTHS_ALT[month]) for month in range(1, 13)],
            "shortMonths": [str(dates.MONTHS_AP[month]) for month in range(1, 13)],  # "sept.", "Sept."
            "date": "%d/%m/%Y",
            # d3's time locale needs these too (plotly.js maps over ``periods``).
            "dateTime": "%a %e %b %Y %X",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "decimal": decimal,
            "thousands": thousands or " ",
        },
        "rtl": get_language_bidi(),
    }
