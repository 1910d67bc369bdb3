"""Growth by segment: won revenue, deals won, win rate and average deal size per account
segment, territory, sector or product, for a period against the same period a year before
and the period before (docs/kpis.md, "Growth by segment").

The sums come from PostgreSQL (one grouped statement for the three periods, whatever the
number of deals); pandas then lines the three periods up per segment value and computes the ratios
and the growth. Deals are credited like every KPI: won or lost by close date, to the owner
at the instant of the close (kpis/sql.py), and to a team when that rep belonged to it on
the close date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied

from kpis.periods import Period
from kpis.sql import _date, _in, owner_ranges_sql
from reps import access
from reps.models import Opportunity, StageKind
from salesperf.db_router import read_connection

# The dimension's SQL (the account's or the product's column); never user input.
DIMENSIONS: dict[str, str] = {
    "segment": "a.segment",
    "territory": "a.territory",
    "sector": "a.sector",
    "product": "p.name",
}
SUMS = ("won_revenue", "deals_won", "deals_lost")
COMPARED = ("current", "year_ago", "previous")


def _a_year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=day.year - 1)


def year_before(period: Period) -> Period:
    """The same days a year earlier (29 February → 28 February)."""
    start, end = _a_year_before(period.start), _a_year_before(period.end)
    return Period.of_range(start, end) if period.kind.value != "custom" else Period.custom(start, end)


def merged_ranges(periods: Iterable[Period]) -> list[tuple[dt.date, dt.date]]:
    """The days of these periods as disjoint ranges, in order (touching ranges joined)."""
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted((p.start, p.end) for p in periods):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _sums_sql(
    *, by: str, spans: dict[str, Period], rep_ids: Sequence[int] | None, team_ids: Sequence[int] | None
) -> tuple[str, list[Any]]:
    """One statement for all the compared periods: the deals closed in any of them, summed per
    dimension value with one conditional sum per period and figure (``<period>__<figure>``)."""
    dim = DIMENSIONS[by]
    won, lost = StageKind.WON.value, StageKind.LOST.value
    bounds = {name: (_date(span.start), _date(span.end)) for name, span in spans.items()}
    # The deals closed in the periods, read once per disjoint range (the period before and the
    # current one touch: one range) so that each is one scan of the close-date index, which
    # carries every column read here (reps.models.Opportunity, "opportunity_closed_idx").
    pieces, pieces_p = [], []
    for start, end in merged_ranges(spans.values()):
        pieces.append(
            "SELECT o.id, o.owner_id, o.account_id, o.product_id, o.amount, o.close_date, o.closed_at, s.kind"
            " FROM reps_opportunity o JOIN reps_stage s ON s.id = o.stage_id"
            f" WHERE s.kind IN ('{won}', '{lost}') AND o.close_date >= %s AND o.close_date <= %s"
        )
        pieces_p += [_date(start), _date(end)]
    # Only the deals ever handed over have more than one owner-history row (the first row is the
    # first owner, every later one a handover, reps.models.OpportunityOwnerChange): the others are
    # credited to their owner, so the history's window runs over the handed deals alone. The
    # closed deals are read once (``closed``, referenced twice, so PostgreSQL materialises it).
    ranges, ranges_p = owner_ranges_sql(
        "oc.opportunity_id IN (SELECT h.opportunity_id FROM reps_opportunityownerchange h"
        " JOIN closed c ON c.id = h.opportunity_id WHERE h.from_owner_id IS NOT NULL)",
        [],
    )
    credited = "COALESCE(w.to_owner_id, o.owner_id)"
    rep_f, rep_p = _in(credited, rep_ids)
    team_f, team_p = "1=1", []
    if team_ids is not None:
        marks, team_p = _in("m.team_id", team_ids)
        team_f = (
            f"EXISTS (SELECT 1 FROM reps_teammembership m WHERE m.rep_id = {credited} AND {marks}"
            " AND m.start_date <= o.close_date AND (m.end_date IS NULL OR m.end_date >= o.close_date))"
        )
    sums, sums_p = [], []
    for name, (low, high) in bounds.items():
        inside = "o.close_date >= %s AND o.close_date <= %s"
        sums += [
            f"SUM(CASE WHEN o.kind = '{won}' AND {inside} THEN o.amount ELSE 0 END) AS {name}__won_revenue",
            f"SUM(CASE WHEN o.kind = '{won}' AND {inside} THEN 1 ELSE 0 END) AS {name}__deals_won",
            f"SUM(CASE WHEN o.kind = '{lost}' AND {inside} THEN 1 ELSE 0 END) AS {name}__deals_lost",
        ]
        sums_p += [low, high] * 3
    sql = f"""
        WITH closed AS ({" UNION ALL ".join(pieces)})
        SELECT COALESCE({dim}, '') AS value, {", ".join(sums)}
        FROM closed o
        LEFT JOIN reps_account a ON a.id = o.account_id
        LEFT JOIN reps_product p ON p.id = o.product_id
        LEFT JOIN ({ranges}) w ON w.opportunity_id = o.id
            AND ((o.closed_at IS NOT NULL
                    AND (w.valid_from_at IS NULL OR w.valid_from_at <= o.closed_at)
                    AND (w.valid_to_at IS NULL OR o.closed_at < w.valid_to_at))
                OR (o.closed_at IS NULL
                    AND (w.valid_from IS NULL OR w.valid_from <= o.close_date)
                    AND (w.valid_to IS NULL OR o.close_date < w.valid_to)))
        WHERE {rep_f} AND {team_f}
        GROUP BY COALESCE({dim}, '')"""
    return sql, [*pieces_p, *sums_p, *ranges_p, *rep_p, *team_p]


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    columns = ["value", *(f"{name}__{key}" for name in COMPARED for key in SUMS)]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for name in COMPARED:
        frame[f"{name}__won_revenue"] = frame[f"{name}__won_revenue"].map(lambda v: Decimal(str(v)).quantize(Decimal("0.01")))
        frame[[f"{name}__deals_won", f"{name}__deals_lost"]] = frame[[f"{name}__deals_won", f"{name}__deals_lost"]].astype(
            "int64"
        )
    return frame.set_index("value")


def _ratio(numerator: Any, denominator: Any, places: str = "0.0001") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def _growth(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """(now − before) / before; undefined when before is 0 or undefined."""
    if now is None or before is None or before == 0:
        return None
    return ((Decimal(now) - Decimal(before)) / Decimal(before)).quantize(Decimal("0.0001"))


@dataclass
class SegmentReport:
    by: str
    period: Period
    year_ago: Period
    previous: Period
    rows: list[dict[str, Any]]


def segment_growth(
    *, by: str, period: Period, rep_ids: Sequence[int] | None = None, team_ids: Sequence[int] | None = None
) -> SegmentReport:
    """One row per value of ``by`` (segment, territory, sector or product; "" = none given),
    biggest won revenue first, with for each of current, year_ago and previous:
    ``won_revenue``, ``deals_won``, ``deals_lost``, ``win_rate``, ``avg_deal_size``; and
    ``growth_year`` / ``growth_previous`` of won revenue (undefined against 0), and
    ``trend`` ("grows", "shrinks", "flat" or "new", against the year before). ``rep_ids`` /
    ``team_ids`` narrow the credited reps (None: everyone). One query."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {', '.join(DIMENSIONS)}")
    spans = {"current": period, "year_ago": year_before(period), "previous": period.previous()}
    sql, params = _sums_sql(by=by, spans=spans, rep_ids=rep_ids, team_ids=team_ids)
    with read_connection(Opportunity).cursor() as cursor:  # the replica on the segments page (db_router)
        cursor.execute(sql, params)
        joined = _frame(cursor.fetchall())
    joined = joined.sort_index().sort_values("current__won_revenue", ascending=False, key=lambda s: s.map(float), kind="stable")
    rows: list[dict[str, Any]] = []
    for value, record in joined.iterrows():
        row: dict[str, Any] = {"value": value}
        for name in COMPARED:
            won, won_n, lost_n = (
                record[f"{name}__won_revenue"],
                int(record[f"{name}__deals_won"]),
                int(record[f"{name}__deals_lost"]),
            )
            row[name] = {
                "won_revenue": won,
                "deals_won": won_n,
                "deals_lost": lost_n,
                "win_rate": _ratio(won_n, won_n + lost_n),
                "avg_deal_size": _ratio(won, won_n, "0.01"),
            }
        row["growth_year"] = _growth(row["current"]["won_revenue"], row["year_ago"]["won_revenue"])
        row["growth_previous"] = _growth(row["current"]["won_revenue"], row["previous"]["won_revenue"])
        before, now = row["year_ago"]["won_revenue"], row["current"]["won_revenue"]
        row["trend"] = "new" if before == 0 and now > 0 else "grows" if now > before else "shrinks" if now < before else "flat"
        rows.append(row)
    return SegmentReport(by, period, spans["year_ago"], spans["previous"], rows)


def segment_scope(*, user: Any, team_id: int | None = None, rep_id: int | None = None) -> dict[str, Any]:
    """The ``rep_ids`` / ``team_ids`` arguments for what ``user`` may see: a team of theirs
    (and its sub-teams), one rep of theirs, or everything they see. PermissionDenied for a
    team or rep they may not see."""
    from kpis.dashboard_selectors import team_and_below, team_choices

    if rep_id is not None:
        if not access.visible_reps(user).filter(pk=rep_id).exists():
            raise PermissionDenied
        return {"rep_ids": [rep_id]}
    if team_id is not None:
        teams = team_choices(user)
        if team_id not in {team.pk for team in teams}:
            raise PermissionDenied
        return {"team_ids": sorted(team_and_below(team_id, teams))}
    if access.is_admin(user):
        return {}
    return {"rep_ids": list(access.visible_reps(user).values_list("pk", flat=True))}
