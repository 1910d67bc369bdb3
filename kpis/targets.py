"""Quota targets of any period, exact (docs/kpis.md, "Quota").

A quota spreads its target evenly over its working days (over its calendar days when it has
no working day); the target of a period is the sum of the shares of its days. A team's share
of a day is its own quota's share when one covers the day, else the sum of the shares of the
reps who belonged to it that day and of its sub-teams (by the same rule).

Pure functions over plain values, plus :func:`read_quota_book` (one query for the quotas, and
one each for the memberships and the team tree when the caller does not hold them).
Arithmetic is exact (``fractions.Fraction``): round only what is shown.

Interface:

- ``period_targets(*, metric, activity_kind="", start, end, rep_ids=(), team_ids=(),
  rep_scope=None, memberships=None, children=None) -> Targets``: the exact target of every
  rep and team asked for (absent when no quota of theirs overlaps the period).
- ``read_quota_book(...) -> QuotaBook`` and ``rep_target(book, rep_id, start, end, within=None)``
  / ``team_target(book, team_id, start, end)`` when the caller wants to read once and ask
  several periods (a quota grid).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from django.db.models import Q, QuerySet

from kpis.models import Quota, QuotaMetric
from reps.models import Team, TeamMembership

# An inclusive range of days.
Span = tuple[dt.date, dt.date]

_FAR_FUTURE = dt.date.max


@lru_cache(maxsize=4096)  # a region's quota shares ask for the same few spans thousands of times
def working_days(start: dt.date, end: dt.date) -> int:
    """Monday–Friday days in start..end inclusive (0 when end < start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start.weekday() + offset) % 7 < 5:
            count += 1
    return count


def calendar_days(start: dt.date, end: dt.date) -> int:
    return max(0, (end - start).days + 1)


@dataclass(frozen=True)
class QuotaSpan:
    """What the arithmetic needs of a quota: its days and its target."""

    start: dt.date
    end: dt.date
    target: Fraction


def quota_share(quota: QuotaSpan, start: dt.date, end: dt.date) -> Fraction:
    """The part of ``quota``'s target that falls on start..end (exact): target × working days of
    the quota inside the range / working days of the quota; by calendar days when the quota
    has no working day (a weekend fair)."""
    low, high = max(quota.start, start), min(quota.end, end)
    if high < low:
        return Fraction(0)
    whole = working_days(quota.start, quota.end)
    if whole:
        return quota.target * working_days(low, high) / whole
    return quota.target * calendar_days(low, high) / calendar_days(quota.start, quota.end)


def _intersect(spans: Iterable[Span], start: dt.date, end: dt.date) -> list[Span]:
    return [(max(a, start), min(b, end)) for a, b in spans if max(a, start) <= min(b, end)]


def _subtract(spans: Iterable[Span], cut: Iterable[Span]) -> list[Span]:
    """The days of ``spans`` that no span of ``cut`` covers."""
    result = list(spans)
    for c_start, c_end in cut:
        kept: list[Span] = []
        for a, b in result:
            if c_end < a or b < c_start:
                kept.append((a, b))
                continue
            if a < c_start:
                kept.append((a, c_start - dt.timedelta(days=1)))
            if c_end < b:
                kept.append((c_end + dt.timedelta(days=1), b))
        result = kept
    return result


def _spans_target(quotas: Sequence[QuotaSpan], spans: Sequence[Span]) -> tuple[Fraction, bool]:
    """The shares of ``quotas`` on the days of ``spans``, and whether any quota overlaps them."""
    terms: dict[int, int] = {}
    found = _add_shares(terms, quotas, spans)
    return _exact_sum(terms), found


def _add_shares(terms: dict[int, int], quotas: Sequence[QuotaSpan], spans: Sequence[Span]) -> bool:
    """Add the shares of ``quotas`` on the days of ``spans`` to ``terms`` (denominator →
    numerator: :func:`quota_share`'s fractions unreduced, so a team of thousands of reps sums
    integers, not Fractions, each with its gcd); whether any quota overlaps them."""
    found = False
    for quota in quotas:
        for start, end in spans:
            low, high = max(quota.start, start), min(quota.end, end)
            if low > high:
                continue
            found = True
            target = quota.target
            whole = working_days(quota.start, quota.end)
            if whole:
                part = working_days(low, high)
            else:
                part, whole = calendar_days(low, high), calendar_days(quota.start, quota.end)
            denominator = target.denominator * whole
            terms[denominator] = terms.get(denominator, 0) + target.numerator * part
    return found


def _exact_sum(terms: Mapping[int, int]) -> Fraction:
    return sum((Fraction(numerator, denominator) for denominator, numerator in terms.items()), Fraction(0))


