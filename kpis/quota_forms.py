"""Forms of the quota workspace: reading a posted grid into service inputs, and the copy
forward options.

A grid is one plain ``<form>`` with an input per cell (``cell-r<rep id>-<column>``,
``cell-t<team id>-<column>``, ``target-<owner>-<kind>``), so it works without JavaScript.
Only the cells whose value changed become service rows: a cell left as it was writes nothing,
an emptied cell removes its quota. Bad values are reported per cell and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.activity_target_grids import TargetCell, TargetGrid
from kpis.models import QuotaMetric
from kpis.quota_grids import QuotaGrid
from kpis.quotas import ActivityTargetInput, QuotaInput, RowError
from reps.models import ActivityKind

_NUMBER = re.compile(r"^\+?\d+(\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")
# A Persian (or Arabic) keyboard types its own digits and separators: read them as the Latin
# ones, whatever the language (the Persian decimal separator "٫", thousands separator "٬").
_NATIVE_DIGITS = str.maketrans(
    {**{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)}, "٫": ".", "٬": ""}
)
MAX_TARGET = Decimal("999999999999.99")  # 14 digits, 2 of them decimals (reps.models.MONEY)


class CellError(ValueError):
    """A value that cannot be a target, with the reason to show beside the cell."""


def parse_target(raw: str) -> Decimal | None:
    """A typed target as a Decimal (None for an empty cell).

    Accepts the language's decimal separator ("1234,5" where a comma is the decimal
    separator) and a point, and spaces or the other separator between thousands.
    """
    text = _SPACES.sub("", raw).translate(_NATIVE_DIGITS)
    if not text:
        return None
    decimal_separator = get_format("DECIMAL_SEPARATOR")
    if decimal_separator == "," and "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif decimal_separator != ",":
        text = text.replace(",", "")
    if text.startswith("-") and _NUMBER.match(text[1:]):
        raise CellError(_("A target must be more than 0; leave the cell empty for no quota."))
    if not _NUMBER.match(text):
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw.strip()})
    try:
        value = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above lets only numbers through
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw.strip()}) from error
    if value <= 0:
        raise CellError(_("A target must be more than 0; leave the cell empty for no quota."))
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CellError(_("Use at most two decimals."))
    if value > MAX_TARGET:
        raise CellError(_("That is too large for a target."))
    return value


def parse_per_week(raw: str) -> int | None:
    text = _SPACES.sub("", raw)
    if not text:
        return None
    if not text.isdigit():
        raise CellError(_("Enter a whole number of activities per week (0 or more)."))
    value = int(text)
    if value > 10_000:
        raise CellError(_("That is more activities per week than anyone can do."))
    return value


@dataclass
class GridChanges:
    """What a posted grid asks for: one service row per changed cell, and the cells' errors."""

    rows: list[Any]  # QuotaInput or ActivityTargetInput
    cells: list[Any]  # the cell (Cell or TargetCell) of each row, in the same order
    errors: dict[str, str]  # cell name -> reason

    def add_target(self, cell: TargetCell, start: dt.date, end: dt.date | None, per_week: int | None) -> None:
        owner = cell.owner
        self.rows.append(
            ActivityTargetInput(
                rep_id=owner.rep_id, team_id=owner.team_id, kind=cell.kind, start_date=start, end_date=end, per_week=per_week
            )
        )
        self.cells.append(cell)

    def apply_service_errors(self, errors: list[RowError]) -> None:
        for error in errors:
            if 0 <= error.row < len(self.cells):
                name = self.cells[error.row].name
                self.errors.setdefault(name, error.message)


def read_quota_grid(grid: QuotaGrid, data: Mapping[str, str]) -> GridChanges:
    """The changed cells of a posted quota grid as ``QuotaInput`` rows (cells not posted stay as they are)."""
    changes = GridChanges([], [], {})
    kind = grid.activity_kind if grid.metric == QuotaMetric.ACTIVITIES else ""
    for cell in grid.cells():
        if cell.name not in data:
            continue
        raw = data[cell.name]
        cell.raw = raw
        try:
            value = parse_target(raw)
        except CellError as error:
            changes.errors[cell.name] = str(error)
            continue
        if value == cell.value:
            continue
        if not cell.editable:
            changes.errors[cell.name] = _("A quota of another period covers this cell; change that quota instead.")
            continue
        changes.rows.append(
            QuotaInput(
                rep_id=cell.owner.rep_id,
                team_id=cell.owner.team_id,
                metric=grid.metric,
                activity_kind=kind,
                start_date=cell.column.start,
                end_date=cell.column.end,
                target=value,
            )
        )
        changes.cells.append(cell)
    return changes


