"""The "figures may be stale" notice of the pages that show KPIs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kpis import outbox

# The pages that show KPI figures; only they pay the one query of the check.
KPI_PAGES = frozenset({"dashboard", "rep_detail", "team_meeting", "leaderboard", "my_week", "team_overview"})


def stale_figures(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or match.url_name not in KPI_PAGES or user is None or not user.is_authenticated:
        return {}
    return {"kpi_stale_since": outbox.figures_stale_since()}
