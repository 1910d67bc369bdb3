"""Helpers for the KPI engine tests: write through the services at a given local time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings

from reps import services
from reps.models import Activity, ActivityStatus, Opportunity, Rep
from tests.factories import AccountFactory, make_pipeline, stage


def at(day: dt.date | str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware datetime at ``hour:minute`` local time (settings.TIME_ZONE) on ``day``."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def done(rep: Rep, kind: str, day: str, *, hour: int = 10, minute: int = 0, planned: str | None = None) -> Activity:
    return services.activity_create(
        owner=rep,
        kind=kind,
        status=ActivityStatus.DONE,
        done_at=at(day, hour, minute),
        planned_date=d(planned) if planned else None,
    )


def planned(rep: Rep, kind: str, day: str, *, status: str = ActivityStatus.PLANNED) -> Activity:
    return services.activity_create(owner=rep, kind=kind, status=status, planned_date=d(day))


def opp(rep: Rep, created: str, *, stage_name: str = "Prospecting", amount: str = "0", **fields) -> Opportunity:
    pipeline = make_pipeline()
    return services.opportunity_create(
        owner=rep,
        name=f"Deal {created} {stage_name}",
        stage=stage(pipeline, stage_name),
        amount=Decimal(amount),
        created_date=d(created),
        at=at(created),
        lost_reason="Price" if stage_name == "Lost" else "",
        **fields,
    )


def move(opportunity: Opportunity, stage_name: str, day: str, **kwargs) -> Opportunity:
    opportunity.refresh_from_db()
    return services.opportunity_move(
        opportunity=opportunity,
        stage=stage(opportunity.pipeline, stage_name),
        at=at(day),
        lost_reason="Price" if stage_name == "Lost" else "",
        **kwargs,
    )


def feedback(rep: Rep, day: str, score: int | None = None, complaint: bool = False):
    return services.feedback_create(account=AccountFactory(owner=rep), rep=rep, date=d(day), score=score, is_complaint=complaint)