def read_target_grid(grid: TargetGrid, data: Mapping[str, str]) -> GridChanges:
    """The changed cells of a posted activity target grid as ``ActivityTargetInput`` rows.

    A new value starts on the chosen Monday (the target in effect until then ends the day
    before; one starting later is kept, so the new one ends the day before it; else the new
    one ends when the one it replaces would have). An emptied
    cell removes a target that starts on that Monday, and ends an earlier one the day before.
    """
    changes = GridChanges([], [], {})
    monday = grid.monday
    day_before = monday - dt.timedelta(days=1)
    for cell in grid.cells():
        if cell.name not in data:
            continue
        raw = data[cell.name]
        cell.raw = raw
        try:
            value = parse_per_week(raw)
        except CellError as error:
            changes.errors[cell.name] = str(error)
            continue
        if value == cell.value:
            continue
        current = cell.current
        if current is not None and current.start_date == monday:
            # this target starts on the chosen Monday: change it in place (or remove it)
            changes.add_target(cell, monday, current.end_date, value)
            continue
        if current is not None:
            changes.add_target(cell, current.start_date, day_before, current.per_week)  # ends the day before
        if value is not None:
            # the new number runs until the next planned target, else as long as the one it replaces
            following = cell.following
            end = following.start_date - dt.timedelta(days=1) if following else (current.end_date if current else None)
            changes.add_target(cell, monday, end, value)
    return changes


# --- copy forward ---------------------------------------------------------------------------


class Source:
    PREVIOUS = "previous"
    LAST_YEAR = "last_year"


def parse_ramp(text: str) -> list[Decimal]:
    """ "25, 50, 75" (percent of full quota for a new rep's first, second, third month)."""
    shares = []
    for part in re.split(r"[,;/\s]+", text.replace("%", " ")):
        if not part:
            continue
        share = Decimal(part)
        if not 0 <= share <= 100:
            raise ValueError(part)
        shares.append(share)
    return shares


class CopyForwardForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Copy from"),
        choices=[
            (Source.PREVIOUS, gettext_lazy("the previous period")),
            (Source.LAST_YEAR, gettext_lazy("the same period last year")),
        ],
        widget=forms.RadioSelect,
        initial=Source.PREVIOUS,
    )
    uplift = forms.DecimalField(
        label=gettext_lazy("Uplift (%)"),
        initial=Decimal(0),
        min_value=Decimal(-99),
        max_value=Decimal(1000),
        decimal_places=2,
        localize=True,
        help_text=gettext_lazy("Every copied target grows by this share; 10 means +10 %, -5 means 5 % less."),
    )
    ramp = forms.CharField(
        label=gettext_lazy("Ramp for new reps (percent of full quota per month)"),
        initial="25, 50, 75",
        required=False,
        help_text=gettext_lazy(
            "A new rep's first month from their start date gets the first share, the second month the second, "
            "and so on; afterwards, the full quota. Empty: no ramp."
        ),
    )
    full_quota = forms.DecimalField(
        label=gettext_lazy("Full monthly quota of a new rep"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        localize=True,
        help_text=gettext_lazy("Empty: the average of the other reps' new targets, month by month."),
    )
    new_reps = forms.MultipleChoiceField(
        label=gettext_lazy("New reps (ramped)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Ticked: the reps whose start date falls within the ramp."),
    )
    overwrite = forms.BooleanField(
        label=gettext_lazy("Replace targets already set in this period"),
        required=False,
        help_text=gettext_lazy("Otherwise cells that already have a target keep it."),
    )

    def __init__(self, *args: Any, reps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_reps"].choices = reps

    def clean_ramp(self) -> list[Decimal]:
        try:
            return parse_ramp(self.cleaned_data["ramp"])
        except (ValueError, ArithmeticError) as error:
            raise forms.ValidationError(
                _("Write the shares as percentages between 0 and 100, separated by commas: 25, 50, 75.")
            ) from error


ACTIVITY_KIND_CHOICES = [(kind.value, kind.label) for kind in ActivityKind]
