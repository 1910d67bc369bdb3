"""The KPI engine's raw SQL, in one module (docs/kpis.md says what every column counts).

Everything here is set-based: one ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE``
computes the per-rep daily rows from the activities, opportunities and feedback, whatever
their number. The statements run on PostgreSQL and on SQLite; the only vendor-specific
pieces (local date of a timestamp, difference of two dates, the advisory lock) come from
small helpers below.

Credit (docs/kpis.md, "Who gets the credit"): an opportunity event is credited to the owner
it had at the instant of the event, read from the owner history. The history is turned into
validity ranges with window functions: the first row is valid from the beginning of time,
every row until the next change (``[valid_from_at, valid_to_at)``). An event whose instant
is not stored (only its date is known) goes to the owner at the end of its local day: the
same ranges by local date (``[valid_from, valid_to)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection

from reps.models import CONTACT_KINDS, ActivityKind, ActivityStatus, StageKind
from salesperf.dates import EARLIEST_DAY, LATEST_DAY
from salesperf.db_router import read_connection

# The stored counts of a KpiDay row, in the order the statements produce them.
COUNT_COLUMNS: tuple[str, ...] = (
    "contacts",
    "discovery_meetings",
    "proposal_meetings",
    "calls",
    "emails",
    "other_meetings",
    "tasks",
    "activities_planned",
    "activities_done_as_planned",
    "opportunities_created",
    "created_reached_offer",
    "offers_submitted",
    "deals_won",
    "won_revenue",
    "deals_lost",
    "lost_after_offer",
    "csat_sum",
    "csat_count",
    "complaints",
)

# Advisory lock key (PostgreSQL): two recomputes of the same rep run one after the other, so
# two runs of the same task at the same time give the same rows as one after the other, while
# recomputes of different reps (the shards of a parallel run, kpis.tasks) run side by side.
_LOCK_KEY = 7_400_431
# A recompute of more reps than this takes the one lock of all reps instead of a lock per rep:
# each advisory lock holds a slot of PostgreSQL's shared lock table (max_locks_per_transaction
# × max_connections, 6 400 by default).
LOCK_PER_REP_MAX = 1000


class DateFilter:
    """Which days a statement covers: a list of days, every day from ``since``, or all."""

    def __init__(self, *, days: Sequence[dt.date] | None = None, since: dt.date | None = None) -> None:
        self.days = sorted(set(days)) if days is not None else None
        self.since = since

    def sql(self, expr: str, expr_params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
        """The condition on ``expr`` (whose own parameters are ``expr_params``) and its parameters."""
        if self.days is not None:
            if not self.days:
                return "1=0", []
            marks = ", ".join(["%s"] * len(self.days))
            return f"{expr} IN ({marks})", [*expr_params, *(_date(d) for d in self.days)]
        if self.since is not None:
            return f"{expr} >= %s", [*expr_params, _date(self.since)]
        return "1=1", []

    def instant_bounds_sql(self, expr: str) -> tuple[str, list[Any]]:
        """A plain range on a timestamp column, so its index serves the local-date filter."""
        first = self.days[0] if self.days else self.since
        last = self.days[-1] if self.days else LATEST_DAY
        # A day of margin each side: the exact test is the local-date one next to it. Never
        # beyond the product's dates (1900–2999), so that a stray row near year 1 or 9999
        # is left out instead of overflowing the local-date conversion.
        low = _instant(max(first or EARLIEST_DAY, EARLIEST_DAY) - dt.timedelta(days=1))
        high = _instant(min(last, LATEST_DAY) + dt.timedelta(days=2))
        return f"{expr} >= %s AND {expr} < %s", [low, high]


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _instant(day: dt.date) -> Any:
    moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return connection.ops.adapt_datetimefield_value(moment)


def _tzname() -> str:
    return str(settings.TIME_ZONE)


def local_date(expr: str) -> tuple[str, list[Any]]:
    """SQL for the organisation's local date of the timestamp ``expr``."""
    sql, params = connection.ops.datetime_cast_date_sql(expr, (), _tzname())
    return sql, list(params)


