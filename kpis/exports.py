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
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
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
    SPARKLINE = "sparkline"  # a list of numbers, oldest first, drawn as a small line
    FIGURES = "figures"  # text made of figures ("3 / 5", "2025-04"): the language's digits on the page only


NUMERIC_KINDS = {Kind.INT, Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.SCORE}


@dataclass(slots=True)  # thousands a page: plain slots, not frozen (slower to build)
class Cell:
    text: str  # as shown on the page
    csv: str  # as written to the CSV file
    sort: Any  # for sorting; None sorts last
    kind: Kind
    url: str = ""
    css: str = ""
    points: str = ""  # a sparkline's SVG polyline points

    def html(self, *, header: bool = False, label: str = "", key: str = "") -> str:
        """The cell as ``<th scope="row">`` (a row's first cell) or ``<td>``, its text escaped.
        ``label`` (the column's, escaped) lets a phone show each cell of a row card with its name;
        ``key`` (the column's) lets a phone's card leave out the less telling ones."""
        text = html.escape(self.text)  # the standard library's: Django's lazy-aware one is slower per call
        if self.points:
            text = (
                f'<svg class="spark" viewBox="0 0 60 16" width="60" height="16" role="img" aria-label="{text}">'
                f'<polyline points="{self.points}"/></svg>'
            )
        elif self.url:
            text = f'<a href="{html.escape(self.url)}">{text}</a>'
        elif self.css:
            text = f'<span class="{html.escape(self.css)}">{text}</span>'
        if header:
            return f'<th scope="row">{text}</th>'
        attr = (f' data-label="{label}"' if label else "") + (f' data-key="{key}"' if key else "")
        return f'<td class="num"{attr}>{text}</td>' if self.is_numeric else f"<td{attr}>{text}</td>"

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def rows_html(rows: Iterable[Sequence[Cell]], labels: Sequence[str] = (), keys: Sequence[str] = ()) -> SafeString:
    """Table rows as HTML, built here rather than in the template: a 200-rep table has
    thousands of cells, and the template language took a third of a second for them.
    ``labels``: the column labels, repeated on each cell for the phone's row cards."""
    escaped = [html.escape(str(label)) for label in labels]
    return mark_safe(  # every text and attribute above is escaped
        "\n".join(
            "<tr>"
            + "".join(
                cell.html(header=i == 0, label=escaped[i] if i < len(escaped) else "", key=keys[i] if i < len(keys) else "")
                for i, cell in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
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


def _sparkline(value: Any, kind: Kind) -> Cell:
    """Numbers as a 60 × 16 polyline (its own scale), and as words for screen readers and CSV."""
    numbers = [Decimal(v or 0) for v in value]
    if not numbers:
        return Cell("", "", None, kind)
    low, high = min(numbers), max(numbers)
    span = high - low or 1
    step = Decimal(60) / max(len(numbers) - 1, 1)
    points = " ".join(f"{step * i:.1f},{15 - (n - low) / span * 14:.1f}" for i, n in enumerate(numbers))
    words = " ".join(_number(n, Kind.NUMBER).text for n in numbers)
    text = str(_("Weekly, oldest first: %(values)s")) % {"values": words}
    return Cell(text, words, numbers[-1], kind, points=points)


def _text(value: Any, kind: Kind) -> Cell:
    text = str(value)
    return Cell(text, _csv_safe(text), text.lower(), kind)


def _figures(value: Any, kind: Kind) -> Cell:
    text = str(value)
    return Cell(l10n.digits(text), _csv_safe(text), text.lower(), kind)


_FORMATS: dict[Kind, Callable[[Any, Kind], Cell]] = {
    Kind.MONEY: _money,
    Kind.NUMBER: _number,
    Kind.PERCENT: _percent,
    Kind.SCORE: _score,
    Kind.INT: _int,
    Kind.BAND: _band,
    Kind.DATE: _date,
    Kind.TEXT: _text,
    Kind.FIGURES: _figures,
    Kind.SPARKLINE: _sparkline,
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
    export: bool = True  # False: a page-only column (an action link), left out of CSV and Excel

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
    xlsx_url: str = ""  # and its Excel workbook
    body: list[list[Cell]] = field(init=False)
    footer: list[Cell] | None = field(init=False)

    def __post_init__(self) -> None:
        with l10n.pinned_language():  # thousands of cells: the language looked up once
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
    def labels(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    @property
    def body_html(self) -> SafeString:
        return rows_html(self.body, self.labels, [html.escape(column.key) for column in self.columns])

    @property
    def footer_html(self) -> SafeString:
        return rows_html([self.footer] if self.footer else [], self.labels, [html.escape(c.key) for c in self.columns])

    @property
    def exported(self) -> list[int]:
        """The indexes of the columns that CSV and Excel files hold."""
        return [i for i, column in enumerate(self.columns) if column.export]

    def csv_rows(self) -> Iterable[list[str]]:
        keep = self.exported
        yield [str(self.columns[i].label) for i in keep]
        for cells in self.body:
            yield [cells[i].csv for i in keep]
        if self.footer is not None:
            yield [self.footer[i].csv for i in keep]

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


def sort_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], sort: str) -> list[Mapping[str, Any]]:
    """The rows in the order :func:`sort_cells` gives their cells, formatting only the sort column
    (a page of a long table is then cut from them, and only its rows are formatted)."""
    rows = list(rows)
    key = sort.lstrip("-")
    column = next((c for c in columns if c.key == key and c.sortable), None)
    if column is None:
        return rows
    keyed = [(format_value(column.value(row), column.kind).sort, row) for row in rows]
    defined = [pair for pair in keyed if pair[0] is not None]
    defined.sort(key=lambda pair: pair[0], reverse=sort.startswith("-"))
    return [row for _key, row in defined] + [row for sort_key, row in keyed if sort_key is None]


def valid_sort(sort: str, columns: Sequence[Column]) -> str:
    return sort if sort.lstrip("-") in {c.key for c in columns if c.sortable} else ""


_UNSAFE_FILENAME = re.compile(r"[^\w.-]+")  # letters of every language stay (Zoltán, Ελένη)


def attachment_header(filename: str, extension: str) -> str:
    """Content-Disposition of a download named after what it holds: an ASCII name as it is,
    any other in RFC 6266's UTF-8 form, which every browser reads."""
    safe = _UNSAFE_FILENAME.sub("-", filename).strip("-") or "export"
    return content_disposition_header(True, f"{safe}.{extension}")


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a CSV download (UTF-8 with a byte order mark, so spreadsheets read it right)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_header(filename, "csv")
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in table.csv_rows():
        writer.writerow(row)
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_FORMATS = {Kind.MONEY: "#,##0.00", Kind.NUMBER: "0.##", Kind.PERCENT: "0.0%", Kind.SCORE: "0.00", Kind.DATE: "yyyy-mm-dd"}
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]+")


def _typed(cell: Cell) -> Any:
    """A cell's value as a spreadsheet keeps it: numbers as numbers (a percentage as its
    ratio, formatted in percent), dates as dates, the rest as the CSV's text."""
    if cell.sort is None and cell.kind != Kind.TEXT:
        return None
    if cell.kind in (Kind.MONEY, Kind.NUMBER, Kind.SCORE):
        return float(cell.sort)
    if cell.kind == Kind.PERCENT:
        return float(cell.sort / 100)
    if cell.kind == Kind.INT:
        return int(cell.sort)
    if cell.kind == Kind.DATE:
        return cell.sort
    return cell.csv or None  # text (defused like the CSV's), bands, sparklines


def xlsx_response(tables: Sequence[Table], filename: str) -> HttpResponse:
    """The tables as one Excel workbook, a sheet each: typed columns, the header row frozen."""
    import pandas as pd  # only exports need it: keeps the import of every page light

    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, "xlsx")
    used: set[str] = set()
    with pd.ExcelWriter(response, engine="openpyxl") as writer:
        for table in tables:
            keep = table.exported
            columns = [table.columns[i] for i in keep]
            rows = [[_typed(cells[i]) for i in keep] for cells in table.body]
            if table.footer is not None:
                rows.append([_typed(table.footer[i]) for i in keep])
            labels = [str(column.label) for column in columns]
            # unique labels: pandas needs them, and a sheet's header should not repeat
            labels = [label if labels.index(label) == i else f"{label} ({i + 1})" for i, label in enumerate(labels)]
            name = _SHEET_UNSAFE.sub(" ", table.key)[:31] or "table"
            while name in used:
                name = f"{name[:28]}_{len(used)}"
            used.add(name)
            pd.DataFrame(rows, columns=labels).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for index, column in enumerate(columns, start=1):
                number_format = _XLSX_FORMATS.get(column.kind)
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = max(10, min(40, len(labels[index - 1]) + 2))
                if number_format:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.number_format = number_format
    return response
