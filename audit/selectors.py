"""The audit trail: who changed what, when, from which value to which, read from where each
change is already recorded.

- admin: Django admin's log (``LogEntry``), every add, change and delete made in the admin;
- quota, target: the history of quotas and weekly activity targets (django-simple-history),
  whatever the screen, file, API call or admin action that changed them;
- stage, owner: an opportunity's stage and owner changes (``reps`` keeps them for the KPIs).

One UNION ALL of the five sources, ordered by time, so a page of the trail costs one query
(and one more to count the rows), however many entries and sources there are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import ActivityTarget, Quota
from reps.models import OpportunityOwnerChange, OpportunityStageChange
from salesperf import l10n

KINDS: dict[str, Any] = {
    "admin": _("Admin change"),
    "quota": _("Quota"),
    "target": _("Weekly activity target"),
    "stage": _("Deal stage"),
    "owner": _("Deal owner"),
}
ACTIONS: dict[str, Any] = {
    "+": _("Added"),
    "~": _("Changed"),
    "-": _("Deleted"),
    "stage": _("Moved"),
    "owner": _("Reassigned"),
}
_ADMIN_ACTIONS = {str(ADDITION): "+", str(CHANGE): "~", str(DELETION): "-"}
# The columns of every source, in this order (UNION ALL matches them by position).
COLUMNS = ("kind", "at", "who_id", "who", "subject", "ref", "action", "old", "new", "note")


def _text(expression: Any) -> Any:
    return Cast(expression, output_field=TextField())


def _person(prefix: str) -> Any:
    """A user's full name, else their user name (as ``Rep.name`` shows it), in SQL."""
    full = Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"), output_field=TextField()))
    return Coalesce(NullIf(full, Value(""), output_field=TextField()), _text(F(f"{prefix}username")), output_field=TextField())


def _shape(queryset: QuerySet, *, kind: str, at: str, who: str, **columns: Any) -> QuerySet:
    """One source as rows of COLUMNS (``who`` is the path to the user, e.g. ``changed_by``)."""
    values = {
        "kind": Value(kind, output_field=TextField()),
        "at": F(at),
        "who_id": Cast(F(f"{who}_id"), output_field=IntegerField()),
        "who": _text(F(f"{who}__username")),
        **columns,
    }
    return (
        queryset.order_by().annotate(**{f"a_{name}": values[name] for name in COLUMNS}).values(*(f"a_{name}" for name in COLUMNS))
    )


def _previous(history: QuerySet, field: str) -> Any:
    """The value of ``field`` in the record's previous version (None for the first one)."""
    earlier = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    return _text(Subquery(earlier.values(field)[:1]))


def _owner_label(prefix: str) -> Any:
    """A quota's or target's owner: the rep's name, else the team's."""
    return Coalesce(_person(f"{prefix}rep__user__"), _text(F(f"{prefix}team__name")), output_field=TextField())


def _sources() -> dict[str, tuple[QuerySet, str, str]]:
    """Each source: (rows, time field, user field)."""
    quotas = Quota.history.model.objects.all()  # type: ignore[attr-defined]
    targets = ActivityTarget.history.model.objects.all()  # type: ignore[attr-defined]
    empty = Value("", output_field=TextField())
    return {
        "admin": (
            _shape(
                LogEntry.objects.all(),
                kind="admin",
                at="action_time",
                who="user",
                subject=_text(F("object_repr")),
                ref=Concat(F("content_type__app_label"), Value("."), F("content_type__model"), output_field=TextField()),
                action=_text(F("action_flag")),
                old=empty,
                new=_text(F("change_message")),
                note=empty,
            ),
            "action_time",
            "user",
        ),
        "quota": (
            _shape(
                quotas,
                kind="quota",
                at="history_date",
                who="history_user",
                subject=_owner_label(""),
                ref=_text(F("metric")),
                action=_text(F("history_type")),
                old=Concat(
                    _previous(quotas, "target"),
                    Value(" ("),
                    _previous(quotas, "start_date"),
                    Value(" – "),
                    _previous(quotas, "end_date"),
                    Value(")"),
                    output_field=TextField(),
                ),
                new=Concat(
                    _text(F("target")),
                    Value(" ("),
                    _text(F("start_date")),
                    Value(" – "),
                    _text(F("end_date")),
                    Value(")"),
                    output_field=TextField(),
                ),
                note=Coalesce(_text(F("history_change_reason")), empty, output_field=TextField()),
            ),
            "history_date",
            "history_user",
        ),
        "target": (
            _shape(
                targets,
                kind="target",
                at="history_date",
                who="history_user",
                subject=_owner_label(""),
                ref=_text(F("kind")),
                action=_text(F("history_type")),
                old=_previous(targets, "per_week"),
                new=_text(F("per_week")),
                note=Coalesce(_text(F("history_change_reason")), empty, output_field=TextField()),
            ),
            "history_date",
            "history_user",
        ),
        "stage": (
            _shape(
                OpportunityStageChange.objects.all(),
                kind="stage",
                at="changed_at",
                who="changed_by",
                subject=_text(F("opportunity__name")),
                ref=_text(F("opportunity_id")),
                action=Value("stage", output_field=TextField()),
                old=_text(F("from_stage__name")),
                new=_text(F("to_stage__name")),
                note=empty,
            ),
            "changed_at",
            "changed_by",
        ),
        "owner": (
            _shape(
                OpportunityOwnerChange.objects.all(),
                kind="owner",
                at="changed_at",
                who="changed_by",
                subject=_text(F("opportunity__name")),
                ref=_text(F("opportunity_id")),
                action=Value("owner", output_field=TextField()),
                old=_person("from_owner__user__"),
                new=_person("to_owner__user__"),
                note=empty,
            ),
            "changed_at",
            "changed_by",
        ),
    }


