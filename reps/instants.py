"""The dates and instants of an opportunity's events: created, offer reached, closed.

The KPI engine credits an event to the owner at its instant (docs/kpis.md, "Who gets the
credit"); when only its date is known, to the owner at the end of that local day. The
services (reps/services.py) set the instants as the events happen and derive the offer date
with the rules below (shared KPI definitions, "Stages"); rows written in bulk (the migration
that added the fields, seed_demo, imports) get their instants from :func:`fill_event_instants`,
set-based: an event's instant is the stage change that made it, when that change falls on the
event's stored local date, and stays empty otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from reps.models import Opportunity, Stage, StageKind


def fill_event_instants(
    *,
    opportunity_model: Any,
    stage_change_model: Any,
    stage_model: Any,
    opportunity_ids: Iterable[int] | None = None,
) -> None:
    """Set created_at, offer_at and closed_at of these opportunities (all if None) from
    their stage history. Models are passed in, so that a migration can use its own."""
    opportunities = opportunity_model._default_manager.all()
    if opportunity_ids is not None:
        opportunities = opportunities.filter(pk__in=list(opportunity_ids))
    changes = stage_change_model._default_manager.filter(opportunity=OuterRef("pk"))
    first = changes.order_by("changed_at", "pk").values("changed_at")[:1]
    # The move into the stage it is in now: the close, when that stage is won or lost.
    closing = changes.filter(to_stage=OuterRef("stage")).order_by("-changed_at", "-pk").values("changed_at")[:1]
    offer_order = stage_model._default_manager.filter(pipeline=OuterRef("to_stage__pipeline"), is_offer=True).values("order")[:1]
    reaching = (
        changes.filter(Q(to_stage__kind="won") | Q(to_stage__kind="open", to_stage__order__gte=Subquery(offer_order)))
        .filter(changed_at__date=OuterRef("offer_date"))
        .order_by("changed_at", "pk")
        .values("changed_at")[:1]
    )
    opportunities.update(created_at=Subquery(first))
    opportunities.filter(created_at__isnull=False).exclude(created_at__date=F("created_date")).update(created_at=None)
    opportunities.filter(offer_date__isnull=False).update(offer_at=Subquery(reaching))
    opportunities.filter(offer_date__isnull=True).update(offer_at=None)
    closed = opportunities.filter(close_date__isnull=False).exclude(stage__kind="open")
    closed.update(closed_at=Subquery(closing))
    closed.filter(closed_at__isnull=False).exclude(closed_at__date=F("close_date")).update(closed_at=None)
    opportunities.filter(Q(close_date__isnull=True) | Q(stage__kind="open")).update(closed_at=None)


# An event: its local date and, when known, its instant (whose local date is that date).
Event = tuple[dt.date, dt.datetime | None]


def instant_on(day: dt.date | None, *moments: dt.datetime | None) -> dt.datetime | None:
    """The first of ``moments`` that falls on the local ``day``: the instant of an event dated
    ``day``. None when none does (a date given for another day: only the date is known)."""
    for moment in moments:
        if day is not None and moment is not None and timezone.localdate(moment) == day:
            return moment
    return None


def earliest(*events: Event | None) -> Event | None:
    """The earliest event by date; on one day, a known instant before an unknown one."""
    known = [e for e in events if e is not None]
    if not known:
        return None
    return min(known, key=lambda e: (e[0], e[1] is None, e[1] or dt.datetime.min.replace(tzinfo=dt.UTC)))


def set_offer(opportunity: Opportunity, event: Event | None) -> None:
    """Store ``event`` as the deal's offer (date and instant), never before its creation."""
    if event is not None and event[0] < opportunity.created_date:
        event = (opportunity.created_date, instant_on(opportunity.created_date, event[1], opportunity.created_at))
    opportunity.offer_date, opportunity.offer_at = event if event is not None else (None, None)


def offer_with_close(opportunity: Opportunity, reached: Event | None) -> Event | None:
    """The offer of a deal in its current stage, given ``reached``, the offer reached apart from
    its close. Won: the close reaches the offer too (a deal counts as having entered won on its
    close date), the earliest counts. Lost does not reach the offer: a lost deal's offer is the
    one its stages reached, whenever that was."""
    if opportunity.stage.kind == StageKind.WON and opportunity.close_date is not None:
        return earliest(reached, (opportunity.close_date, opportunity.closed_at))
    return reached


def offer_order(pipeline_id: int) -> int | None:
    """The order of the pipeline's offer stage: an open stage at or after it reaches the offer."""
    return Stage.objects.filter(pipeline_id=pipeline_id, is_offer=True).values_list("order", flat=True).first()


def offer_apart_from_dates(opportunity: Opportunity, *, old_created: dt.date, old_close: dt.date | None) -> Event | None:
    """The offer the deal reached other than by its close, once its creation or close date moved.

    An offer date strictly between the old creation and close dates was reached through the
    stages (or an earlier win): it stays. One on the creation date (created in the offer stage)
    or on the close date (won without it) may follow that date: the stage history tells when a
    stage reached it, the creation counting on the (new) creation date and the move into the
    current stage left out (its close counts instead, see :func:`offer_with_close`).
    """
    if opportunity.offer_date is None:
        return None
    kept: Event = (opportunity.offer_date, opportunity.offer_at)
    if old_created < opportunity.offer_date and (old_close is None or opportunity.offer_date < old_close):
        return kept
    history = list(opportunity.stage_changes.select_related("to_stage").order_by("changed_at", "pk"))
    if not history:
        return kept  # written in bulk without history: nothing tells otherwise
    closing = next((c for c in reversed(history) if c.to_stage_id == opportunity.stage_id), None)
    if not opportunity.stage.is_closed:
        closing = None
    offer_at_order = offer_order(opportunity.pipeline_id)
    for index, change in enumerate(history):
        stage = change.to_stage
        reaches = stage.kind == StageKind.WON or (
            stage.kind == StageKind.OPEN and offer_at_order is not None and stage.order >= offer_at_order
        )
        if change is closing or not reaches:
            continue
        day = opportunity.created_date if index == 0 else max(timezone.localdate(change.changed_at), opportunity.created_date)
        return (day, instant_on(day, change.changed_at, opportunity.created_at))
    return None


def keep_instants_true(opportunity: Opportunity) -> None:
    """An instant is kept only on its event's local date (a moved date is known by date only)."""
    opportunity.created_at = instant_on(opportunity.created_date, opportunity.created_at)
    opportunity.offer_at = instant_on(opportunity.offer_date, opportunity.offer_at)
    opportunity.closed_at = instant_on(opportunity.close_date, opportunity.closed_at)