@dataclass
class QuotaBook:
    """The quotas of one metric and the team structure a set of targets is computed from.

    ``members[team]``: (rep, first day, last day or None) of each membership of the team;
    ``children[team]``: its direct sub-teams.
    """

    rep_quotas: Mapping[int, Sequence[QuotaSpan]] = field(default_factory=dict)
    team_quotas: Mapping[int, Sequence[QuotaSpan]] = field(default_factory=dict)
    members: Mapping[int, Sequence[tuple[int, dt.date, dt.date | None]]] = field(default_factory=dict)
    children: Mapping[int, Sequence[int]] = field(default_factory=dict)


def rep_target(
    book: QuotaBook, rep_id: int, start: dt.date, end: dt.date, *, within: Iterable[Span] | None = None
) -> Fraction | None:
    """A rep's target for start..end; only on the days of ``within`` when given (the days the rep
    belonged to a team). None when no quota of the rep overlaps those days."""
    spans = [(start, end)] if within is None else _intersect(within, start, end)
    total, found = _spans_target(book.rep_quotas.get(rep_id, ()), spans)
    return total if found else None


def any_rep_target(
    book: QuotaBook,
    rep_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    *,
    memberships: Iterable[tuple[int, int, dt.date, dt.date | None]],
    rep_scope: Iterable[int],
) -> bool:
    """Whether :func:`period_targets` (with this ``rep_scope``) would give any of ``rep_ids`` a
    target: a quota of theirs overlaps their days in the scope within start..end. No arithmetic."""
    scope = set(rep_scope)
    wanted = {rep_id for rep_id in rep_ids if book.rep_quotas.get(rep_id)}
    for rep, team, first, last in memberships:
        if rep in wanted and team in scope:
            low, high = max(first, start), min(last or _FAR_FUTURE, end)
            if low <= high and any(q.start <= high and low <= q.end for q in book.rep_quotas[rep]):
                return True
    return False


def team_target(book: QuotaBook, team_id: int, start: dt.date, end: dt.date) -> Fraction | None:
    """A team's target for start..end by the per-day rule; None when no quota counts for it."""
    terms: dict[int, int] = {}
    found = _team_spans(book, team_id, [(start, end)], frozenset(), terms)
    return _exact_sum(terms) if found else None


def _team_spans(book: QuotaBook, team_id: int, spans: list[Span], seen: frozenset[int], terms: dict[int, int]) -> bool:
    """Add the team's shares on the days of ``spans`` to ``terms``; whether any quota counted."""
    if team_id in seen or not spans:  # a cycle in the tree would be bad data: count a team once
        return False
    seen = seen | {team_id}
    own = book.team_quotas.get(team_id, ())
    found = _add_shares(terms, own, spans)
    rest = _subtract(spans, [(q.start, q.end) for q in own])
    if not rest:
        return found
    for rep_id, first, last in book.members.get(team_id, ()):
        quotas = book.rep_quotas.get(rep_id)
        if quotas:
            found = _add_shares(terms, quotas, _intersect(rest, first, last or _FAR_FUTURE)) or found
    for child in book.children.get(team_id, ()):
        found = _team_spans(book, child, rest, seen, terms) or found
    return found


def membership_spans(
    memberships: Iterable[tuple[int, int, dt.date, dt.date | None]], rep_id: int, team_ids: Iterable[int]
) -> list[Span]:
    """The days ``rep_id`` belonged to one of ``team_ids``, from (rep, team, first, last) rows."""
    wanted = set(team_ids)
    return [(first, last or _FAR_FUTURE) for rep, team, first, last in memberships if rep == rep_id and team in wanted]


# --- reading ---------------------------------------------------------------------------------


def _metric_filter(metric: str, activity_kind: str, start: dt.date, end: dt.date) -> Q:
    kind = activity_kind if metric == QuotaMetric.ACTIVITIES else ""
    return Q(metric=metric, activity_kind=kind, start_date__lte=end, end_date__gte=start)


