"""Manager pages: team dashboard, rep page, weekly team meeting, leaderboard.

Thin views: they parse the pickers, call the KPI selectors (``kpis.selectors``) and the
dashboard reads (``kpis.dashboard_selectors``), shape tables (``kpis.exports``) and charts
(``kpis.charts``), and render, or send one table as CSV with ``?export=<table>``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from coaching import rules as coaching_rules
from coaching import selectors as coaching
from forecasts import deviations
from forecasts import selectors as forecasts
from forecasts import tables as forecast_tables
from kpis import charts, selectors
from kpis import dashboard_selectors as reads
from kpis.exports import (
    BAND_LABELS,
    Column,
    Kind,
    Table,
    csv_response,
    fixed,
    format_value,
    sort_rows,
    valid_sort,
    xlsx_response,
)
from kpis.models import QuotaMetric
from kpis.periods import PERIOD_KIND_LABELS, Period, PeriodKind, day_start, period_from_params
from kpis.targets import working_days
from reps import access
from reps.access import Role, role_of
from reps.models import ActivityKind, Rep, Team
from salesperf import l10n

OPEN_DEALS_PER_PAGE = 50


# --- pickers --------------------------------------------------------------------------------


def metric_from_params(params: Any) -> tuple[str, str, str]:
    """The metric (and activity kind) chosen by URL parameters ``metric`` and ``activity_kind``,
    and an error message. Bad input never fails: it falls back to won revenue and says why.
    An activity kind given with another metric is ignored (the form always sends one)."""
    metric = (params.get("metric") or "").strip() or QuotaMetric.WON_REVENUE
    kind = (params.get("activity_kind") or "").strip()
    if metric not in QuotaMetric.values:
        return QuotaMetric.WON_REVENUE, "", _("Unknown metric “%(metric)s”: choose one of the list.") % {"metric": metric}
    if metric != QuotaMetric.ACTIVITIES:
        return metric, "", ""
    if kind not in ActivityKind.values:
        return QuotaMetric.WON_REVENUE, "", _("Pick which kind of activity the metric “Activities of one kind” counts.")
    return metric, kind, ""


def metric_label(metric: str, activity_kind: str = "") -> str:
    """The metric as the user reads it: "Deals won", "Activities: Call"."""
    if metric == QuotaMetric.ACTIVITIES:
        return _("Activities: %(kind)s") % {"kind": ActivityKind(activity_kind).label}
    return str(QuotaMetric(metric).label)


class Picker:
    """The period (and team) chosen through the URL, and the links that change them."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        today: dt.date,
        teams: Sequence[Team] = (),
        team: Team | None = None,
        default: Period | None = None,
        kinds: Iterable[PeriodKind] = tuple(PeriodKind),
        metrics: bool = False,
    ) -> None:
        self.request = request
        self.today = today
        self.teams = teams
        self.team = team
        self.kinds = [(kind.value, PERIOD_KIND_LABELS[kind]) for kind in kinds]
        params = request.GET
        if len(self.kinds) == 1 and not params.get("period"):
            # a page that knows one kind of period reads ?start= as any day of it
            params = params.copy()
            params["period"] = self.kinds[0][0]
        self.period, self.error = period_from_params(params, today=today, default=default)
        if self.period.kind not in {kind for kind, _label in self.kinds}:
            # pages that only know weeks (the team meeting) take the week the range starts in
            self.period = Period.containing(self.kinds[0][0], self.period.start)
        self.sort = request.GET.get("sort", "")
        # The quota metric the page's targets are of (pages with quota figures offer the choice).
        self.metrics = metrics
        self.metric, self.activity_kind, self.metric_error = (
            metric_from_params(request.GET) if metrics else (QuotaMetric.WON_REVENUE, "", "")
        )
        self.metric_choices = QuotaMetric.choices
        self.activity_kind_choices = ActivityKind.choices
        for team in teams:
            team.option_label = "\u2003" * getattr(team, "depth", 0) + team.name  # type: ignore[attr-defined]

    @property
    def has_custom(self) -> bool:
        """Whether the page offers a custom range (and so an end date to pick)."""
        return any(kind == PeriodKind.CUSTOM for kind, _label in self.kinds)

    def query(self, **changes: Any) -> str:
        """The current page's query string with ``changes`` applied (None removes a key)."""
        params: dict[str, Any] = {}
        if self.team is not None:
            params["team"] = self.team.pk
        params.update(self.period.query())
        if self.metric != QuotaMetric.WON_REVENUE:
            params["metric"] = self.metric
            if self.activity_kind:
                params["activity_kind"] = self.activity_kind
        if self.sort:
            params["sort"] = self.sort
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + urlencode(params)

    def period_query(self, period: Period) -> str:
        changes: dict[str, Any] = {"period": period.kind.value, "start": period.start.isoformat(), "end": None}
        if period.kind == PeriodKind.CUSTOM:
            changes["end"] = period.end.isoformat()
        return self.query(**changes)

    @property
    def previous_url(self) -> str:
        return self.period_query(self.period.previous())

    @property
    def next_url(self) -> str:
        return self.period_query(self.period.next())

    @property
    def shortcuts(self) -> list[dict[str, Any]]:
        """ "This week / month / quarter" links, marked when they are the shown period."""
        result = []
        labels = {
            PeriodKind.WEEK: gettext_lazy("This week"),
            PeriodKind.MONTH: gettext_lazy("This month"),
            PeriodKind.QUARTER: gettext_lazy("This quarter"),
        }
        for kind, label in labels.items():
            if kind.value not in {k for k, _label in self.kinds}:
                continue
            period = Period.containing(kind, self.today)
            result.append({"label": label, "url": self.period_query(period), "current": period == self.period})
        return result

    @property
    def query_without_sort(self) -> str:
        """The query string (no leading "?") that sort links add ``&sort=…`` to."""
        return self.query(sort=None, export=None)[1:]

    def export_url(self, table: str, file_format: str | None = None) -> str:
        return self.query(export=table, format=file_format)

    @property
    def export_all_url(self) -> str:
        """Every table of the page in one Excel workbook, a sheet each."""
        return self.query(export="all", format="xlsx")

    @property
    def metric_label(self) -> str:
        return metric_label(self.metric, self.activity_kind)

    @property
    def is_money(self) -> bool:
        return self.metric == QuotaMetric.WON_REVENUE

    @property
    def selection(self) -> dict[str, str]:
        """The metric as keyword arguments of the KPI selectors."""
        return {"metric": self.metric, "activity_kind": self.activity_kind}


