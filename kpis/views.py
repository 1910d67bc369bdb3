"""KPI pages. Until the dashboard lands, /dashboard/ lists the manager's teams and reps."""

from __future__ import annotations

from reps.views import team_overview as dashboard

__all__ = ["dashboard"]