def read_quota_book(
    *,
    metric: str,
    activity_kind: str = "",
    start: dt.date,
    end: dt.date,
    rep_ids: Iterable[int] = (),
    team_ids: Iterable[int] = (),
    memberships: Iterable[tuple[int, int, dt.date, dt.date | None]] = (),
    children: Mapping[int, Sequence[int]] | None = None,
    rep_query: QuerySet | None = None,
) -> QuotaBook:
    """One query: the quotas of ``metric`` (and ``activity_kind``) overlapping start..end of
    ``rep_ids``, of the reps of ``memberships`` (rep, team, first, last) and of ``team_ids``.

    ``rep_query``: a query of rep ids holding all those reps (its other reps' quotas are read
    too, and answer for no one asked about), passed as a subquery instead of a list of ids (a
    region has 2,000)."""
    memberships = list(memberships)
    reps = set(rep_ids) | {rep for rep, _team, _first, _last in memberships}
    teams = set(team_ids)
    rep_quotas: dict[int, list[QuotaSpan]] = defaultdict(list)
    team_quotas: dict[int, list[QuotaSpan]] = defaultdict(list)
    if reps or teams:
        of_reps = Q(rep_id__in=rep_query) if rep_query is not None else Q(rep_id__in=sorted(reps))
        rows = (
            Quota.objects.filter(_metric_filter(metric, activity_kind, start, end))
            .filter(of_reps | Q(team_id__in=sorted(teams)))
            .order_by()
            .values_list("rep_id", "team_id", "start_date", "end_date", "target")
        )
        for rep_id, team_id, first, last, target in rows:
            span = QuotaSpan(first, last, Fraction(target))
            if rep_id is not None:
                rep_quotas[rep_id].append(span)
            else:
                team_quotas[team_id].append(span)
    members: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for rep, team, first, last in memberships:
        members[team].append((rep, first, last))
    return QuotaBook(rep_quotas=rep_quotas, team_quotas=team_quotas, members=members, children=children or {})


def children_of(teams: Iterable[Team]) -> dict[int, list[int]]:
    """Each team's direct sub-teams, from teams holding ``pk`` and ``parent_id``."""
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams:
        if team.parent_id is not None:
            children[team.parent_id].append(team.pk)
    return children


def memberships_overlapping(
    team_ids: Iterable[int], start: dt.date, end: dt.date
) -> list[tuple[int, int, dt.date, dt.date | None]]:
    """(rep, team, first, last) of the memberships of ``team_ids`` overlapping start..end (one query)."""
    return list(
        TeamMembership.objects.filter(team_id__in=list(team_ids), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by()
        .values_list("rep_id", "team_id", "start_date", "end_date")
    )


@dataclass
class Targets:
    """Exact targets of a period; a rep or team without any overlapping quota is absent."""

    reps: dict[int, Fraction]
    teams: dict[int, Fraction]


def subtree_of(team_ids: Iterable[int], children: Mapping[int, Sequence[int]]) -> set[int]:
    """``team_ids`` and every team below them."""
    found = set(team_ids)
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def period_targets(
    *,
    metric: str = QuotaMetric.WON_REVENUE,
    activity_kind: str = "",
    start: dt.date,
    end: dt.date,
    rep_ids: Iterable[int] = (),
    team_ids: Iterable[int] = (),
    rep_scope: Iterable[int] | None = None,
    memberships: Iterable[tuple[int, int, dt.date, dt.date | None]] | None = None,
    children: Mapping[int, Sequence[int]] | None = None,
    book: QuotaBook | None = None,
) -> Targets:
    """The exact target of start..end of every rep of ``rep_ids`` and team of ``team_ids``.

    ``rep_scope`` (team ids): count the reps' quotas only on the days they belonged to one of
    those teams (the rep rows of a team page). ``memberships`` ((rep, team, first, last)
    overlapping the period, of the teams of ``team_ids`` and ``rep_scope`` and their
    sub-teams) and ``children`` (team → direct sub-teams) are read when not given. At most
    three queries (teams, memberships, quotas), one when the caller holds the structure, none
    when it also holds a ``book`` read over a range holding start..end (several periods, one read).
    """
    team_ids, rep_ids = list(team_ids), list(rep_ids)
    scope = set(rep_scope) if rep_scope is not None else None
    if children is None:
        children = children_of(Team.objects.only("pk", "parent_id")) if team_ids else {}
    involved = subtree_of(team_ids, children)
    if memberships is None:
        wanted = involved | (scope or set())
        memberships = memberships_overlapping(wanted, start, end) if wanted else []
    memberships = list(memberships)
    if book is None:
        book = read_quota_book(
            metric=metric,
            activity_kind=activity_kind,
            start=start,
            end=end,
            rep_ids=rep_ids,
            team_ids=involved,
            memberships=[m for m in memberships if m[1] in involved],
            children=children,
        )
    # Each rep's spans in the scope, indexed once: scanning every membership for every rep
    # was quadratic in a region's size (2,000 reps, as many memberships).
    scoped: dict[int, list[Span]] = defaultdict(list)
    if scope is not None:
        for rep, team, first, last in memberships:
            if team in scope:
                scoped[rep].append((first, last or _FAR_FUTURE))
    reps: dict[int, Fraction] = {}
    for rep_id in rep_ids:
        within = scoped.get(rep_id, []) if scope is not None else None
        target = rep_target(book, rep_id, start, end, within=within)
        if target is not None:
            reps[rep_id] = target
    teams: dict[int, Fraction] = {}
    for team_id in team_ids:
        target = team_target(book, team_id, start, end)
        if target is not None:
            teams[team_id] = target
    return Targets(reps=reps, teams=teams)
