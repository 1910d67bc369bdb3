"""The instants of an opportunity's events (created, offer reached, closed), read from its
stage history where the history shows them.

The KPI engine credits an event to the owner at that instant (docs/kpis.md, "Who gets the
credit"). Services set the instants as the events happen; rows written in bulk (the
migration that added the fields, seed_demo, imports) get them here, set-based: an event's
instant is the stage change that made it, when that change falls on the event's stored local
date, and stays empty otherwise (the engine then uses the owner at the end of that day).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery


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
