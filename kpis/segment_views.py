"""The growth-by-segment page: a table and a chart of kpis.segments (the views only parse and render)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import charts, segments
from kpis import dashboard_selectors as reads
from kpis.exports import Column, Kind, Table
from kpis.periods import Period, PeriodKind
from kpis.views import Picker, chart, team_of_request
from reps import access

BY_CHOICES = [
    ("segment", gettext_lazy("Account segment")),
    ("territory", gettext_lazy("Territory")),
    ("product", gettext_lazy("Product")),
    ("sector", gettext_lazy("Sector")),
]
TRENDS = {
    "grows": gettext_lazy("grows"),
    "shrinks": gettext_lazy("shrinks"),
    "flat": gettext_lazy("flat"),
    "new": gettext_lazy("new"),
}


def _of(period: str, key: str) -> Any:
    return lambda row: row[period][key]


def segment_table(report: segments.SegmentReport, by_label: str) -> Table:
    columns = [
        Column("value", by_label, get=lambda row: row["value"] or _("(none)")),
        Column("won_revenue", _("Won revenue"), Kind.MONEY, get=_of("current", "won_revenue")),
        Column("won_revenue_year_ago", _("A year before"), Kind.MONEY, get=_of("year_ago", "won_revenue")),
        Column("growth_year", _("Growth on the year"), Kind.PERCENT),
        Column("won_revenue_previous", _("Period before"), Kind.MONEY, get=_of("previous", "won_revenue")),
        Column("growth_previous", _("Growth on the period before"), Kind.PERCENT),
        Column("deals_won", _("Deals won"), Kind.INT, get=_of("current", "deals_won")),
        Column("deals_won_year_ago", _("Deals won a year before"), Kind.INT, get=_of("year_ago", "deals_won")),
        Column("win_rate", _("Win rate"), Kind.PERCENT, get=_of("current", "win_rate")),
        Column("win_rate_year_ago", _("Win rate a year before"), Kind.PERCENT, get=_of("year_ago", "win_rate")),
        Column("avg_deal_size", _("Average deal"), Kind.MONEY, get=_of("current", "avg_deal_size")),
        Column("trend", _("Against last year"), get=lambda row: TRENDS[row["trend"]]),
    ]
    return Table(
        "segments",
        _("Growth by %(by)s") % {"by": by_label.lower()},
        columns,
        report.rows,
        empty=_("No deal closed in these periods."),
    )


@login_required
def segment_growth(request: HttpRequest) -> HttpResponse:
    """Which segments, territories, products or sectors grow, for the user's reps or a team."""
    user = request.user
    if access.role_of(user) == access.Role.NONE:
        raise PermissionDenied(_("Your account is neither a rep, a team manager nor an admin."))
    today = timezone.localdate()
    teams = reads.team_choices(user) if access.is_manager_or_admin(user) else []
    team = team_of_request(request, teams) if request.GET.get("team") else None
    picker = Picker(
        request,
        today=today,
        teams=teams,
        team=team,
        default=Period.containing(PeriodKind.QUARTER, today),
        kinds=[PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.CUSTOM],
    )
    by = request.GET.get("by", "segment")
    by_labels = dict(BY_CHOICES)
    by_error = ""
    if by not in by_labels:
        by_error, by = _("Unknown grouping “%(by)s”: showing account segments.") % {"by": by}, "segment"
    scope = segments.segment_scope(user=user, team_id=team.pk if team else None)
    report = segments.segment_growth(by=by, period=picker.period, **scope)
    table = segment_table(report, str(by_labels[by]))
    context: dict[str, Any] = {
        "picker": picker,
        "report": report,
        "by": by,
        "by_choices": BY_CHOICES,
        "by_error": by_error,
        "table": table,
        "team": team,
        "charts": [
            chart(
                "segments",
                _("Won revenue by %(by)s") % {"by": str(by_labels[by]).lower()},
                charts.segment_growth_figure(report.rows),
                table,
                picker,
            )
        ],
    }
    return render(request, "kpis/segments.html", context)