def days_between(later: str, earlier: str) -> str:
    """SQL for the number of days from ``earlier`` to ``later`` (two date columns)."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def _in(expr: str, values: Sequence[Any] | None) -> tuple[str, list[Any]]:
    if values is None:
        return "1=1", []
    values = list(values)
    if not values:
        return "1=0", []
    return f"{expr} IN ({', '.join(['%s'] * len(values))})", values


def _row(**values: str) -> str:
    """A SELECT list giving every count column, 0 unless given."""
    return ", ".join(f"{values.get(name, '0')} AS {name}" for name in COUNT_COLUMNS)


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)  # our own enum values, never user input


def owner_ranges_sql(opportunity_filter: str, params: list[Any]) -> tuple[str, list[Any]]:
    """Each owner-history row with the instants it is valid for, [valid_from_at, valid_to_at),
    and the local days, [valid_from, valid_to) (for events known only by their date)."""
    changed, changed_params = local_date("oc.changed_at")
    window = "PARTITION BY oc.opportunity_id ORDER BY oc.changed_at, oc.id"
    sql = f"""
        SELECT oc.opportunity_id AS opportunity_id, oc.to_owner_id AS to_owner_id,
               CASE WHEN ROW_NUMBER() OVER ({window}) = 1 THEN NULL ELSE oc.changed_at END AS valid_from_at,
               LEAD(oc.changed_at) OVER ({window}) AS valid_to_at,
               CASE WHEN ROW_NUMBER() OVER ({window}) = 1 THEN NULL ELSE {changed} END AS valid_from,
               LEAD({changed}) OVER ({window}) AS valid_to
        FROM reps_opportunityownerchange oc
        WHERE {opportunity_filter}"""
    return sql, [*changed_params, *changed_params, *params]


def _candidates(
    condition: str, params: list[Any], rep_ids: Sequence[int] | None, *, by_deal: bool = False
) -> tuple[str, list[Any]]:
    """``condition`` narrowed to the opportunities any of ``rep_ids`` may be credited for: those
    they own now or were ever handed (the credited owner is one of these), so that a read for a
    few reps does not compute the credit of every deal. ``o`` is the opportunity's alias.

    ``by_deal`` (PostgreSQL, a few days): the deals handed to the reps as an array, so that they
    are fetched by id (the reps' deals, as many at any size of the company) instead of every
    deal of the days being read and filtered (ten times as many with ten times the deals)."""
    if rep_ids is None:
        return condition, params
    owner_f, owner_p = _in("o.owner_id", rep_ids)
    handed_f, handed_p = _in("oc_c.to_owner_id", rep_ids)
    handed = f"SELECT oc_c.opportunity_id FROM reps_opportunityownerchange oc_c WHERE {handed_f}"
    if by_deal and connection.vendor == "postgresql":
        narrowed = f"({condition} AND ({owner_f} OR o.id = ANY(ARRAY({handed}))))"
    else:
        narrowed = f"({condition} AND ({owner_f} OR o.id IN ({handed})))"
    return narrowed, [*params, *owner_p, *handed_p]


def opportunity_events_sql(dates: DateFilter, rep_ids: Sequence[int] | None, *, won_only: bool = False) -> tuple[str, list[Any]]:
    """One row per opportunity event (created, offer reached, won/lost) with the rep credited.

    Columns: rep_id, day, cycle_days (won deals only), then every count column. With
    ``won_only``, only the won events.
    """
    by_deal = dates.days is not None  # an incremental recompute of a few days
    created_f, created_p = _candidates(*dates.sql("o.created_date"), rep_ids, by_deal=by_deal)
    offer_f, offer_p = _candidates(*dates.sql("o.offer_date"), rep_ids, by_deal=by_deal)
    close_f, close_p = _candidates(*dates.sql("o.close_date"), rep_ids, by_deal=by_deal)
    won, lost = StageKind.WON.value, StageKind.LOST.value
    cycle = days_between("o.close_date", "o.created_date")
    parts: list[str] = []
    params: list[Any] = []
    if not won_only:
        parts.append(
            f"""SELECT o.id AS opp_id, o.owner_id AS owner_id, o.created_date AS day, o.created_at AS instant,
                CAST(NULL AS INTEGER) AS cycle_days,
                {_row(opportunities_created="1", created_reached_offer="CASE WHEN o.offer_date IS NOT NULL THEN 1 ELSE 0 END")}
            FROM reps_opportunity o WHERE {created_f}"""
        )
        params += created_p
        parts.append(
            f"""SELECT o.id AS opp_id, o.owner_id AS owner_id, o.offer_date AS day, o.offer_at AS instant,
                CAST(NULL AS INTEGER) AS cycle_days,
                {_row(offers_submitted="1")}
            FROM reps_opportunity o WHERE o.offer_date IS NOT NULL AND {offer_f}"""
        )
        params += offer_p
    kinds = [won] if won_only else [won, lost]
    parts.append(
        f"""SELECT o.id AS opp_id, o.owner_id AS owner_id, o.close_date AS day, o.closed_at AS instant,
            CASE WHEN s.kind = '{won}' THEN {cycle} ELSE NULL END AS cycle_days,
            {
            _row(
                deals_won=f"CASE WHEN s.kind = '{won}' THEN 1 ELSE 0 END",
                won_revenue=f"CASE WHEN s.kind = '{won}' THEN o.amount ELSE 0 END",
                deals_lost=f"CASE WHEN s.kind = '{lost}' THEN 1 ELSE 0 END",
                lost_after_offer=(
                    f"CASE WHEN s.kind = '{lost}' AND o.offer_date IS NOT NULL AND o.offer_date <= o.close_date THEN 1 ELSE 0 END"
                ),
            )
        }
        FROM reps_opportunity o JOIN reps_stage s ON s.id = o.stage_id
        WHERE o.close_date IS NOT NULL AND s.kind IN ({_quoted(kinds)}) AND {close_f}"""
    )
    params += close_p
    events = " UNION ALL ".join(parts)

    # Only the history of the opportunities that have an event in range.
    if dates.days is None and dates.since is None:
        opp_filter, opp_params = "1=1", []
    else:
        if won_only:
            with_events = (
                "SELECT o2.id FROM reps_opportunity o2 JOIN reps_stage s2 ON s2.id = o2.stage_id"
                f" WHERE s2.kind = '{won}' AND {close_f.replace('o.', 'o2.')}"
            )
            opp_params = list(close_p)
        else:
            with_events = (
                "SELECT o2.id FROM reps_opportunity o2 WHERE "
                f"{created_f.replace('o.', 'o2.')} OR {offer_f.replace('o.', 'o2.')} OR {close_f.replace('o.', 'o2.')}"
            )
            opp_params = [*created_p, *offer_p, *close_p]
        if by_deal and connection.vendor == "postgresql":
            # A few days (an incremental recompute): their deals' history by its index on the deal.
            # As "IN (subquery)" the planner, guessing hundreds of deals for a few, hash-joins the
            # whole history (1.1 M rows at 10×); an array it looks up deal by deal.
            opp_filter = f"oc.opportunity_id = ANY(ARRAY({with_events}))"
        else:
            opp_filter = f"oc.opportunity_id IN ({with_events})"
    ranges, ranges_params = owner_ranges_sql(opp_filter, opp_params)
    rep_f, rep_p = _in("COALESCE(w.to_owner_id, e.owner_id)", rep_ids)
    columns = ", ".join(f"e.{name}" for name in COUNT_COLUMNS)
    sql = f"""
        SELECT COALESCE(w.to_owner_id, e.owner_id) AS rep_id, e.day AS day, e.cycle_days AS cycle_days, {columns}
        FROM ({events}) e
        LEFT JOIN ({ranges}) w ON w.opportunity_id = e.opp_id
            AND ((e.instant IS NOT NULL
                    AND (w.valid_from_at IS NULL OR w.valid_from_at <= e.instant)
                    AND (w.valid_to_at IS NULL OR e.instant < w.valid_to_at))
                OR (e.instant IS NULL
                    AND (w.valid_from IS NULL OR w.valid_from <= e.day)
                    AND (w.valid_to IS NULL OR e.day < w.valid_to)))
        WHERE {rep_f}"""
    return sql, [*params, *ranges_params, *rep_p]


def events_sql(dates: DateFilter, rep_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    """Every KPI event as (rep_id, day, counts...): activities, opportunities, feedback."""
    done_day, done_day_p = local_date("a.done_at")
    done_f, done_f_p = dates.sql(done_day, done_day_p)
    done_bounds, done_bounds_p = dates.instant_bounds_sql("a.done_at")
    planned_f, planned_p = dates.sql("a.planned_date")
    fb_f, fb_p = dates.sql("f.date")
    owner_f, owner_p = _in("a.owner_id", rep_ids)
    fb_rep_f, fb_rep_p = _in("f.rep_id", rep_ids)
    contact_kinds = _quoted([k.value for k in CONTACT_KINDS])
    done = ActivityStatus.DONE.value
    opp_sql, opp_p = opportunity_events_sql(dates, rep_ids)
    # calls, emails, other_meetings, tasks: the actuals of quotas of activities of one kind
    opp_columns = ", ".join(COUNT_COLUMNS)
    sql = f"""
        SELECT a.owner_id AS rep_id, {done_day} AS day,
            {
        _row(
            contacts=f"CASE WHEN a.kind IN ({contact_kinds}) THEN 1 ELSE 0 END",
            discovery_meetings=f"CASE WHEN a.kind = '{ActivityKind.DISCOVERY_MEETING.value}' THEN 1 ELSE 0 END",
            proposal_meetings=f"CASE WHEN a.kind = '{ActivityKind.PROPOSAL_MEETING.value}' THEN 1 ELSE 0 END",
            calls=f"CASE WHEN a.kind = '{ActivityKind.CALL.value}' THEN 1 ELSE 0 END",
            emails=f"CASE WHEN a.kind = '{ActivityKind.EMAIL.value}' THEN 1 ELSE 0 END",
            other_meetings=f"CASE WHEN a.kind = '{ActivityKind.OTHER_MEETING.value}' THEN 1 ELSE 0 END",
            tasks=f"CASE WHEN a.kind = '{ActivityKind.TASK.value}' THEN 1 ELSE 0 END",
        )
    }
        FROM reps_activity a
        WHERE a.status = '{done}' AND a.done_at IS NOT NULL AND {done_bounds} AND {done_f} AND {owner_f}
        UNION ALL
        SELECT a.owner_id, a.planned_date,
            {_row(activities_planned="1", activities_done_as_planned=f"CASE WHEN a.status = '{done}' THEN 1 ELSE 0 END")}
        FROM reps_activity a
        WHERE a.planned_date IS NOT NULL AND {planned_f} AND {owner_f}
        UNION ALL
        SELECT f.rep_id, f.date,
            {
        _row(
            csat_sum="CASE WHEN f.score IS NOT NULL THEN f.score ELSE 0 END",
            csat_count="CASE WHEN f.score IS NOT NULL THEN 1 ELSE 0 END",
            complaints="CASE WHEN f.is_complaint THEN 1 ELSE 0 END",
        )
    }
        FROM reps_customerfeedback f
        WHERE f.rep_id IS NOT NULL AND {fb_f} AND {fb_rep_f}
        UNION ALL
        SELECT opp.rep_id, opp.day, {opp_columns} FROM ({opp_sql}) opp"""
    params = [
        *done_day_p,
        *done_bounds_p,
        *done_f_p,
        *owner_p,
        *planned_p,
        *owner_p,
        *fb_p,
        *fb_rep_p,
        *opp_p,
    ]
    return sql, params


def use_batch_memory(megabytes: int) -> None:
    """Give this transaction's statements ``megabytes`` of sort and hash memory (PostgreSQL's
    ``work_mem``; ``SET LOCAL`` ends with the transaction, so it holds through PgBouncer too).

    A full recompute sums 1.5 million event rows per million activities into per-rep days: with
    the default 4 MB the planner sorts them on disk (a third of the statement's time); with
    enough memory it sums them in a hash table. Nothing to do on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{int(megabytes)}MB'")


def upsert_days(*, dates: DateFilter, rep_ids: Sequence[int] | None, computed_at: dt.datetime) -> int:
    """Write the KpiDay rows of ``rep_ids`` (all if None) for ``dates``; drop the ones left empty.

    Must run inside a transaction (the service opens it). Returns the rows written.
    """
    events, params = events_sql(dates, rep_ids)
    sums = ", ".join(f"SUM(ev.{name}) AS {name}" for name in COUNT_COLUMNS)
    columns = ", ".join(COUNT_COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in [*COUNT_COLUMNS, "computed_at"])
    stamp = connection.ops.adapt_datetimefield_value(computed_at)
    # Written in day order (the summed rows sorted, not the events: OFFSET 0 keeps the sum a
    # hash aggregate): a period's rows then lie on few pages, as rows written day by day in use
    # do, and a region's read of a month or of 12 weeks reads those pages rather than every
    # page of the table (the rows of a full recompute came out rep by rep).
    grouped = f"""
        FROM ({events}) ev
        WHERE ev.day IS NOT NULL AND ev.day BETWEEN %s AND %s
        GROUP BY ev.rep_id, ev.day"""
    if connection.vendor == "postgresql":
        # the stamp stays in the outer list, where the INSERT gives it its column's type
        summed = f"SELECT g.*, %s FROM (SELECT ev.rep_id, ev.day, {sums} {grouped} OFFSET 0) g ORDER BY g.day, g.rep_id"
    else:
        summed = f"SELECT ev.rep_id, ev.day, {sums}, %s {grouped}"
    insert = f"""
        INSERT INTO kpis_kpiday (rep_id, day, {columns}, computed_at)
        {summed}
        ON CONFLICT (rep_id, day) DO UPDATE SET {updates}"""
    day_f, day_p = dates.sql("day")
    rep_f, rep_p = _in("rep_id", rep_ids)
    status_rep_f, status_rep_p = _in("r.id", rep_ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            lock_reps(cursor, rep_ids)
        cursor.execute(insert, [stamp, *params, _date(EARLIEST_DAY), _date(LATEST_DAY)])
        written = max(cursor.rowcount, 0)
        cursor.execute(
            f"DELETE FROM kpis_kpiday WHERE computed_at <> %s AND {day_f} AND {rep_f}",
            [stamp, *day_p, *rep_p],
        )
        write_won_cycles(cursor, dates, rep_ids)
        cursor.execute(
            f"""INSERT INTO kpis_kpistatus (rep_id, computed_at)
            SELECT r.id, %s FROM reps_rep r WHERE {status_rep_f}
            ON CONFLICT (rep_id) DO UPDATE SET computed_at = excluded.computed_at""",
            [stamp, *status_rep_p],
        )
    return written


def lock_reps(cursor: Any, rep_ids: Sequence[int] | None) -> None:
    """Wait until no other recompute of these reps runs (PostgreSQL), until the transaction ends.

    All reps (None, or more than LOCK_PER_REP_MAX): the lock of everything, exclusively. Some
    reps: that lock shared, then one lock per rep, taken in ascending order so that two
    recomputes of overlapping reps wait for each other instead of deadlocking.
    """
    if rep_ids is None or len(rep_ids) > LOCK_PER_REP_MAX:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        return
    cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_LOCK_KEY])
    # The sort runs before the locking function (the planner evaluates it above the Sort).
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, CAST(r.id %% 2147483647 AS integer))"
        " FROM unnest(CAST(%s AS bigint[])) AS r(id) ORDER BY r.id",
        [_LOCK_KEY, sorted(set(rep_ids))],
    )


