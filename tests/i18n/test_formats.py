"""Numbers, money, percentages and dates per language; CSV keeps one format; weeks start Monday."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import formats, translation

from kpis.exports import Kind, format_value
from salesperf import l10n

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "money", "percent", "date"),
    [
        ("en", "12,500", "82.5 %", "12/31/2026"),
        ("fr", f"12{NBSP}500", "82,5 %", "31/12/2026"),
        ("hu", f"12{NBSP}500", "82,5 %", "2026.12.31."),
        ("nb", f"12{NBSP}500", "82,5 %", "31.12.2026"),
        ("el", "12.500", "82,5 %", "31/12/2026"),
        ("fa", "۱۲٬۵۰۰", "۸۲٫۵ %", "۲۰۲۶/۱۲/۳۱"),
    ],
)
def test_pages_show_the_language_s_separators_digits_and_date_order(language, money, percent, date):
    with translation.override(language):
        assert format_value(Decimal("12500.00"), Kind.MONEY).text == money  # no .00 on a large round amount
        assert format_value(Decimal("0.825"), Kind.PERCENT).text == percent
        assert format_value(dt.date(2026, 12, 31), Kind.DATE).text == date


@pytest.mark.parametrize("language", ["en", "fr", "fa", "hu"])
def test_csv_keeps_one_format_for_machines(language):
    with translation.override(language):
        assert format_value(Decimal("12500"), Kind.MONEY).csv == "12500.00"
        assert format_value(Decimal("0.825"), Kind.PERCENT).csv == "82.5"
        assert format_value(dt.date(2026, 12, 31), Kind.DATE).csv == "2026-12-31"


def test_small_or_uneven_amounts_keep_their_cents():
    with translation.override("fr"):
        assert format_value(Decimal("999.00"), Kind.MONEY).text == "999,00"
        assert format_value(Decimal("12500.50"), Kind.MONEY).text == f"12{NBSP}500,50"


def test_money_with_the_organisation_s_currency_symbol(settings):
    settings.SALESPERF_CURRENCY = "EUR"
    with translation.override("en"):
        assert l10n.money(Decimal("12500"), symbol=True) == "€12,500"
    with translation.override("fr"):
        assert l10n.money(Decimal("12500"), symbol=True) == f"12{NBSP}500{NBSP}€"


@pytest.mark.parametrize("language", ["en", "el", "fr", "fa", "nb", "hu"])
def test_the_week_starts_on_monday_in_every_language(language):
    with translation.override(language):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_plotly_gets_the_language_s_separators_and_month_names():
    with translation.override("fr"):
        assert l10n.plotly_separators() == f",{NBSP}"
        spec = l10n.plotly_locale()
    assert spec["name"] == "fr" and spec["format"]["months"][0].lower() == "janvier"
    assert spec["format"]["days"][0].lower() == "dimanche"  # plotly's list starts on Sunday
    with translation.override("fa"):
        assert l10n.plotly_locale()["rtl"] is True


def test_a_tables_cells_are_written_in_the_language_active_when_it_is_built():
    """Tables look the language up once for all their cells (l10n.pinned_language)."""
    from kpis.exports import Column, Table

    columns = [Column("amount", "Amount", Kind.MONEY), Column("ratio", "Ratio", Kind.PERCENT)]
    rows = [{"amount": Decimal("12500.50"), "ratio": Decimal("0.825")}]
    with translation.override("hu"):
        hu = Table("t", "T", columns, rows, totals=rows[0])
    with translation.override("fa"):
        fa = Table("t", "T", columns, rows)
        with l10n.pinned_language(), translation.override("en"):
            pinned = l10n.number(Decimal("1.5"), 1)  # pinned: the language of the block's start
        after = l10n.number(Decimal("1.5"), 1)
    assert [cell.text for cell in hu.body[0]] == [f"12{NBSP}500,50", "82,5 %"]
    assert [cell.text for cell in hu.footer] == [f"12{NBSP}500,50", "82,5 %"]
    assert [cell.text for cell in fa.body[0]] == ["۱۲٬۵۰۰٫۵۰", "۸۲٫۵ %"]
    assert pinned == after == "۱٫۵"
    with translation.override("en"):
        assert l10n.number(Decimal("1.5"), 1) == "1.5"  # the pin is gone after the block
