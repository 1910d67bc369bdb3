"""What every import format shares: reading CSV files, the summary, progress, dates.

An import reads a folder of CSV files. Each format first checks every file it will read
(is it CSV text, does it have the required columns) before writing anything, then reads and
writes row by row inside the caller's transaction, collecting row errors. The caller rolls
the whole import back when there is any error, so an import is all or nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from salesperf import dates

# Stored errors are capped so a file full of bad rows still gives a readable summary.
MAX_ERRORS = 1000
MAX_LINES_PER_REPAIR = 20

Progress = Callable[[int], None]  # called with the number of rows read since the last call


class ImportFailed(Exception):
    """The import was rolled back; ``report`` says why (file, line, reason)."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.first_error())
        self.report = report


class DryRunRollback(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Repair:
    file: str
    message: str
    count: int = 0
    lines: list[int] = field(default_factory=list)


@dataclass
class Report:
    """The summary of one import: rows per file, repairs made to messy data, errors."""

    format: str = ""
    dry_run: bool = False
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)
    repairs: dict[tuple[str, str], Repair] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    kpi_since: dt.date | None = None
    kpi_rep_ids: set[int] = field(default_factory=set)
    kpi_rows: int = 0

    def count(self, file: str, entity: str, outcome: str, n: int = 1) -> None:
        counts = self.counts.setdefault((file, entity), Counts())
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def repair(self, file: str, line: int | None, message: str) -> None:
        """Note a repair of messy data: rows with the same repair are grouped in the summary."""
        item = self.repairs.setdefault((file, message), Repair(file=file, message=message))
        item.count += 1
        if line is not None and len(item.lines) < MAX_LINES_PER_REPAIR:
            item.lines.append(line)

    def error(self, file: str, line: int | None, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"file": file, "line": line, "reason": str(reason)})

    def affects(self, rep_ids: Iterable[int | None], dates: Iterable[dt.date | None]) -> None:
        """Remember reps and days whose KPIs the import changed (recomputed at the end)."""
        ids = {r for r in rep_ids if r is not None}
        days = [d for d in dates if d is not None]
        if not ids or not days:
            return
        self.kpi_rep_ids |= ids
        earliest = min(days)
        if self.kpi_since is None or earliest < self.kpi_since:
            self.kpi_since = earliest

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def first_error(self) -> str:
        if not self.errors:
            return ""
        return format_error(self.errors[0])

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "files": [
                {"file": file, "entity": entity, "created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                for (file, entity), c in self.counts.items()
            ],
            "repairs": [
                {"file": r.file, "message": r.message, "count": r.count, "lines": r.lines} for r in self.repairs.values()
            ],
            "errors": self.errors,
            "error_count": self.error_count,
            "kpi_since": self.kpi_since.isoformat() if self.kpi_since else None,
            "kpi_reps": len(self.kpi_rep_ids),
            "kpi_rows": self.kpi_rows,
        }

    def totals(self) -> Counts:
        total = Counts()
        for c in self.counts.values():
            total.created += c.created
            total.updated += c.updated
            total.unchanged += c.unchanged
        return total

    def summary_line(self) -> str:
        t = self.totals()
        return _(
            "%(format)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(repairs)d repairs, %(errors)d errors%(dry)s"
        ) % {
            "format": self.format,
            "created": t.created,
            "updated": t.updated,
            "unchanged": t.unchanged,
            "repairs": sum(r.count for r in self.repairs.values()),
            "errors": self.error_count,
            "dry": _(" (dry run: nothing was saved)") if self.dry_run else "",
        }

    def lines(self) -> list[str]:
        """The summary as text lines, for the command's output."""
        out = [self.summary_line()]
        for (file, entity), c in self.counts.items():
            out.append(
                _("  %(file)s (%(entity)s): %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {"file": file, "entity": entity, "created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            )
        for r in self.repairs.values():
            out.append(_("  repair %(file)s: %(message)s (%(count)d rows%(lines)s)") % repair_parts(r))
        for e in self.errors:
            out.append("  " + format_error(e))
        if self.error_count > len(self.errors):
            out.append(_("  … and %(n)d more errors") % {"n": self.error_count - len(self.errors)})
        return out


def repair_parts(r: Repair) -> dict[str, Any]:
    shown = ", ".join(str(n) for n in r.lines)
    more = "…" if r.count > len(r.lines) else ""
    return {
        "file": r.file,
        "message": r.message,
        "count": r.count,
        "lines": (_("; lines %(lines)s") % {"lines": shown + more}) if shown else "",
    }


def format_error(e: dict[str, Any]) -> str:
    if e.get("line"):
        return _("%(file)s, line %(line)d: %(reason)s") % e
    return _("%(file)s: %(reason)s") % e


# --- reading CSV -----------------------------------------------------------------------------


# No format has this many columns; a header that has them is not one of ours (or an attack).
MAX_CSV_COLUMNS = 200


class CsvFile:
    """One CSV file of an import: checked up front, then read row by row with line numbers."""

    def __init__(self, path: Path, *, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        self.path = path
        self.name = path.name
        self.required = list(required)
        self.optional = list(optional)
        self.header: list[str] = []
        self.rows_estimate = 0

    def check(self, report: Report) -> bool:
        """Whether the file is CSV text with the required columns; report why not."""
        try:
            with self.path.open("rb") as raw:
                head = raw.read(65536)
                self.rows_estimate = head.count(b"\n") + sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
            if b"\x00" in head:
                report.error(self.name, None, _("This is not a CSV text file (it contains binary data)."))
                return False
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < 65536)
        except UnicodeDecodeError:
            report.error(self.name, None, _("This is not a CSV text file in UTF-8 encoding."))
            return False
        except OSError as exc:
            report.error(self.name, None, _("The file cannot be read: %(error)s") % {"error": exc.strerror})
            return False
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), None)
        except (csv.Error, UnicodeDecodeError):
            report.error(self.name, 1, _("This is not a CSV text file: its first line cannot be read as CSV."))
            return False
        if not header or not any(h.strip() for h in header):
            report.error(self.name, 1, _("The file is empty: the first line must name the columns."))
            return False
        if len(header) > MAX_CSV_COLUMNS:
            report.error(
                self.name,
                1,
                _("The first line names %(count)d columns; a file may have at most %(max)d.")
                % {"count": len(header), "max": MAX_CSV_COLUMNS},
            )
            return False
        self.header = [h.strip().lower() for h in header]
        missing = [c for c in self.required if c not in self.header]
        if missing:
            report.error(
                self.name,
                1,
                _("Required columns are missing: %(missing)s (the first line must name the columns: %(required)s).")
                % {"missing": ", ".join(missing), "required": ", ".join(self.required)},
            )
            return False
        self.rows_estimate = max(0, self.rows_estimate - 1)
        return True

    def rows(self, report: Report, progress: Progress | None = None) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, row as a dict of stripped values) for each data row."""
        wanted = [c for c in self.header if c in self.required or c in self.optional]
        positions = [(c, self.header.index(c)) for c in wanted]
        width = len(self.header)
        pending = 0
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                next(reader)
                for values in reader:
                    pending += 1
                    if pending >= 1000 and progress is not None:
                        progress(pending)
                        pending = 0
                    if not values or (len(values) == 1 and not values[0].strip()):
                        continue  # blank line
                    if len(values) > width:
                        report.error(
                            self.name,
                            reader.line_num,
                            _("This row has %(got)d values but the first line names %(want)d columns.")
                            % {"got": len(values), "want": width},
                        )
                        continue
                    if len(values) < width:
                        values = values + [""] * (width - len(values))
                    yield reader.line_num, {c: values[i].strip() for c, i in positions}
            except csv.Error as exc:
                report.error(self.name, reader.line_num, _("This line cannot be read as CSV: %(error)s") % {"error": exc})
            except UnicodeDecodeError:
                report.error(self.name, reader.line_num + 1, _("This line is not UTF-8 text."))
        if progress is not None and pending:
            progress(pending)


class BadValue(ValueError):
    """A value in a row that cannot be read; its message is the reason shown to the user."""


def parse_date(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise BadValue(_("%(column)s “%(value)s” is not a date like 2017-03-31.") % {"column": column, "value": value}) from None
    _check_range(day, column, value)
    return day


def _check_range(moment: dt.date, column: str, value: str) -> None:
    if not dates.in_range(moment):
        raise BadValue(
            _("%(column)s “%(value)s”: pick a date between the years 1900 and 2999.") % {"column": column, "value": value}
        )


def parse_datetime(value: str, column: str) -> dt.datetime | None:
    """An ISO 8601 date and time; without an offset it is local time in the organisation's zone."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(
            _("%(column)s “%(value)s” is not a date and time like 2017-03-31T14:30:00+00:00.")
            % {"column": column, "value": value}
        ) from None
    _check_range(moment, column, value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment


def parse_decimal(value: str, column: str, *, default: Decimal | None = None) -> Decimal | None:
    if not value:
        return default
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise BadValue(_("%(column)s “%(value)s” is not a number.") % {"column": column, "value": value})
    if number < 0:
        raise BadValue(_("%(column)s %(value)s must not be negative.") % {"column": column, "value": value})
    return number.quantize(Decimal("0.01"))


def parse_int(value: str, column: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadValue(_("%(column)s “%(value)s” is not a whole number.") % {"column": column, "value": value}) from None


TRUE_WORDS = {"1", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f", ""}


def parse_bool(value: str, column: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue(_("%(column)s “%(value)s” must be true or false.") % {"column": column, "value": value})


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=4096)
def _midnight(day: dt.date, zone_name: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(zone_name))


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the organisation's time zone: the moment dated events get."""
    return _midnight(day, settings.TIME_ZONE)


def slug(text: str) -> str:
    """A stable ASCII identifier of a name, for derived external ids and user names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def squash(text: str) -> str:
    """A name reduced to letters and digits, to match spellings such as "GTXPro" and "GTX Pro"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
