"""Reads of the KPI engine, shared by the API, the dashboards and the exports.

Interface (implemented by the KPI engine work; the dashboard work builds on it):

- ``kpi_table(*, user, start, end, group_by, team_id=None) -> list[dict]``: one dict per rep
  (group_by="rep") or team (group_by="team") that ``user`` may see, for the inclusive period
  ``start``..``end``. Keys: ``rep`` or ``team`` as ``{"id", "name"}``, then every KPI of
  docs/kpis.md under its exact name (``contacts``, ``discovery_meetings``, ...,
  ``win_rate``, ``offer_to_close``, ``contact_to_offer``, ``plan_completion``,
  ``avg_deal_size``, ``sales_cycle_days``). Money and ratios are ``Decimal``; an undefined
  ratio is ``None``. When a ``won_revenue`` quota covers exactly that period for that rep or
  team (or, for a team without one, its members' quotas do), also ``target``, ``attainment``,
  ``expected_to_date``, ``pace``, ``band``, ``open_pipeline``, ``weighted_pipeline``,
  ``coverage``, ``forecast``.
- ``weekly_series(*, user, rep_id=None, team_id=None, weeks=12, until=None) -> list[dict]``:
  one dict per ISO week (``week`` = its Monday), oldest first, with the weekly counts.
- ``last_computed_at(*, rep_ids=None) -> datetime | None``: when the rows were last written.
"""