def team_of_request(request: HttpRequest, teams: Sequence[Team], refusal: str | None = None) -> Team | None:
    """The team in ``?team=``, or the user's top team; 403 (with ``refusal``) for a team they may not see."""
    raw = request.GET.get("team", "").strip()
    if not raw:
        return teams[0] if teams else None
    by_id = {str(team.pk): team for team in teams}
    if raw not in by_id:
        if access.is_admin(request.user):  # an admin sees every team: this one does not exist
            raise Http404(_("There is no team with id %(id)s.") % {"id": raw[:20]})
        raise PermissionDenied(refusal or _("You may only see the dashboards of the teams you manage."))
    return by_id[raw]


def require_manager_or_admin(request: HttpRequest, refusal: str | None = None) -> None:
    """403 (with ``refusal``) unless the user manages a team or is an admin."""
    if not access.is_manager_or_admin(request.user):
        raise PermissionDenied(refusal or _("Team pages are for the managers of a team."))


# --- table columns --------------------------------------------------------------------------


# A rep id no real rep has: the rep page's URL is reversed once per table with it, then
# filled in per row (reversing per row took a tenth of a millisecond each, 200 rows a page).
_REP_ID_SLOT = 2_147_483_647


def rep_links(query: str = "") -> Callable[[Mapping[str, Any]], str]:
    """A column ``link`` to the rep page of the row's rep (with ``query``), "" for a row without one."""
    prefix, suffix = reverse("rep_detail", args=[_REP_ID_SLOT]).split(str(_REP_ID_SLOT), 1)

    def link(row: Mapping[str, Any]) -> str:
        rep = row.get("rep")
        return f"{prefix}{rep['id']}{suffix}{query}" if rep else ""

    return link


def _name(row: Mapping[str, Any]) -> Any:
    who = row.get("rep") or row.get("team")
    return who["name"] if who else row.get("name")


def _gap(row: Mapping[str, Any]) -> Decimal | None:
    """Target − actual, from the figures the selectors give; None without a target or once reached."""
    target, actual = row.get("target"), row.get("actual")
    if target is None or actual is None:
        return None
    gap = Decimal(target) - Decimal(actual)
    return gap if gap > 0 else None


def _activity_plan(row: Mapping[str, Any]) -> str:
    return f"{row.get('activities_done_as_planned', 0)} / {row.get('activities_planned', 0)}"


def one_to_one_links() -> Callable[[Mapping[str, Any]], str]:
    """A column ``link`` to plan a one-to-one with the row's rep."""
    prefix = reverse("coaching_session_create") + "?rep="

    def link(row: Mapping[str, Any]) -> str:
        rep = row.get("rep")
        return f"{prefix}{rep['id']}" if rep else ""

    return link


def _team_links(picker: Picker) -> Callable[[Mapping[str, Any]], str]:
    """A column ``link`` to the dashboard of the row's rep's team (same period and metric)."""
    base = reverse("dashboard")

    def link(row: Mapping[str, Any]) -> str:
        team_id = row.get("rep_team_id")
        return f"{base}{picker.query(team=team_id, sort=None)}" if team_id and row.get("rep") else ""

    return link


def _sub_team_links(picker: Picker) -> Callable[[Mapping[str, Any]], str]:
    """A column ``link`` to the dashboard of the row's team (same period and metric)."""
    base = reverse("dashboard")

    def link(row: Mapping[str, Any]) -> str:
        team = row.get("team")
        return f"{base}{picker.query(team=team['id'], sort=None)}" if team else ""

    return link


def _by_team_and_name(row: Mapping[str, Any]) -> tuple[str, str, int]:
    """A region's reps team by team, then by name (its page's default order)."""
    return (row.get("team_name") or "").lower(), row["rep"]["name"].lower(), row["rep"]["id"]


def _plan_label(row: Mapping[str, Any]) -> str:
    return _("Plan a one-to-one") if row.get("rep") else ""


def team_columns(link_query: str, metric: str = QuotaMetric.WON_REVENUE) -> list[Column]:
    """The columns of the team dashboard, the most telling first (a phone shows those first).

    Target and actual are of ``metric``: money for won revenue, numbers for the counts (a
    prorated count target can have decimals); the pipeline columns are money, so only for
    won revenue."""
    money = metric == QuotaMetric.WON_REVENUE
    exact = _("Shown rounded; the band compares the exact value.")
    columns = [
        Column("name", _("Rep"), Kind.TEXT, get=_name, link=rep_links(link_query)),
        Column("band", _("Band"), Kind.BAND, help=_("Pace while the period runs, attainment once it has ended.")),
        Column("attainment", _("Attainment"), Kind.PERCENT, help=exact),
        Column("pace", _("Pace"), Kind.PERCENT, help=_("Actual against what is expected by today.") + " " + exact),
        Column(
            "target",
            _("Target"),
            Kind.MONEY if money else Kind.NUMBER,
            help=_("The period's share of the quotas: each spread evenly over its working days."),
        ),
        Column("actual", _("Actual"), Kind.MONEY if money else Kind.INT),
        Column(
            "gap",
            _("Gap"),
            Kind.MONEY if money else Kind.NUMBER,
            get=_gap,
            help=_("What is still missing to the target (target − actual); empty once reached."),
        ),
    ]
    if money:
        columns += [
            Column("forecast", _("Forecast"), Kind.MONEY, help=_("Actual plus weighted pipeline.")),
            Column(
                "open_pipeline",
                _("Open pipeline"),
                Kind.MONEY,
                help=_("Open deals expected to close in the rest of the period."),
            ),
            Column("weighted_pipeline", _("Weighted pipeline"), Kind.MONEY),
            Column("coverage", _("Coverage"), Kind.PERCENT, help=_("Open pipeline over what is still missing to the target.")),
        ]
    return [
        *columns,
        Column("win_rate", _("Win rate"), Kind.PERCENT),
        Column("offer_to_close", _("Offer → close"), Kind.PERCENT),
        Column("contact_to_offer", _("Contact → offer"), Kind.PERCENT),
        fixed("plan", _("Activities done / planned"), Kind.FIGURES, get=_activity_plan),
        Column("plan_completion", _("Plan done"), Kind.PERCENT),
        Column("csat", _("CSAT"), Kind.SCORE),
        Column("complaints", _("Complaints"), Kind.INT),
    ]


