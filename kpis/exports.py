"""The tables of the dashboards, rendered once for the page and for its CSV export.

A :class:`Table` holds columns and rows of values; each value is formatted by its column's
kind, so the page and the CSV file show the same numbers (the CSV without thousands
separators or units, and an empty cell where the page shows "—" for an undefined ratio).
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.http import HttpResponse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

from salesperf import l10n

UNDEFINED = "—"

# "quota band": the band "Close" is 80–100 % of quota, not the verb (close a window, a deal).
BAND_LABELS = {
    "at_risk": pgettext_lazy("quota band", "At risk"),
    "close": pgettext_lazy("quota band", "Close"),
    "on_target": pgettext_lazy("quota band", "On target"),
}


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    NUMBER = "number"  # a count that may have decimals (a prorated count target), no separators
    PERCENT = "percent"  # a ratio, shown in percent
    SCORE = "score"  # a mean such as CSAT, two decimals
    BAND = "band"
    DATE = "date"


NUMERIC_KINDS = {Kind.INT, Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.SCORE}


@dataclass(slots=True)  # thousands a page: plain slots, not frozen (slower to build)
class Cell:
    text: str  # as shown on the page
    csv: str  # as written to the CSV file
    sort: Any  # for sorting; None sorts last
    kind: Kind
    url: str = ""
    css: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def html(self, *, header: bool = False) -> str:
        """The cell as ``<th scope="row">`` (a row's first cell) or ``<td>``, its text escaped."""
        text = html.escape(self.text)  # the standard library's: Django's lazy-aware one is slower per call
        if self.url:
            text = f'<a href="{html.escape(self.url)}">{text}</a>'
        elif self.css:
            text = f'<span class="{html.escape(self.css)}">{text}</span>'
        if header:
            return f'<th scope="row">{text}</th>'
        return f'<td class="num">{text}</td>' if self.is_numeric else f"<td>{text}</td>"


def rows_html(rows: Iterable[Sequence[Cell]]) -> SafeString:
    """Table rows as HTML, built here rather than in the template: a 200-rep table has
    thousands of cells, and the template language took a third of a second for them."""
    return mark_safe(  # every text and attribute above is escaped
        "\n".join("<tr>" + "".join(cell.html(header=i == 0) for i, cell in enumerate(row)) + "</tr>" for row in rows)
    )


CENT = Decimal("0.01")
TENTH = Decimal("0.1")
_UNDEFINED_SHOWN = {kind: UNDEFINED if kind in NUMERIC_KINDS | {Kind.BAND} else "" for kind in Kind}


def _money(value: Any, kind: Kind) -> Cell:
    amount = Decimal(value).quantize(CENT)
    return Cell(l10n.money(amount), f"{amount:.2f}", amount, kind)


def _number(value: Any, kind: Kind) -> Cell:
    """Whole numbers as such ("12"), others to two places ("2.38")."""
    number = Decimal(value).quantize(CENT)
    text = f"{number:.0f}" if number == number.to_integral_value() else f"{number:.2f}"
    return Cell(l10n.number(number, 0 if "." not in text else 2, grouping=False), text, number, kind)


def _percent(value: Any, kind: Kind) -> Cell:
    percent = (Decimal(value) * 100).quantize(TENTH)
    text = f"{percent}"
    return Cell(l10n.number(percent, 1) + " %", text, percent, kind)


def _score(value: Any, kind: Kind) -> Cell:
    score = Decimal(value).quantize(CENT)
    text = f"{score}"
    return Cell(l10n.number(score, 2), text, score, kind)


def _int(value: Any, kind: Kind) -> Cell:
    number = int(value)
    text = f"{number}"
    return Cell(l10n.digits(text), text, number, kind)


def _band(value: Any, kind: Kind) -> Cell:
    label = str(BAND_LABELS.get(str(value), value))
    return Cell(label, label, str(value), kind, css=f"band band-{value}")


def _date(value: Any, kind: Kind) -> Cell:
    text = value.isoformat()
    return Cell(l10n.date(value), text, value, kind)


def _text(value: Any, kind: Kind) -> Cell:
    text = str(value)
    return Cell(text, _csv_safe(text), text.lower(), kind)


_FORMATS: dict[Kind, Callable[[Any, Kind], Cell]] = {
    Kind.MONEY: _money,
    Kind.NUMBER: _number,
    Kind.PERCENT: _percent,
    Kind.SCORE: _score,
    Kind.INT: _int,
    Kind.BAND: _band,
    Kind.DATE: _date,
    Kind.TEXT: _text,
}


def format_value(value: Any, kind: Kind) -> Cell:
    """One value as a cell of ``kind``; ``None`` is undefined ("—" on the page, empty in CSV)."""
    if value is None or (isinstance(value, str) and not value):
        return Cell(_UNDEFINED_SHOWN[kind], "", None, kind)
    return _FORMATS[kind](value, kind)


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection): a leading quote defuses it."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: Kind = Kind.TEXT
    get: Callable[[Mapping[str, Any]], Any] | None = None  # default: row[key]
    link: Callable[[Mapping[str, Any]], str] | None = None
    sortable: bool = True
    help: Any = ""

    def value(self, row: Mapping[str, Any]) -> Any:
        return self.get(row) if self.get else row.get(self.key)

    def cell(self, row: Mapping[str, Any]) -> Cell:
        cell = format_value(self.value(row), self.kind)
        if self.link is not None:
            cell.url = self.link(row)
        return cell

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def fixed(key: str, label: Any, kind: Kind = Kind.TEXT, **options: Any) -> Column:
    """A column of a table shown in its own order (no sort links in its header)."""
    return Column(key, label, kind, sortable=False, **options)