def write_won_cycles(cursor: Any, dates: DateFilter, rep_ids: Sequence[int] | None) -> None:
    """Replace the won-deal cycle counts (kpis_kpiwoncycle) of ``rep_ids`` on ``dates``."""
    day_f, day_p = dates.sql("day")
    rep_f, rep_p = _in("rep_id", rep_ids)
    cursor.execute(f"DELETE FROM kpis_kpiwoncycle WHERE {day_f} AND {rep_f}", [*day_p, *rep_p])
    won, won_p = opportunity_events_sql(dates, rep_ids, won_only=True)
    cursor.execute(
        f"""INSERT INTO kpis_kpiwoncycle (rep_id, day, cycle_days, deals)
        SELECT w.rep_id, w.day, w.cycle_days, COUNT(*) FROM ({won}) w
        WHERE w.day IS NOT NULL AND w.cycle_days IS NOT NULL
        GROUP BY w.rep_id, w.day, w.cycle_days""",
        won_p,
    )


def won_cycle_histogram(
    *,
    start: dt.date,
    end: dt.date,
    rep_ids: Sequence[int] | None,
    team_ids: Sequence[int] | None = None,
    group_by: str = "team",
) -> list[tuple[int, dt.date, int, int]]:
    """(group id, day, cycle days, deals) of the deals won in ``start..end``, from the stored
    counts (kpis_kpiwoncycle, written with the daily rows).

    The group is the credited rep. With ``team_ids``, only the deals won while the rep
    belonged to one of those teams count, and the group is that team (``group_by="team"``)
    or still the rep (``group_by="rep"``). Medians are taken from these counts, not from rows.
    """
    if group_by not in ("team", "rep"):
        raise ValueError("group_by must be 'team' or 'rep'")
    rep_f, rep_p = _in("c.rep_id", rep_ids)
    if team_ids is None:
        sql = f"""SELECT c.rep_id, c.day, c.cycle_days, c.deals FROM kpis_kpiwoncycle c
            WHERE c.day BETWEEN %s AND %s AND {rep_f}"""
        params = [_date(start), _date(end), *rep_p]
    else:
        group = "m.team_id" if group_by == "team" else "c.rep_id"
        team_f, team_p = _in("m.team_id", team_ids)
        sql = f"""SELECT {group}, c.day, c.cycle_days, SUM(c.deals) FROM kpis_kpiwoncycle c
            JOIN reps_teammembership m ON m.rep_id = c.rep_id AND m.start_date <= c.day
                AND (m.end_date IS NULL OR c.day <= m.end_date)
            WHERE c.day BETWEEN %s AND %s AND {rep_f} AND {team_f}
            GROUP BY {group}, c.day, c.cycle_days"""
        params = [_date(start), _date(end), *rep_p, *team_p]
    from kpis.models import KpiWonCycle  # models import nothing of this module; the reverse would loop

    with read_connection(KpiWonCycle).cursor() as cursor:  # the replica on the dashboards (db_router)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(int(g), _as_date(day), int(cycle), int(n)) for g, day, cycle, n in rows]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
