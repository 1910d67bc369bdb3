"""The quota workspace: the quota grid, copy forward, and weekly activity targets.

Admins edit; managers see the teams they manage and edit them only when
``SALESPERF_MANAGERS_EDIT_QUOTAS`` is on (``reps.access.can_edit_quotas``); reps get a 403.
Thin views: they parse the pickers, read through ``kpis.quota_grids``, turn a posted
grid into service rows (``kpis.quota_forms``) and write through ``kpis.quotas`` (all or
nothing), then redirect back to the page they came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kpis import dashboard_selectors as reads
from kpis import quota_copy
from kpis.activity_target_grids import activity_target_grid, grid_targets, monday_of
from kpis.models import QuotaMetric
from kpis.quota_files import FORMATS as FILE_FORMATS
from kpis.quota_files import write_quotas_file
from kpis.quota_forms import (
    ACTIVITY_KIND_CHOICES,
    CopyForwardForm,
    GridChanges,
    parse_ramp,
    read_quota_grid,
    read_target_grid,
)
from kpis.quota_grids import (
    BY_LABELS,
    SPAN_LABELS,
    GridPeriod,
    grid_period_from_params,
    grid_quotas,
    quota_grid,
)
from kpis.quotas import (
    QuotaInputError,
    SaveResult,
    save_activity_targets,
    save_quotas,
    validate_activity_targets,
    validate_quotas,
)
from kpis.views import team_of_request
from reps import access
from reps.models import ActivityKind, Team

REFUSAL = gettext_lazy("Quotas are set by admins; managers see those of the teams they manage.")


@dataclass
class Workspace:
    """What every quota page starts from: the teams the user may pick, the team, the metric."""

    teams: list[Team]
    team: Team | None
    metric: str
    activity_kind: str
    can_edit: bool
    errors: list[str]

    @property
    def metric_label(self) -> str:
        return str(QuotaMetric(self.metric).label)

    @property
    def activity_kind_label(self) -> str:
        return str(ActivityKind(self.activity_kind).label) if self.activity_kind else ""

    def query(self, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"metric": self.metric}
        if self.team is not None:
            params["team"] = self.team.pk
        if self.metric == QuotaMetric.ACTIVITIES:
            params["activity_kind"] = self.activity_kind
        params.update(extra)
        return params


def _workspace(request: HttpRequest) -> Workspace:
    if not access.is_manager_or_admin(request.user):
        raise PermissionDenied(REFUSAL)
    teams = reads.team_choices(request.user)
    for team in teams:
        team.option_label = "\u2003" * getattr(team, "depth", 0) + team.name  # type: ignore[attr-defined]
    team = team_of_request(request, teams, refusal=_("You may only see the quotas of the teams you manage."))
    if team is not None and not access.can_see_quotas(request.user, team):
        raise PermissionDenied(REFUSAL)
    errors = []
    metric = request.GET.get("metric") or QuotaMetric.WON_REVENUE
    if metric not in QuotaMetric.values:
        errors.append(_("There is no metric “%(metric)s”; showing won revenue.") % {"metric": metric})
        metric = QuotaMetric.WON_REVENUE
    activity_kind = ""
    if metric == QuotaMetric.ACTIVITIES:
        activity_kind = request.GET.get("activity_kind") or ActivityKind.CALL
        if activity_kind not in ActivityKind.values:
            errors.append(_("There is no activity kind “%(kind)s”; showing calls.") % {"kind": activity_kind})
            activity_kind = ActivityKind.CALL
    can_edit = team is not None and access.can_edit_quotas(request.user, team)
    return Workspace(teams, team, metric, activity_kind, can_edit, errors)


def _require_edit(request: HttpRequest, workspace: Workspace) -> None:
    if request.method == "POST" and not workspace.can_edit:
        raise PermissionDenied(_("You may see these quotas but not change them; ask an admin."))


def _saved_message(result: SaveResult) -> str:
    if not (result.created or result.updated or result.deleted):
        return _("Nothing changed.")
    return _("Saved: %(created)s added, %(updated)s changed, %(deleted)s removed.") % {
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
    }


def _save(changes: GridChanges, save: Any, validate: Any, *, user: Any, source: str) -> SaveResult | None:
    """Write ``changes`` all or nothing; on any bad cell, mark every one and write nothing."""
    if changes.errors:
        # the typed values are wrong somewhere: still check the others, to mark them all at once
        changes.apply_service_errors(validate(changes.rows, user=user) if changes.rows else [])
        return None
    try:
        return save(changes.rows, user=user, source=source)
    except QuotaInputError as error:
        changes.apply_service_errors(error.errors)
        if not changes.errors:  # an error the service could not tie to a cell
            changes.errors[""] = "; ".join(e.message for e in error.errors)
        return None


def _error_list(changes: GridChanges, labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "label": labels.get(name, ""), "message": message} for name, message in changes.errors.items()]


def _download(request: HttpRequest, name: str, quotas: Any = (), targets: Any = ()) -> HttpResponse | None:
    """The shown quotas or targets as a quota file (``?download=csv|xlsx``): the same columns
    as an upload, so the file can be edited and uploaded back."""
    fmt = request.GET.get("download")
    if fmt is None:
        return None
    if fmt not in FILE_FORMATS:
        raise Http404(_("Downloads are CSV or xlsx."))
    response = HttpResponse(write_quotas_file(quotas, targets, fmt=fmt), content_type=FILE_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{fmt}"'
    return response


# --- the quota grid -------------------------------------------------------------------------


def _period_links(period: GridPeriod, workspace: Workspace, today: dt.date) -> dict[str, Any]:
    def link(target: GridPeriod) -> str:
        return "?" + urlencode(workspace.query(**target.query()))

    this = GridPeriod.containing(today, period.span, period.by)
    return {
        "previous": link(period.shifted(-1)),
        "next": link(period.shifted(1)),
        "current": link(this),
        "is_current": period == this,
    }


@login_required
@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest) -> HttpResponse:
    """The quota grid of a team: reps × months (or quarters), every cell editable."""
    workspace = _workspace(request)
    _require_edit(request, workspace)
    today = timezone.localdate()
    period, period_error = grid_period_from_params(request.GET, today=today)
    context: dict[str, Any] = {
        "workspace": workspace,
        "period": period,
        "period_error": period_error,
        "metrics": QuotaMetric.choices,
        "activity_kinds": ACTIVITY_KIND_CHOICES,
        "spans": list(SPAN_LABELS.items()),
        "bys": list(BY_LABELS.items()),
        "quarters": [1, 2, 3, 4],
        "links": _period_links(period, workspace, today),
        "query": urlencode(workspace.query(**period.query())),
        "decimal_separator": get_format("DECIMAL_SEPARATOR"),
    }
    if workspace.team is None:
        return render(request, "quotas/grid.html", context)
    quota_grid_ = quota_grid(
        team=workspace.team,
        teams=workspace.teams,
        metric=workspace.metric,
        activity_kind=workspace.activity_kind,
        period=period,
    )
    context["grid"] = quota_grid_
    if request.method == "GET":
        name = f"quotas-{workspace.team.name}-{workspace.metric}-{period.label}"
        downloaded = _download(request, name, quotas=grid_quotas(quota_grid_))
        if downloaded is not None:
            return downloaded
    if request.method == "POST":
        changes = read_quota_grid(quota_grid_, request.POST)
        result = _save(changes, save_quotas, validate_quotas, user=request.user, source="grid")
        if result is not None:
            messages.success(request, _saved_message(result))
            return redirect(f"{reverse('quotas:grid')}?{context['query']}")
        labels = {c.name: f"{c.owner.name}, {c.column.label}" for c in quota_grid_.cells()}
        for cell in quota_grid_.cells():
            cell.error = changes.errors.get(cell.name)
        context["errors"] = _error_list(changes, labels)
        return render(request, "quotas/grid.html", context, status=400)
    return render(request, "quotas/grid.html", context)


# --- copy forward ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def copy_forward(request: HttpRequest) -> HttpResponse:
    """Fill the grid's period from the previous one (or last year's) with an uplift and a ramp:
    preview first, then save."""
    workspace = _workspace(request)
    if not workspace.can_edit:
        raise PermissionDenied(_("You may see these quotas but not change them; ask an admin."))
    today = timezone.localdate()
    period, period_error = grid_period_from_params(request.GET, today=today)
    query = urlencode(workspace.query(**period.query()))
    context: dict[str, Any] = {"workspace": workspace, "period": period, "period_error": period_error, "query": query}
    if workspace.team is None:
        return render(request, "quotas/copy_forward.html", context)
    current = quota_grid(
        team=workspace.team, teams=workspace.teams, metric=workspace.metric, activity_kind=workspace.activity_kind, period=period
    )
    reps = [row.owner for row in current.rows if row.owner.kind == "rep"]
    choices = [(str(o.id), f"{o.name} ({_('started %(date)s') % {'date': o.start_date}})") for o in reps]
    default_ramp = parse_ramp(str(CopyForwardForm.base_fields["ramp"].initial))
    initial = {"new_reps": [str(o.id) for o in reps if quota_copy.is_in_ramp(o.start_date, period.start, default_ramp)]}
    if request.method == "GET":
        form = CopyForwardForm(initial=initial, reps=choices)
        context.update({"form": form})
        return render(request, "quotas/copy_forward.html", context)

    form = CopyForwardForm(request.POST, reps=choices)
    context["form"] = form
    if not form.is_valid():
        return render(request, "quotas/copy_forward.html", context, status=400)
    data = form.cleaned_data
    plan = quota_copy.plan_copy_forward(
        current,
        source=data["source"],
        uplift=data["uplift"],
        ramp=data["ramp"],
        new_rep_ids={int(pk) for pk in data["new_reps"]},
        full_quota=data["full_quota"],
        overwrite=data["overwrite"],
    )
    context.update({"plan": plan, "columns": current.columns})
    if request.POST.get("action") != "save":
        return render(request, "quotas/copy_forward.html", context)
    inputs = plan.inputs(metric=workspace.metric, activity_kind=workspace.activity_kind)
    source = _("copy forward from %(period)s, %(uplift)s %%") % {"period": plan.source_period.label, "uplift": data["uplift"]}
    try:
        result = save_quotas(inputs, user=request.user, source=source)
    except QuotaInputError as error:
        context["save_errors"] = [e.message for e in error.errors]
        return render(request, "quotas/copy_forward.html", context, status=400)
    messages.success(request, _saved_message(result))
    return redirect(f"{reverse('quotas:grid')}?{query}")


# --- weekly activity targets ----------------------------------------------------------------


def _monday(request: HttpRequest, today: dt.date) -> tuple[dt.date, str | None]:
    raw = request.GET.get("week", "").strip()
    if not raw:
        return monday_of(today), None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return monday_of(today), _("“%(value)s” is not a date (YYYY-MM-DD); showing this week.") % {"value": raw}
    if not 1900 <= day.year <= 2999:
        return monday_of(today), _("Pick a date between 1900 and 2999; showing this week.")
    return monday_of(day), None


@login_required
@require_http_methods(["GET", "POST"])
def activity_targets(request: HttpRequest) -> HttpResponse:
    """Weekly activity targets of a team's reps (and the team's default for them), from a Monday on."""
    workspace = _workspace(request)
    _require_edit(request, workspace)
    today = timezone.localdate()
    monday, week_error = _monday(request, today)
    query = urlencode({**({"team": workspace.team.pk} if workspace.team else {}), "week": monday.isoformat()})
    context: dict[str, Any] = {
        "workspace": workspace,
        "monday": monday,
        "week_error": week_error,
        "query": query,
        "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
        "next_week": (monday + dt.timedelta(days=7)).isoformat(),
    }
    if workspace.team is None:
        return render(request, "quotas/activity_targets.html", context)
    grid_ = activity_target_grid(team=workspace.team, teams=workspace.teams, monday=monday)
    context["grid"] = grid_
    if request.method == "GET":
        name = f"activity-targets-{workspace.team.name}-{monday.isoformat()}"
        downloaded = _download(request, name, targets=grid_targets(grid_))
        if downloaded is not None:
            return downloaded
    if request.method == "POST":
        changes = read_target_grid(grid_, request.POST)
        result = _save(changes, save_activity_targets, validate_activity_targets, user=request.user, source="grid")
        if result is not None:
            messages.success(request, _saved_message(result))
            return redirect(f"{reverse('quotas:activity_targets')}?{query}")
        labels = {c.name: f"{c.owner.name}, {c.label}" for c in grid_.cells()}
        for cell in grid_.cells():
            cell.error = changes.errors.get(cell.name)
        context["errors"] = _error_list(changes, labels)
        return render(request, "quotas/activity_targets.html", context, status=400)
    return render(request, "quotas/activity_targets.html", context)