@dataclass
class Table:
    """A captioned table of rows (dicts), with an optional totals row; sortable by column key."""

    key: str
    caption: Any
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    totals: Mapping[str, Any] | None = None
    sort: str = ""
    empty: Any = ""
    export_url: str = ""  # set by the view: where this table's CSV is
    body: list[list[Cell]] = field(init=False)
    footer: list[Cell] | None = field(init=False)

    def __post_init__(self) -> None:
        self.body = [[column.cell(row) for column in self.columns] for row in self.rows]
        self.footer = [column.cell(self.totals) for column in self.columns] if self.totals is not None else None
        self.footer = self._without_links(self.footer)
        if self.sort:
            self.body = sort_cells(self.body, self.columns, self.sort)

    @staticmethod
    def _without_links(cells: list[Cell] | None) -> list[Cell] | None:
        if cells is None:
            return None
        for cell in cells:
            cell.url = ""
        return cells

    @property
    def body_html(self) -> SafeString:
        return rows_html(self.body)

    @property
    def footer_html(self) -> SafeString:
        return rows_html([self.footer] if self.footer else [])

    def csv_rows(self) -> Iterable[list[str]]:
        yield [str(column.label) for column in self.columns]
        for cells in self.body:
            yield [cell.csv for cell in cells]
        if self.footer is not None:
            yield [cell.csv for cell in self.footer]

    def headers(self) -> list[dict[str, Any]]:
        """Each column with the ``sort`` value its header link sets and its current direction."""
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        result = []
        for column in self.columns:
            direction = ""
            # first click sorts numbers high to low (who is furthest ahead), text A to Z
            next_sort = f"-{column.key}" if column.is_numeric else column.key
            if column.key == current:
                direction = "descending" if descending else "ascending"
                next_sort = column.key if descending else f"-{column.key}"
            result.append({"column": column, "direction": direction, "next_sort": next_sort})
        return result


def sort_cells(body: list[list[Cell]], columns: Sequence[Column], sort: str) -> list[list[Cell]]:
    """Rows sorted by the column named in ``sort`` (``-key`` for descending); undefined last."""
    key = sort.lstrip("-")
    index = next((i for i, column in enumerate(columns) if column.key == key and column.sortable), None)
    if index is None:
        return body
    defined = [row for row in body if row[index].sort is not None]
    undefined = [row for row in body if row[index].sort is None]
    defined.sort(key=lambda row: row[index].sort, reverse=sort.startswith("-"))
    return defined + undefined


def valid_sort(sort: str, columns: Sequence[Column]) -> str:
    return sort if sort.lstrip("-") in {c.key for c in columns if c.sortable} else ""


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a CSV download (UTF-8 with a byte order mark, so spreadsheets read it right)."""
    safe = _UNSAFE_FILENAME.sub("-", filename).strip("-") or "export"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in table.csv_rows():
        writer.writerow(row)
    return response
