"""The one-to-one agenda as data: what the API returns, what the session page shows, and what a
held session keeps (``FrozenAgenda``) so that it reads the same later, whatever happens to the
numbers (a recompute, a deal edited, feedback deleted).

``selectors.agenda`` builds the agenda as of the session's start; :func:`agenda_data` gives it
as JSON-ready data (money and ratios as strings, dates ISO), the stored one for a held session.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coaching import selectors
from coaching.models import CoachingSession, FrozenAgenda, SessionKind, SessionStatus
from forecasts.agenda import OrderBookReviewSerializer, order_book_review
from kpis.api.serializers import MONEY, KpiRowSerializer
from kpis.periods import day_start

# --- the agenda's shape ---------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ActivityPlanRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    target = serializers.IntegerField(allow_null=True, help_text=_("Weekly target in force; null without one."))
    planned_this = serializers.IntegerField()
    planned_done_this = serializers.IntegerField()
    done_this = serializers.IntegerField()
    planned_next = serializers.IntegerField()


class PipelineStageRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    weighted = serializers.DecimalField(**MONEY)


class DealToReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="opportunity.pk")
    name = serializers.CharField(source="opportunity.name")
    account = serializers.CharField(source="opportunity.account.name", allow_null=True, default=None)
    stage = serializers.CharField(source="opportunity.stage.name")
    amount = serializers.DecimalField(source="opportunity.amount", **MONEY)
    days_in_stage = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField()
    tip = serializers.CharField(help_text=_("The coaching tip of the deal's stage; empty without one."))


class AgendaActionSerializer(serializers.Serializer):
    """An action item open at the session's start (``done_at`` null: it was not done then)."""

    id = serializers.IntegerField()
    rep = serializers.IntegerField(source="rep_id")
    created_by = serializers.IntegerField(source="created_by_id")
    session = serializers.IntegerField(source="session_id", allow_null=True)
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    is_done = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class AgendaFeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rep = serializers.IntegerField(source="rep_id")
    given_by = serializers.IntegerField(source="given_by_id")
    given_by_name = serializers.SerializerMethodField()
    session = serializers.IntegerField(source="session_id", allow_null=True)
    date = serializers.DateField()
    problem = serializers.CharField()
    consequence = serializers.CharField()
    improvement = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_given_by_name(self, feedback: Any) -> str:
        return feedback.given_by.get_full_name() or feedback.given_by.get_username()


class SatisfactionSerializer(serializers.Serializer):
    csat = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    complaints = serializers.IntegerField()


class AgendaPlanActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    account_id = serializers.IntegerField(source="plan.account_id")
    account = serializers.CharField(source="plan.account.name")
    goal = serializers.CharField(source="plan.goal")
    title = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.SerializerMethodField()
    due_date = serializers.DateField(allow_null=True)

    def get_owner_name(self, action: Any) -> str:
        return action.owner.get_full_name() or action.owner.get_username()


class AgendaSerializer(serializers.Serializer):
    """The agenda of ``Agenda`` (coaching.selectors), in the order a one-to-one goes through it."""

    as_of = serializers.DateTimeField(help_text=_("The moment the agenda describes: the session's start, or now if later."))
    frozen_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the agenda was stored (the session was marked held); null while it is live.")
    )
    last_week = PeriodSerializer()
    this_week = PeriodSerializer()
    last_week_figures = KpiRowSerializer(allow_null=True)
    last_week_plan = ActivityPlanRowSerializer(many=True)
    next_plan = ActivityPlanRowSerializer(many=True)
    quota_period = PeriodSerializer(allow_null=True)
    quota_figures = KpiRowSerializer(allow_null=True)
    pipeline_by_stage = PipelineStageRowSerializer(many=True)
    overdue_next_steps = serializers.IntegerField()
    deals_to_review = DealToReviewSerializer(many=True)
    open_actions = AgendaActionSerializer(many=True)
    recent_feedback = AgendaFeedbackSerializer(many=True)
    satisfaction = SatisfactionSerializer(allow_null=True, help_text=_("CSAT and complaints of the four weeks before."))
    account_plan_actions = AgendaPlanActionSerializer(
        many=True, help_text=_("Actions of the rep's account plans open at the session's start.")
    )
    # Added after agendas were first stored: absent from those frozen before (the page copes).
    order_book_review = OrderBookReviewSerializer(
        required=False,
        help_text=_(
            "The order book's deviations since the last held one-to-one and the accuracy of the rep's monthly calls;"
            " absent from agendas stored before it existed."
        ),
    )