def audit_entries(
    *, kind: str | None = None, user_id: int | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> QuerySet:
    """Rows of the trail (dicts with the keys ``a_<column>``), newest first, filtered by source
    kind, by the user who made the change, and by local days ``since``..``until`` (inclusive).
    One query for any slice; :func:`audit_describe` turns a row into what the page shows."""
    parts = []
    for name, (rows, at, who) in _sources().items():
        if kind and name != kind:
            continue
        filters: dict[str, Any] = {}
        if user_id is not None:
            filters[f"{who}_id"] = user_id
        if since is not None:
            filters[f"{at}__gte"] = _start_of(since)
        if until is not None:
            filters[f"{at}__lt"] = _start_of(until + dt.timedelta(days=1))
        parts.append(rows.filter(**filters))
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-a_at", "a_kind")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class AuditEntry:
    kind: str
    kind_label: str
    at: dt.datetime
    who: str
    subject: str
    action: str
    old: str
    new: str
    note: str


def audit_describe(row: dict[str, Any]) -> AuditEntry:
    """What the page and the API show for one row of :func:`audit_entries` (no query)."""
    kind = row["a_kind"]
    action, subject, old, new = row["a_action"], row["a_subject"] or "", row["a_old"] or "", row["a_new"] or ""
    if kind == "admin":
        action = _ADMIN_ACTIONS.get(action, "~")
        model = _model_name(row["a_ref"])
        subject = f"{model}: {subject}" if model else subject
        new = LogEntry(change_message=new, action_flag=int(row["a_action"])).get_change_message()
    elif kind == "target":
        subject = f"{subject} · {_choice_label(ActivityTarget, 'kind', row['a_ref'])}"
    elif kind == "quota":
        subject = f"{subject} · {_choice_label(Quota, 'metric', row['a_ref'])}"
    if kind in ("quota", "target") and action == "+":
        old = ""
    return AuditEntry(
        kind=kind,
        kind_label=str(KINDS.get(kind, kind)),
        at=row["a_at"],
        who=row["a_who"] or "",
        subject=subject,
        action=str(ACTIONS.get(action, action)),
        old=old,
        new=new,
        note=row["a_note"] or "",
    )


def _model_name(label: str | None) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return ""


def _choice_label(model: Any, field: str, value: str | None) -> str:
    return str(dict(model._meta.get_field(field).choices).get(value, value or ""))


# A quota's value as the SQL above writes it for every reader (and the API keeps it so):
# "12500.00 (2026-01-01 – 2026-03-31)".
_QUOTA_VALUE = re.compile(r"^(-?\d+(?:\.\d+)?) \((\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})\)$")


def _local_amount(text: str) -> str | None:
    try:
        return l10n.cents(text)  # as the quota grid shows amounts
    except InvalidOperation:
        return None


def _local_quota(text: str) -> str:
    match = _QUOTA_VALUE.match(text)
    if not match:
        return text
    amount, start, end = match.groups()
    local = _local_amount(amount)
    if local is None:
        return text
    start_text, end_text = (l10n.date(dt.date.fromisoformat(day)) for day in (start, end))
    return f"{local} ({start_text} – {end_text})"


def _local_count(text: str) -> str:
    return l10n.number(int(text), 0, grouping=False) if text.lstrip("-").isdigit() else text


def audit_localized(entry: AuditEntry) -> AuditEntry:
    """The entry with its quota amounts, dates and per-week targets in the reader's language
    ("12 500,00 (2026. 01. 01. – 2026. 03. 31.)" in Hungarian, Persian digits in Persian),
    as the quota grid shows them. For the page; the API keeps the machine format."""
    if entry.kind == "quota":
        return replace(entry, old=_local_quota(entry.old), new=_local_quota(entry.new))
    if entry.kind == "target":
        return replace(entry, old=_local_count(entry.old), new=_local_count(entry.new))
    return entry