def funnel_table(row: Mapping[str, Any] | None) -> Table:
    steps = charts.funnel_steps(row or {})
    return Table(
        "funnel",
        _("Funnel: contacts to won deals, with the conversion from the step before"),
        [
            fixed("label", _("Step"), Kind.TEXT),
            fixed("value", _("Count"), Kind.INT),
            fixed("conversion", _("Conversion"), Kind.PERCENT),
        ],
        steps,
    )


def trends_table(series: Sequence[Mapping[str, Any]]) -> Table:
    return Table(
        "trends",
        _("Weekly trends"),
        [
            fixed("week", _("Week of"), Kind.DATE),
            fixed("won_revenue", _("Won revenue"), Kind.MONEY),
            fixed("deals_won", _("Deals won"), Kind.INT),
            fixed("offers_submitted", _("Offers"), Kind.INT),
            fixed("discovery_meetings", _("Discovery meetings"), Kind.INT),
            fixed("proposal_meetings", _("Proposal meetings"), Kind.INT),
            fixed("contacts", _("Contacts"), Kind.INT),
        ],
        series,
    )


def pipeline_tables(by_stage: Sequence[Mapping[str, Any]], by_month: Sequence[Mapping[str, Any]]) -> tuple[Table, Table]:
    money = [
        fixed("count", _("Deals"), Kind.INT),
        fixed("amount", _("Amount"), Kind.MONEY),
        fixed("weighted", _("Weighted"), Kind.MONEY),
    ]
    stage = Table("pipeline_stage", _("Open pipeline by stage"), [fixed("stage", _("Stage")), *money], by_stage)
    month = Table(
        "pipeline_month",
        _("Open pipeline by expected close month"),
        [
            Column(
                "month",
                _("Expected close"),
                kind=Kind.FIGURES,
                get=lambda row: row["month"].strftime("%Y-%m") if row.get("month") else _("No date"),
                sortable=False,
            ),
            *money,
        ],
        by_month,
    )
    return stage, month


# The escapes of django.utils.html.json_script, so a name like "</script>" cannot end the tag.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def chart(key: str, title: str, figure: Any, table: Table, picker: Picker, note: str | None = None) -> dict[str, Any]:
    """A chart for the page: its figure as JSON (drawn by static/js/dashboard.js) and its data
    table as text alternative (screen readers, no JS, print) and CSV. With ``note``, the note
    shows instead of the figure (nothing to draw), the table stays."""
    return {
        "key": key,
        "title": title,
        "figure_json": "" if note else mark_safe(figure.to_json().translate(_JSON_SCRIPT_ESCAPES)),  # escaped like json_script
        "table": table,
        "note": note,
    }


def _export(request: HttpRequest, picker: Picker, tables: Iterable[Table], name: str) -> HttpResponse | None:
    """The table named in ``?export=`` as CSV (or, with ``&format=xlsx``, as an Excel workbook;
    ``?export=all&format=xlsx``: every table, a sheet each), if any; else None (and each table
    learns its download links)."""
    tables = list(tables)
    for table in tables:
        table.export_url = picker.export_url(table.key)
        table.xlsx_url = picker.export_url(table.key, "xlsx")
    wanted = request.GET.get("export")
    if not wanted:
        return None
    file_format = request.GET.get("format") or "csv"
    if file_format not in ("csv", "xlsx"):
        raise Http404(_("Tables download as csv or xlsx, not “%(format)s”.") % {"format": file_format})
    if wanted == "all" and file_format == "xlsx":
        return xlsx_response(tables, f"{name}-all")
    for table in tables:
        if table.key == wanted:
            if file_format == "xlsx":
                return xlsx_response([table], f"{name}-{table.key}")
            return csv_response(table, f"{name}-{table.key}")
    raise Http404(_("There is no table “%(table)s” on this page.") % {"table": wanted})