# --- live, or frozen ------------------------------------------------------------------------


def _as_json(agenda: selectors.Agenda, moment: dt.datetime) -> dict[str, Any]:
    agenda.as_of = moment  # type: ignore[attr-defined]
    agenda.frozen_at = None  # type: ignore[attr-defined]
    data = AgendaSerializer(agenda).data
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # plain dicts and lists, as stored


def _order_book_review(session: CoachingSession, agenda: selectors.Agenda, moment: dt.datetime) -> dict[str, Any]:
    """Part 4's forecast figures: deviations since the rep's last held one-to-one before this
    session (else since the start of last week) up to the agenda's moment."""
    previous = (
        CoachingSession.objects.filter(
            rep_id=session.rep_id,
            kind=SessionKind.ONE_TO_ONE,
            status=SessionStatus.HELD,
            scheduled_for__lt=session.scheduled_for,
        )
        .exclude(pk=session.pk)
        .order_by("-scheduled_for", "-pk")
        .values_list("pk", "scheduled_for")
        .first()
    )
    since = previous[1] if previous else day_start(agenda.last_week.start)
    return order_book_review(
        user=selectors.SYSTEM,
        rep=session.rep,
        since=min(since, moment),
        until=moment,
        previous_session=previous[0] if previous else None,
    )


def live_agenda_data(session: CoachingSession, *, now: dt.datetime | None = None) -> dict[str, Any]:
    moment = selectors.as_of(session, now)
    agenda = selectors.agenda(session=session, now=now)
    agenda.order_book_review = _order_book_review(session, agenda, moment)  # type: ignore[attr-defined]
    return _as_json(agenda, moment)


def agenda_data(session: CoachingSession) -> dict[str, Any]:
    """The stored agenda of a held session; the live one (as of its start) otherwise."""
    frozen = FrozenAgenda.objects.filter(session=session).first() if session.status == SessionStatus.HELD else None
    if frozen is not None:
        return {**frozen.data, "frozen_at": frozen.frozen_at.isoformat()}
    return live_agenda_data(session)


@transaction.atomic
def agenda_freeze(*, session: CoachingSession, now: dt.datetime | None = None) -> FrozenAgenda:
    """Store the agenda of a held session (again, if it was stored before: the session's date or
    status changed). Called by ``services`` when a session becomes held."""
    data = live_agenda_data(session, now=now)
    frozen, _created = FrozenAgenda.objects.update_or_create(
        session=session, defaults={"data": data, "frozen_at": now or timezone.now()}
    )
    return frozen


def freeze_missing(
    *,
    limit: int | None = None,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
    newest_first: bool = False,
) -> int:
    """Freeze the agendas of held sessions that have none yet (held before agendas were stored,
    or created in bulk); idempotent. Returns how many. ``since``: only the sessions from then on,
    and ``newest_first`` with ``limit``: the latest ones (the demo data stores the recent ones
    and leaves the older ones to the nightly run); ``now``: the moment they are stored at (the
    demo's "now" on a pinned day)."""
    order = ("-scheduled_for", "-pk") if newest_first else ("scheduled_for", "pk")
    missing = (
        CoachingSession.objects.filter(status=SessionStatus.HELD, frozen_agenda__isnull=True)
        .select_related("rep__team")
        .order_by(*order)
    )
    if since is not None:
        missing = missing.filter(scheduled_for__gte=since)
    count = 0
    for session in missing[:limit] if limit else missing:
        agenda_freeze(session=session, now=now)
        count += 1
    return count
