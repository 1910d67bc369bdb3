"""The cells of the quota grids as HTML, built here rather than in templates: a 200-rep
year grid has 2 400 cells, and an included template per cell took seconds to render.

Every text and attribute is escaped (``e``: the standard library's escape, quotes included;
``format_html`` was a third of the page's time).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kpis.activity_target_grids import TargetCell
from kpis.quota_grids import Cell
from kpis.templatetags.quota_tags import amount

UNDEFINED = "—"


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _input(cell: Any, label: str, *, inputmode: str, size: int, saved: str, placeholder: str = "") -> str:
    name = e(cell.name)
    invalid = f' aria-invalid="true" aria-describedby="err-{name}"' if cell.error else ""
    extra = f' placeholder="{e(placeholder)}"' if placeholder else ""
    return (
        f'<label class="visually-hidden" for="id_{name}">{e(label)}</label>'
        f'<input class="cell-input" type="text" inputmode="{inputmode}" autocomplete="off" size="{size}" id="id_{name}" '
        f'name="{name}" value="{e(cell.shown)}" data-saved="{e(saved)}"{extra}{invalid}>'
    )


def _error(cell: Any) -> str:
    return f'<small class="cell-error" id="err-{e(cell.name)}">{e(cell.error)}</small>' if cell.error else ""


def history_html(cell: Any, label: str) -> str:
    """A ↺ disclosure with the cell's changes, newest first (nothing when it has none)."""
    history = cell.history
    if not history or (len(history) == 1 and not history[0].source and not history[0].user):
        return ""  # made once, by no one in particular (seed data, a command): nothing to tell
    items = []
    for entry in cell.history:
        when = timezone.localtime(entry.when) if timezone.is_aware(entry.when) else entry.when
        items.append(
            f'<li><time datetime="{e(when.isoformat())}">{e(when.strftime("%Y-%m-%d %H:%M"))}</time> '
            f"{e(entry.user or _('system'))}: {e(amount(entry.old_target) or UNDEFINED)} → "
            f"{e(amount(entry.new_target) or UNDEFINED)}"
            + (f' <span class="muted">({e(entry.source)})</span>' if entry.source else "")
            + "</li>"
        )
    hidden = _("History of %(who)s, %(when)s") % {"who": cell.owner.name, "when": label}
    return (
        f'<details class="cell-history"><summary title="{e(_("History"))}"><span aria-hidden="true">↺</span>'
        f'<span class="visually-hidden">{e(hidden)}</span></summary><div class="history-pop"><ul>{"".join(items)}</ul></div>'
        "</details>"
    )


def quota_cell_html(cell: Cell, can_edit: bool, label_format: str) -> str:
    classes = "num cell" + (" has-error" if cell.error else "") + (" covered" if cell.others else "")
    data = f' data-amount="{e(cell.amount)}"' if cell.amount is not None else ""
    if can_edit and cell.editable:
        label = label_format % {"who": cell.owner.name, "when": cell.column.label}
        body = _input(cell, label, inputmode="decimal", size=9, saved=cell.saved)
    else:
        body = f'<span class="cell-value">{e(amount(cell.amount) or UNDEFINED)}</span>'
    notes = ""
    if cell.others:
        parts = [
            _("share of %(target)s for %(start)s – %(end)s")
            % {"target": amount(q.target), "start": q.start_date.isoformat(), "end": q.end_date.isoformat()}
            for q in cell.others
        ]
        notes = f'<small class="cell-note">{e("; ".join(parts))}</small>'
    return f'<td class="{classes}"{data}>{body}{notes}{_error(cell)}{history_html(cell, cell.column.label)}</td>'


def target_cell_html(cell: TargetCell, can_edit: bool, monday: Any) -> str:
    classes = "num cell" + (" has-error" if cell.error else "")
    if can_edit:
        label = _("%(kind)s per week for %(who)s") % {"kind": cell.label, "who": cell.owner.name}
        placeholder = "" if cell.default is None else str(cell.default)
        saved = "" if cell.value is None else str(cell.value)
        body = _input(cell, label, inputmode="numeric", size=5, saved=saved, placeholder=placeholder)
    else:
        css = "cell-value" + (" muted" if cell.value is None else "")
        body = f'<span class="{css}">{e(UNDEFINED if cell.effective is None else cell.effective)}</span>'
    notes: list[str] = []
    if cell.current is not None and cell.current.start_date != monday:
        notes.append(_("since %(start)s") % {"start": cell.current.start_date.isoformat()})
    if cell.following is not None:
        notes.append(
            _("%(per_week)s from %(start)s")
            % {"per_week": cell.following.per_week, "start": cell.following.start_date.isoformat()}
        )
    note_html = "".join(f'<small class="cell-note">{e(note)}</small>' for note in notes)
    return f'<td class="{classes}">{body}{note_html}{_error(cell)}{history_html(cell, cell.label)}</td>'


def quota_cells_html(cells: Sequence[Cell], can_edit: bool) -> SafeString:
    label_format = _("Target for %(who)s, %(when)s")  # translated once per row, not per cell
    return mark_safe("".join(quota_cell_html(cell, can_edit, label_format) for cell in cells))  # each part escaped


def target_cells_html(cells: Sequence[TargetCell], can_edit: bool, monday: Any) -> SafeString:
    return mark_safe("".join(target_cell_html(cell, can_edit, monday) for cell in cells))  # each part escaped