# --- team dashboard -------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The team dashboard: who is over or under quota for the period, and why."""
    require_manager_or_admin(request)
    user = request.user
    today = timezone.localdate()
    teams = reads.team_choices(user)
    team = team_of_request(request, teams)
    picker = Picker(request, today=today, teams=teams, team=team, metrics=True)
    context: dict[str, Any] = {"picker": picker, "period": picker.period, "team": team, "today": today}
    if team is None:
        return render(request, "kpis/dashboard.html", context)
    period = picker.period

    previous = period.previous()
    is_region = len(reads.team_and_below(team.pk, teams)) > 1
    overview = selectors.team_overview(
        user=user,
        team_id=team.pk,
        start=period.start,
        end=period.end,
        today=today,
        teams=teams,
        previous=(previous.start, previous.end),
        # a region reads the weekly trend of the reps of the page it shows only (below), and
        # works out the figures of those reps only (unless sorted by one or downloaded)
        with_rep_series=not is_region,
        defer_rep_rows=is_region,
        **picker.selection,
    )
    rows, totals, series = overview.rows, overview.total, overview.series
    by_stage, by_month = reads.pipeline_snapshot(user=user, team_ids=reads.team_and_below(team.pk, teams))
    team_names = {t.pk: t.name for t in teams}
    for row in rows:
        row["rep_team_id"] = overview.rep_teams.get(row["rep"]["id"])
        row["team_name"] = team_names.get(row["rep_team_id"], "")

    columns = team_columns(picker.query(sort=None, team=None), picker.metric)
    columns.insert(
        7,
        fixed(
            "trend",
            _("12 weeks"),
            Kind.SPARKLINE,
            help=_("The rep's %(metric)s per week, the last 12 weeks.") % {"metric": picker.metric_label},
            export=False,  # a picture of the weekly trends table, which exports its numbers
        ),
    )
    columns.append(fixed("one_to_one", _("Action"), get=_plan_label, link=one_to_one_links(), export=False))
    if is_region:
        # a region: which of its teams each rep is in
        columns.insert(1, Column("team_name", _("Team"), Kind.TEXT, link=_team_links(picker)))
    sort = valid_sort(picker.sort, columns)
    shown, page = rows, None
    team_rows = overview.team_rows
    if is_region and request.GET.get("export") not in ("reps", "all", "teams"):
        # A region of thousands of reps: ordered across all of them (unless sorted, team by
        # team), then shown (and formatted, the page's main cost) a page at a time, with the
        # subtotals of the teams on the page; the downloads keep every rep and every team.
        if sort:
            overview.complete_rows(rows)  # sorted by a figure: every rep's figures
        ordered = sort_rows(rows, columns, sort) if sort else sorted(rows, key=_by_team_and_name)
        page = Paginator(ordered, REGION_REPS_PER_PAGE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
        on_page = {overview.sub_team_of.get(row["rep_team_id"]) for row in shown}
        team_rows = [row for row in team_rows if row["team"]["id"] in on_page]
    overview.complete_rows(shown)  # a region's rows wait for this (every rep when downloaded)
    rep_series = overview.rep_series
    if is_region:
        rep_series = selectors.rep_weekly_actuals(
            rep_ids=[row["rep"]["id"] for row in shown],
            team_ids=reads.team_and_below(team.pk, teams),
            mondays=[week["week"] for week in series],
            **picker.selection,
        )
    for row in shown:
        row["trend"] = rep_series.get(row["rep"]["id"], [0] * len(series))
    reps_table = Table(
        "reps",
        _("Reps of %(team)s, %(period)s, quota of %(metric)s")
        % {"team": team.name, "period": period.label, "metric": picker.metric_label},
        columns,
        shown,
        totals={**totals, "team": {"id": team.pk, "name": _("Team total")}} if totals else None,
        sort=sort,
    )
    teams_table = None
    if team_rows:
        teams_table = Table(
            "teams",
            _("Teams of %(team)s, %(period)s, quota of %(metric)s")
            % {"team": team.name, "period": period.label, "metric": picker.metric_label},
            [
                Column("name", _("Team"), Kind.TEXT, get=_name, link=_sub_team_links(picker), sortable=False),
                *(replace(column, sortable=False) for column in team_columns("", picker.metric)[1:]),
            ],
            team_rows,
        )
    stage_table, month_table = pipeline_tables(by_stage, by_month)
    charts_ = [
        chart(
            "attainment",
            _("Attainment per rep"),
            charts.attainment_figure(shown),
            _attainment_table(shown),
            picker,
            # An empty plot would show stray axis ticks where the reps' names belong.
            note=None
            if any(row.get("attainment") is not None for row in shown)
            else _("No rep has a quota of this metric in this period, so there is no attainment to draw."),
        ),
        chart("funnel", _("Funnel"), charts.funnel_figure(totals or {}), funnel_table(totals), picker),
        chart("trends", _("12-week trends"), charts.trends_figure(series), trends_table(series), picker),
        chart("pipeline_stage", _("Open pipeline by stage"), charts.pipeline_by_stage_figure(by_stage), stage_table, picker),
        chart(
            "pipeline_month",
            _("Open pipeline by expected close month"),
            charts.pipeline_by_month_figure(by_month),
            month_table,
            picker,
        ),
    ]
    tables = [reps_table, *([teams_table] if teams_table else []), *(c["table"] for c in charts_)]
    exported = _export(request, picker, tables, f"dashboard-{team.name}-{period.start}")
    if exported is not None:
        return exported
    context.update(
        {
            "reps_table": reps_table,
            "reps_page": page,
            "teams_table": teams_table,
            "reps_export_url": picker.export_url("reps"),
            "charts": charts_,
            "has_quota": overview.has_rep_quota,
            "can_edit_quotas": access.can_edit_quotas(user, team),
            "has_data": any(_has_activity(row) for row in rows),
            "computed_at": overview.computed_at,
            "tiles": head_tiles(totals, overview.previous_total, picker),
            "previous_period": previous,
            "just_started": period.is_running(today) and working_days(period.start, today) <= EARLY_WORKING_DAYS,
        }
    )
    return render(request, "kpis/dashboard.html", context)


# Reps a region's page shows at a time (its team subtotals show every team).
REGION_REPS_PER_PAGE = 50

# A period "has just started" in its first working days: its pace says little yet, so the
# dashboard offers the previous period's result.
EARLY_WORKING_DAYS = 3


def head_tiles(total: Mapping[str, Any], previous: Mapping[str, Any] | None, picker: Picker) -> list[dict[str, Any]]:
    """The dashboard's head: the team total's figures (as the selectors give them) as tiles."""
    value_kind = Kind.MONEY if picker.is_money else Kind.NUMBER

    def shown(value: Any, kind: Kind) -> str:
        return format_value(value, kind).text

    tiles: list[dict[str, Any]] = []
    band_ = total.get("band")
    running = picker.period.is_running(picker.today)
    tiles.append(
        {
            "key": "attainment",
            "label": _("Attainment"),
            "value": shown(total.get("attainment"), Kind.PERCENT),
            "note": _("Pace %(pace)s") % {"pace": shown(total.get("pace"), Kind.PERCENT)} if running else "",
            "band": band_,
            "band_label": BAND_LABELS.get(band_, "") if band_ else "",
        }
    )
    target, actual = total.get("target"), total.get("actual")
    if target is not None and actual is not None:
        gap = Decimal(target) - Decimal(actual)
        tiles.append(
            {
                "key": "gap",
                "label": _("Gap to target") if gap > 0 else _("Over target by"),
                "value": shown(abs(gap), value_kind),
                "note": _("%(actual)s of %(target)s")
                % {"actual": shown(actual, value_kind), "target": shown(target, value_kind)},
            }
        )
    if picker.is_money and target is not None:
        forecast = total.get("forecast")
        tiles.append(
            {
                "key": "forecast",
                "label": _("Forecast vs target"),
                "value": shown(Decimal(forecast) / Decimal(target) if forecast is not None and target else None, Kind.PERCENT),
                "note": _("Forecast %(forecast)s") % {"forecast": shown(forecast, Kind.MONEY)},
            }
        )
        tiles.append(
            {
                "key": "coverage",
                "label": _("Coverage"),
                "value": shown(total.get("coverage"), Kind.PERCENT),
                "note": _("Open pipeline %(amount)s") % {"amount": shown(total.get("open_pipeline"), Kind.MONEY)},
            }
        )
    tiles.append({"key": "win_rate", "label": _("Win rate"), "value": shown(total.get("win_rate"), Kind.PERCENT), "note": ""})
    if previous is not None:
        now_value, before = total.get("actual"), previous.get("actual")
        change = None if now_value is None or before is None else Decimal(now_value) - Decimal(before)
        arrow = "" if change is None else ("▲" if change > 0 else "▼" if change < 0 else "=")
        tiles.append(
            {
                "key": "change",
                "label": _("Against %(period)s") % {"period": picker.period.previous().label},
                "value": f"{arrow} {shown(abs(change) if change is not None else None, value_kind)}".strip(),
                "direction": "up" if change and change > 0 else "down" if change and change < 0 else "",
                "note": _("%(metric)s then: %(before)s; attainment %(attainment)s")
                % {
                    "metric": picker.metric_label,
                    "before": shown(before, value_kind),
                    "attainment": shown(previous.get("attainment"), Kind.PERCENT),
                },
            }
        )
    return tiles


def _has_activity(row: Mapping[str, Any]) -> bool:
    keys = ("contacts", "activities_planned", "opportunities_created", "deals_won", "deals_lost", "offers_submitted")
    return any(row.get(key) for key in keys)


def _attainment_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    return Table(
        "attainment",
        l10n.digits(_("Attainment per rep (80 % = close, 100 % = on target)")),
        [
            fixed("name", _("Rep"), get=_name),
            fixed("attainment", _("Attainment"), Kind.PERCENT),
            fixed("pace", _("Pace"), Kind.PERCENT),
            fixed("band", _("Band"), Kind.BAND),
        ],
        [row for row in rows if row.get("attainment") is not None],
    )


# --- rep page -------------------------------------------------------------------------------


def _visible_rep(request: HttpRequest, rep_id: int) -> Rep:
    """The rep, if the user may see them (a rep themselves, their manager, an admin); else 404."""
    rep = access.visible_reps(request.user).select_related("user", "team").filter(pk=rep_id).first()
    if rep is None:
        raise Http404(_("No such rep among the ones you may see."))
    return rep


@login_required
def rep_detail(request: HttpRequest, rep_id: int) -> HttpResponse:
    """One rep's figures over the period and over time, open deals, overdue steps, activity plan."""
    user = request.user
    rep = _visible_rep(request, rep_id)
    today = timezone.localdate()
    picker = Picker(request, today=today, metrics=True)
    period = picker.period
    # As their manager (or an admin) the figures are those of the rep's team; the rep sees their own.
    team_id = rep.team_id if rep.team_id and access.can_manage_rep(user, rep) else None
    rows = selectors.kpi_table(
        user=user,
        start=period.start,
        end=period.end,
        group_by="rep",
        team_id=team_id,
        today=today,
        rep_ids=[rep.pk],
        **picker.selection,
    )
    row = rows[0] if rows else None
    series = selectors.weekly_series(user=user, rep_id=rep.pk, weeks=12, until=min(period.end, today))
    by_stage, by_month = reads.pipeline_snapshot(user=user, rep_ids=[rep.pk])

    figures_table = Table(
        "figures",
        _("%(rep)s, %(period)s, quota of %(metric)s") % {"rep": rep.name, "period": period.label, "metric": picker.metric_label},
        [c for c in team_columns("", picker.metric) if c.key != "name"],
        [row] if row else [],
    )
    stage_table, month_table = pipeline_tables(by_stage, by_month)
    charts_ = [
        chart("funnel", _("Funnel"), charts.funnel_figure(row or {}), funnel_table(row), picker),
        chart("trends", _("12-week trends"), charts.trends_figure(series), trends_table(series), picker),
        chart("pipeline_stage", _("Open pipeline by stage"), charts.pipeline_by_stage_figure(by_stage), stage_table, picker),
        chart(
            "pipeline_month",
            _("Open pipeline by expected close month"),
            charts.pipeline_by_month_figure(by_month),
            month_table,
            picker,
        ),
    ]

    week = Period.containing(PeriodKind.WEEK, today)
    plan_table = activity_plan_table(reads.activity_plan(user=user, rep=rep, week_start=week.start), week)
    overdue_table = overdue_table_of(reads.overdue_next_steps(user=user, rep=rep, today=today), today)
    can_manage = access.can_manage_rep(user, rep)
    can_coach = coaching_rules.can_coach(user, rep)
    review_table = deals_to_review_table(
        coaching.deals_to_review(user=user, rep_ids=[rep.pk], today=today).get(rep.pk, []), can_review=can_coach
    )
    open_qs = reads.open_opportunities(user=user, rep=rep, today=today)
    # The CSV has every open deal; the page shows them a page at a time.
    page = (
        Paginator(open_qs, OPEN_DEALS_PER_PAGE).get_page(request.GET.get("page"))
        if request.GET.get("export") != "open_deals"
        else None
    )
    open_deals = list(open_qs if page is None else page.object_list)
    last_reviews = coaching.last_reviews(user=user, opportunity_ids=[o.pk for o in open_deals])
    open_table = open_deals_table(open_deals, today, last_reviews=last_reviews)
    # how close the rep's monthly calls came to what they won (docs/kpis.md, "Forecasts")
    accuracy = forecasts.accuracy(user=user, kind=PeriodKind.MONTH.value, today=today, rep_ids=[rep.pk])[("rep", rep.pk)]
    accuracy_table = forecast_tables.accuracy_table(accuracy)
    tables = [
        figures_table,
        review_table,
        open_table,
        overdue_table,
        plan_table,
        accuracy_table,
        *(c["table"] for c in charts_),
    ]
    exported = _export(request, picker, tables, f"rep-{rep.name}-{period.start}")
    if exported is not None:
        return exported
    return render(
        request,
        "kpis/rep_detail.html",
        {
            "rep": rep,
            "row": row,
            "picker": picker,
            "period": period,
            "figures_table": figures_table,
            "charts": charts_,
            "plan_table": plan_table,
            "overdue_table": overdue_table,
            "review_table": review_table,
            "open_table": open_table,
            "accuracy_table": accuracy_table,
            "accuracy_summary": forecast_tables.accuracy_summary(accuracy),
            "page": page,
            "is_own": getattr(access.rep_of(user), "pk", None) == rep.pk,
            "can_manage": can_manage,
            "can_coach": can_coach,
            "computed_at": selectors.last_computed_at(rep_ids=[rep.pk]),
            "recognition_feed": coaching.recognition_and_feedback(user=user, rep_id=rep.pk),
            "account_plans": coaching.account_plans_of(user=user, rep_id=rep.pk),
            "today": today,
        },
    )


def activity_plan_table(rows: Sequence[Mapping[str, Any]], week: Period) -> Table:
    return Table(
        "activity_plan",
        _("Activities planned and done, this week (from %(monday)s) and next") % {"monday": l10n.digits(week.start.isoformat())},
        [
            fixed("label", _("Kind")),
            fixed("target", _("Weekly target"), Kind.INT),
            fixed("planned_this", _("Planned this week"), Kind.INT),
            fixed("planned_done_this", _("Of those done"), Kind.INT),
            fixed("done_this", _("Done this week"), Kind.INT),
            fixed("planned_next", _("Planned next week"), Kind.INT),
        ],
        rows,
        empty=_(
            "Nothing planned or done this week or next, and no weekly target set."
            " Plan the week's calls and meetings from the week page."
        ),
    )


def overdue_table_of(opportunities: Iterable[Any], today: dt.date) -> Table:
    return Table(
        "overdue",
        _("Overdue next steps"),
        [
            fixed("name", _("Opportunity"), link=_deal_link),
            fixed("account", _("Account"), get=_account_name, link=_account_link),
            fixed("stage", _("Stage"), get=lambda o: o["opportunity"].stage.name),
            fixed("next_step", _("Next step")),
            fixed("due", _("Due"), Kind.DATE, get=lambda o: o["opportunity"].next_step_date),
            fixed("days_late", _("Days late"), Kind.INT, get=lambda o: (today - o["opportunity"].next_step_date).days),
            fixed("amount", _("Amount"), Kind.MONEY),
        ],
        [_opportunity_row(o) for o in opportunities],
        empty=_(
            "No overdue next steps: every open deal's next step is on time."
            " Keep it so by giving each new deal a next step and a date."
        ),
    )


def deals_to_review_table(reviews: Iterable[Any], *, can_review: bool = False) -> Table:
    columns = [
        fixed("name", _("Opportunity"), link=_deal_link),
        fixed("stage", _("Stage"), get=lambda row: row["opportunity"].stage.name),
        fixed("amount", _("Amount"), Kind.MONEY),
        fixed("days_in_stage", _("Days in stage"), Kind.INT),
        fixed("reasons", _("Why"), Kind.FIGURES, get=lambda row: "; ".join(row["reasons"])),
    ]
    if can_review:  # the rep's manager records the review from here
        columns.append(
            fixed(
                "review",
                _("Review"),
                get=lambda _row: _("Record a review"),
                link=lambda row: reverse("coaching_deal_review", args=[row["opportunity"].pk]),
            )
        )
    return Table(
        "review",
        _("Deals worth a review"),
        columns,
        [
            {**_opportunity_row(review.opportunity), "days_in_stage": review.days_in_stage, "reasons": review.reasons}
            for review in reviews
        ],
        empty=_("No deal needs a review: every open deal has a next step on time and an expected close date ahead."),
    )


def _last_review_text(review: Any) -> str:
    if review is None:
        return ""
    text = f"{review.date:%Y-%m-%d}: " + _("in control: %(answer)s") % {"answer": review.get_in_control_display()}
    if review.missing:
        text += "; " + _("missing: %(what)s") % {"what": review.missing}
    if review.next_step:
        text += "; " + _("next step: %(what)s") % {"what": review.next_step}
    return text


def open_deals_table(opportunities: Iterable[Any], today: dt.date, *, last_reviews: Mapping[int, Any] | None = None) -> Table:
    reviews = last_reviews or {}
    return Table(
        "open_deals",
        _("Open opportunities by stage"),
        [
            fixed("name", _("Opportunity"), link=_deal_link),
            fixed("stage", _("Stage"), get=lambda o: o["opportunity"].stage.name),
            fixed("account", _("Account"), get=_account_name, link=_account_link),
            fixed("amount", _("Amount"), Kind.MONEY),
            fixed("days_in_stage", _("Days in stage"), Kind.INT, get=lambda o: reads.days_in_stage(o["opportunity"], today)),
            fixed("expected_close", _("Expected close"), Kind.DATE, get=lambda o: o["opportunity"].expected_close_date),
            fixed("next_step", _("Next step")),
            fixed("last_review", _("Last review"), get=lambda o: _last_review_text(reviews.get(o["opportunity"].pk))),
        ],
        [_opportunity_row(o) for o in opportunities],
        empty=_("No open opportunities. Create one under Opportunities → New opportunity."),
    )


def _deal_link(row: Mapping[str, Any]) -> str:
    return reverse("opportunity_detail", args=[row["opportunity"].pk])


def _account_link(row: Mapping[str, Any]) -> str:
    account = row["opportunity"].account
    return reverse("account_detail", args=[account.pk]) if account else ""


def _opportunity_row(opportunity: Any) -> dict[str, Any]:
    """A table row of an opportunity: its plain fields, and the object for the columns that reach further."""
    return {
        "opportunity": opportunity,
        "name": opportunity.name,
        "amount": opportunity.amount,
        "next_step": opportunity.next_step,
    }


def _account_name(row: Mapping[str, Any]) -> str:
    account = row["opportunity"].account
    return account.name if account else ""


# --- weekly team meeting --------------------------------------------------------------------

CHANGE_LABELS = {
    "won": pgettext_lazy("pipeline change", "Won"),
    "lost": pgettext_lazy("pipeline change", "Lost"),
    "new": gettext_lazy("New"),
    "advanced": gettext_lazy("Advanced"),
    "slipped": gettext_lazy("Slipped"),
}


@login_required
def team_meeting(request: HttpRequest) -> HttpResponse:
    """The weekly team meeting: the week's meetings, won deals and pipeline changes per rep."""
    require_manager_or_admin(request)
    user = request.user
    today = timezone.localdate()
    teams = reads.team_choices(user)
    team = team_of_request(request, teams)
    picker = Picker(
        request, today=today, teams=teams, team=team, default=Period.containing(PeriodKind.WEEK, today), kinds=[PeriodKind.WEEK]
    )
    week = picker.period
    context: dict[str, Any] = {"picker": picker, "period": week, "team": team}
    if team is None:
        return render(request, "kpis/team_meeting.html", context)
    team_ids = reads.team_and_below(team.pk, teams)
    rows = selectors.kpi_table(user=user, start=week.start, end=week.end, group_by="rep", team_id=team.pk, today=today)
    changes = reads.pipeline_changes(user=user, team_ids=team_ids, start=week.start, end=week.end, today=today)
    meetings = list(reads.week_meetings(user=user, team_ids=team_ids, start=week.start, end=week.end))

    rep_link = rep_links(week_query(week))

    def rep_url(rep_id: int) -> str:
        return rep_link({"rep": {"id": rep_id}})

    counts: dict[int, Counter] = defaultdict(Counter)
    for opportunity in changes:
        counts[opportunity.owner_id][opportunity.change] += 1
    summary_rows = [{**row, **{f"changes_{key}": counts[row["rep"]["id"]][key] for key in reads.CHANGE_ORDER}} for row in rows]
    summary_columns = [
        Column("name", _("Rep"), get=_name, link=rep_links(week_query(week))),
        Column("discovery_meetings", _("Discovery meetings"), Kind.INT),
        Column("proposal_meetings", _("Proposal meetings"), Kind.INT),
        Column("offers_submitted", _("Offers"), Kind.INT),
        Column("deals_won", _("Deals won"), Kind.INT),
        Column("won_revenue", _("Won revenue"), Kind.MONEY),
        Column("changes_new", _("New"), Kind.INT),
        Column("changes_advanced", _("Advanced"), Kind.INT),
        Column("changes_slipped", _("Slipped"), Kind.INT),
        Column("changes_lost", pgettext_lazy("pipeline change", "Lost"), Kind.INT),
    ]
    summary = Table(
        "summary",
        _("The week per rep"),
        summary_columns,
        summary_rows,
        sort=valid_sort(picker.sort, summary_columns),
        empty=_("No reps in this team during the week. Pick another week or team above."),
    )
    order = {key: index for index, key in enumerate(reads.CHANGE_ORDER)}
    change_rows = sorted(
        (
            {
                "rep": o.owner.name,
                "rep_url": rep_url(o.owner_id),
                "change": CHANGE_LABELS[o.change],
                "name": o.name,
                "url": reverse("opportunity_detail", args=[o.pk]),
                "account": o.account.name if o.account else "",
                "account_url": reverse("account_detail", args=[o.account_id]) if o.account_id else "",
                "stage": o.stage.name,
                "amount": o.amount,
                "expected_close": o.expected_close_date,
                "_order": (o.owner.name, order[o.change]),
            }
            for o in changes
        ),
        key=lambda r: r["_order"],
    )
    changes_table = Table(
        "pipeline_changes",
        _("Pipeline changes"),
        [
            fixed("rep", _("Rep"), link=_url_of("rep_url")),
            fixed("change", _("Change")),
            fixed("name", _("Opportunity"), link=_url_of("url")),
            fixed("account", _("Account"), link=_url_of("account_url")),
            fixed("stage", _("Stage now")),
            fixed("amount", _("Amount"), Kind.MONEY),
            fixed("expected_close", _("Expected close"), Kind.DATE),
        ],
        change_rows,
        empty=_("No new, advanced, slipped, won or lost deals this week. Ask in the meeting which deals should move next week."),
    )
    meetings_table = Table(
        "meetings",
        _("Discovery and proposal meetings"),
        [
            fixed("rep", _("Rep"), link=_url_of("rep_url")),
            fixed("date", _("Date"), Kind.DATE),
            fixed("kind", _("Kind")),
            fixed("subject", _("Subject")),
            fixed("account", _("Account"), link=_url_of("account_url")),
        ],
        [
            {
                "rep": a.owner.name,
                "rep_url": rep_url(a.owner_id),
                "account_url": reverse("account_detail", args=[a.account_id]) if a.account_id else "",
                "date": timezone.localdate(a.done_at),
                "kind": a.get_kind_display(),
                "subject": a.subject,
                "account": a.account.name if a.account else "",
            }
            for a in sorted(meetings, key=lambda a: (a.owner.name, a.done_at))
        ],
        empty=_(
            "No discovery or proposal meetings were logged as done this week. Ask in the meeting which are planned for next week."
        ),
    )
    deviations_table, pushed_table = _week_deviations(rows, week, rep_link)
    tables = [summary, meetings_table, changes_table, deviations_table, pushed_table]
    exported = _export(request, picker, tables, f"team-meeting-{team.name}-{week.start}")
    if exported is not None:
        return exported
    context.update(
        {
            "summary": summary,
            "meetings_table": meetings_table,
            "changes_table": changes_table,
            "deviations_table": deviations_table,
            "pushed_table": pushed_table,
        }
    )
    # seed 003: top performers are recognised in front of the team
    candidates = coaching.recognition_candidates(
        user=user, team_id=team.pk, start=week.start, end=week.end, today=today, rows=rows
    )
    for row in candidates:
        row["attainment_text"] = format_value(row["attainment"], Kind.PERCENT).text
    context["recognition_candidates"] = candidates
    return render(request, "kpis/team_meeting.html", context)


def _week_deviations(
    rows: Sequence[Mapping[str, Any]], week: Period, rep_link: Callable[[Mapping[str, Any]], str]
) -> tuple[Table, Table]:
    """What changed in each rep's order book since the last weekly meeting: from the week's
    Monday 00:00 to its end, or now (docs/kpis.md, "Deviations"). Three queries."""
    since = day_start(week.start)
    until = min(day_start(week.end + dt.timedelta(days=1)), timezone.now())
    by_rep = deviations.order_book_deviations(rep_ids=[row["rep"]["id"] for row in rows], since=since, until=until)
    table_rows = [{**by_rep[row["rep"]["id"]], "name": _name(row), "rep": row["rep"]} for row in rows]
    table = forecast_tables.deviations_table(
        table_rows,
        caption=_("Order book changes of the week, per rep"),
        rep_link=rep_link,
        totals=deviations.team_total(by_rep) if table_rows else None,
    )
    pushed = [{**deal, "rep": row["name"]} for row in table_rows for deal in row["pushed_deals"]]
    return table, forecast_tables.pushed_deals_table(pushed, rep=True)


def _url_of(key: str) -> Callable[[Mapping[str, Any]], str]:
    """A column ``link`` read from the row's ``key``."""
    return lambda row: row.get(key) or ""


def week_query(week: Period) -> str:
    return "?" + urlencode(week.query())


# --- leaderboard ----------------------------------------------------------------------------

LEADERBOARD_SIZE = 5


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Top performers of the period by attainment, won revenue and activity, to recognise them.

    Managers and admins see the team they pick; a rep sees their own figures only (the
    row-level rules let a rep see no one else's numbers).
    """
    user = request.user
    role = role_of(user)
    if role == Role.NONE:
        raise PermissionDenied(_("The leaderboard is for reps and their managers."))
    today = timezone.localdate()
    teams = reads.team_choices(user) if access.is_manager_or_admin(user) else []
    team = team_of_request(request, teams) if teams else None
    picker = Picker(request, today=today, teams=teams, team=team, metrics=True)
    period = picker.period
    rows = selectors.kpi_table(
        user=user,
        start=period.start,
        end=period.end,
        group_by="rep",
        team_id=team.pk if team else None,
        today=today,
        **picker.selection,
    )
    link = "?" + urlencode(period.query())

    def top(key: str, rows_: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        ranked = sorted((r for r in rows_ if r.get(key) is not None), key=lambda r: (-r[key], _name(r)))
        return [{**r, "rank": index} for index, r in enumerate(ranked[:LEADERBOARD_SIZE], start=1)]

    name = fixed("name", _("Rep"), get=_name, link=rep_links(link))
    rank = fixed("rank", _("Rank"), Kind.FIGURES)  # the row's header cell: aligned like one
    boards = [
        Table(
            "attainment",
            _("Attainment of the quota of %(metric)s") % {"metric": picker.metric_label},
            [
                rank,
                name,
                fixed("attainment", _("Attainment"), Kind.PERCENT),
                fixed("band", _("Band"), Kind.BAND),
            ],
            top("attainment", rows),
            empty=_("No quota of this metric overlaps this period. Pick another period or metric above."),
        ),
        Table(
            "won_revenue",
            _("Won revenue"),
            [
                rank,
                name,
                fixed("won_revenue", _("Won revenue"), Kind.MONEY),
                fixed("deals_won", _("Deals won"), Kind.INT),
            ],
            top("won_revenue", [r for r in rows if r.get("won_revenue")]),
            empty=_("No deals won in this period yet. Pick an earlier period above to see who won the last ones."),
        ),
        Table(
            "activity",
            _("Activity"),
            [
                rank,
                name,
                fixed("contacts", _("Contacts"), Kind.INT),
                fixed("discovery_meetings", _("Discovery meetings"), Kind.INT),
            ],
            top("contacts", [r for r in rows if r.get("contacts")]),
            empty=_(
                "No activities logged as done in this period yet."
                " Pick an earlier period above, or log the first call of the period."
            ),
        ),
    ]
    exported = _export(request, picker, boards, f"leaderboard-{team.name if team else 'me'}-{period.start}")
    if exported is not None:
        return exported
    return render(
        request,
        "kpis/leaderboard.html",
        {"picker": picker, "period": period, "team": team, "boards": boards, "is_rep_view": team is None and role == Role.REP},
    )
