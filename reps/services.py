"""Every write to the sales data goes through these functions.

They validate, save, keep the stage and owner history, and tell the KPI engine which reps
and days to recompute (after commit). Bulk loaders (seed_demo, import_crm) write rows in
bulk themselves but keep the same invariants and recompute KPIs at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.hooks import kpi_inputs_changed
from reps import instants, rules
from reps.instants import Event
from reps.models import (
    Account,
    Activity,
    ActivityStatus,
    CustomerFeedback,
    Opportunity,
    OpportunityFieldChange,
    OpportunityOwnerChange,
    OpportunityStageChange,
    Pipeline,
    Product,
    Rep,
    Stage,
    StageKind,
    Team,
    TeamMembership,
)
from salesperf import dates

User = get_user_model()


def local_date(moment: dt.datetime) -> dt.date:
    """The organisation's local date of an aware datetime (shared KPI definitions, "Time")."""
    return timezone.localdate(moment)


def _save(obj: Any, *, exclude: list[str] | None = None) -> Any:
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


# --- pipelines ------------------------------------------------------------------------------


def pipeline_validate(pipeline: Pipeline) -> None:
    """A usable pipeline has exactly one offer stage, and at least one won and one lost stage."""
    kinds = list(pipeline.stages.values_list("kind", "is_offer"))
    errors = []
    if sum(1 for _kind, is_offer in kinds if is_offer) != 1:
        errors.append(_("A pipeline needs exactly one offer stage."))
    if not any(kind == StageKind.WON for kind, _o in kinds):
        errors.append(_("A pipeline needs a won stage."))
    if not any(kind == StageKind.LOST for kind, _o in kinds):
        errors.append(_("A pipeline needs a lost stage."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pipeline_create(*, name: str, stages: list[dict[str, Any]], is_default: bool = False) -> Pipeline:
    """Create a pipeline with its stages, given in order as dicts of Stage fields."""
    pipeline = _save(Pipeline(name=name, is_default=is_default))
    for order, fields in enumerate(stages, start=1):
        _save(Stage(pipeline=pipeline, order=fields.pop("order", order), **fields))
    pipeline_validate(pipeline)
    return pipeline


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.order_by("pk").first()
    if pipeline is None:
        raise ValidationError(_("No pipeline exists yet; an admin must create one first."))
    return pipeline


def offer_reached(stage: Stage) -> bool:
    """Whether being in ``stage`` means the offer has been reached (offer stage, later open, or won)."""
    if stage.kind == StageKind.WON:
        return True
    if stage.kind == StageKind.LOST:
        return False
    offer_order = Stage.objects.filter(pipeline_id=stage.pipeline_id, is_offer=True).values_list("order", flat=True).first()
    return offer_order is not None and stage.order >= offer_order


# --- teams and reps -------------------------------------------------------------------------


@transaction.atomic
def rep_create(
    *,
    username: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    start_date: dt.date | None = None,
    segment: str = "",
    territory: str = "",
    external_id: str | None = None,
) -> Rep:
    start_date = start_date or timezone.localdate()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _save(user, exclude=["password"])
    rep = _save(
        Rep(
            user=user,
            team=team,
            start_date=start_date,
            segment=segment,
            territory=territory,
            external_id=external_id,
        )
    )
    if team is not None:
        _save(TeamMembership(rep=rep, team=team, start_date=start_date))
    return rep


@transaction.atomic
def rep_move_team(*, rep: Rep, team: Team | None, on_date: dt.date) -> Rep:
    """Move ``rep`` to ``team`` from ``on_date`` (the previous membership ends the day before)."""
    open_membership = TeamMembership.objects.select_for_update().filter(rep=rep, end_date__isnull=True).first()
    if open_membership is not None:
        if on_date <= open_membership.start_date:
            raise ValidationError(
                {
                    "on_date": _("The move must be after the current membership began (%(date)s).")
                    % {"date": open_membership.start_date}
                }
            )
        open_membership.end_date = on_date - dt.timedelta(days=1)
        _save(open_membership)
    if team is not None:
        _save(TeamMembership(rep=rep, team=team, start_date=on_date))
    rep.team = team
    _save(rep)
    kpi_inputs_changed(rep_ids=[rep.pk], dates=[on_date])
    return rep


# --- opportunities --------------------------------------------------------------------------


def _check_stage(pipeline: Pipeline, stage: Stage) -> None:
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("This stage belongs to another pipeline.")})


def _opportunity_dates(opportunity: Opportunity) -> list[dt.date | None]:
    return [opportunity.created_date, opportunity.offer_date, opportunity.close_date]


def _deal_reps(opportunity: Opportunity) -> set[int]:
    """Every rep in the deal's owner history, and its owner: those an event of it may be credited to."""
    return set(opportunity.owner_changes.values_list("to_owner_id", flat=True)) | {opportunity.owner_id}


def _lock(opportunity: Opportunity) -> None:
    """Lock the deal's row and read it afresh, so that concurrent changes of one deal queue up
    and each starts where the previous one ended (its history stays one chain)."""
    opportunity.refresh_from_db(from_queryset=Opportunity.objects.select_for_update())


@transaction.atomic
def opportunity_create(
    *,
    owner: Rep,
    name: str,
    by_user: Any = None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    account: Account | None = None,
    product: Product | None = None,
    amount: Decimal = Decimal("0"),
    created_date: dt.date | None = None,
    expected_close_date: dt.date | None = None,
    close_date: dt.date | None = None,
    forecast_category: str = "",
    next_step: str = "",
    next_step_date: dt.date | None = None,
    lost_reason: str = "",
    external_id: str | None = None,
    at: dt.datetime | None = None,
) -> Opportunity:
    """Create an opportunity with its first stage and owner history rows.

    Created directly in the offer stage (or later, or won) it reaches the offer on its
    creation date; created won or lost its close date is its creation date unless given.
    The instants of these events are ``at`` when it falls on their dates.
    """
    if by_user is not None:
        rules.require(rules.may_log_for(by_user, owner))
    at = at or timezone.now()
    pipeline = pipeline or (stage.pipeline if stage else default_pipeline())
    stage = stage or pipeline.stages.filter(kind=StageKind.OPEN).order_by("order").first()
    if stage is None:
        raise ValidationError({"stage": _("The pipeline has no open stage.")})
    _check_stage(pipeline, stage)
    created_date = created_date or local_date(at)
    if stage.kind == StageKind.LOST and not lost_reason:
        raise ValidationError({"lost_reason": _("Say why the deal was lost.")})
    close = (close_date or created_date) if stage.is_closed else None
    opportunity = Opportunity(
        owner=owner,
        name=name,
        pipeline=pipeline,
        stage=stage,
        account=account,
        product=product,
        amount=amount,
        created_date=created_date,
        created_at=instants.instant_on(created_date, at),
        expected_close_date=expected_close_date,
        close_date=close,
        closed_at=instants.instant_on(close, at),
        forecast_category=forecast_category,
        next_step=next_step,
        next_step_date=next_step_date,
        lost_reason=lost_reason,
        external_id=external_id,
        stage_changed_at=at,
    )
    if offer_reached(stage):
        instants.set_offer(opportunity, (created_date, opportunity.created_at))
    _save(opportunity)
    OpportunityStageChange.objects.create(opportunity=opportunity, to_stage=stage, changed_at=at, changed_by=by_user)
    OpportunityOwnerChange.objects.create(opportunity=opportunity, to_owner=owner, changed_at=at, changed_by=by_user)
    kpi_inputs_changed(rep_ids=[owner.pk], dates=_opportunity_dates(opportunity))
    return opportunity


# Fields an owner edits freely; stage and owner change through their own services.
OPPORTUNITY_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "account",
        "product",
        "amount",
        "created_date",
        "expected_close_date",
        "close_date",
        "next_step",
        "next_step_date",
        "lost_reason",
        "forecast_category",
    }
)

# Edits kept in the deal's change log (deviations of the order book, forecasts/selectors.py).
LOGGED_FIELDS = tuple(OpportunityFieldChange.Field.values)


def _log_field_changes(opportunity: Opportunity, old: dict[str, Any]) -> None:
    OpportunityFieldChange.objects.bulk_create(
        OpportunityFieldChange(
            opportunity=opportunity,
            field=name,
            old_value="" if old[name] is None else str(old[name]),
            new_value="" if getattr(opportunity, name) is None else str(getattr(opportunity, name)),
        )
        for name in LOGGED_FIELDS
        if getattr(opportunity, name) != old[name]
    )


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, **fields: Any) -> Opportunity:
    """Edit an opportunity's plain fields. Its close date stays editable once it is closed.

    Editing the close date moves the close, and with it the offer when the close reached it
    (a won deal that skipped the offer stage): shared KPI definitions, "Stages". Editing the
    creation date moves an offer reached on creation (created in the offer stage or later).
    """
    unknown = set(fields) - OPPORTUNITY_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _lock(opportunity)
    before = _opportunity_dates(opportunity)
    old_created, old_close = opportunity.created_date, opportunity.close_date
    logged = {name: getattr(opportunity, name) for name in LOGGED_FIELDS}
    for name, value in fields.items():
        setattr(opportunity, name, value)
    if opportunity.stage.is_closed and opportunity.close_date is None:
        raise ValidationError({"close_date": _("A closed deal needs a close date.")})
    if not opportunity.stage.is_closed and opportunity.close_date is not None:
        raise ValidationError({"close_date": _("An open deal has no close date; move it to won or lost instead.")})
    if opportunity.close_date != old_close:
        closing = opportunity.stage_changes.filter(to_stage_id=opportunity.stage_id).order_by("-changed_at", "-pk").first()
        opportunity.closed_at = instants.instant_on(opportunity.close_date, closing.changed_at if closing else None)
    if opportunity.created_date != old_created:
        first = opportunity.stage_changes.order_by("changed_at", "pk").first()
        opportunity.created_at = instants.instant_on(opportunity.created_date, first.changed_at if first else None)
    if (opportunity.created_date, opportunity.close_date) != (old_created, old_close):
        reached = instants.offer_apart_from_dates(opportunity, old_created=old_created, old_close=old_close)
        instants.set_offer(opportunity, instants.offer_with_close(opportunity, reached))
    instants.keep_instants_true(opportunity)
    _save(opportunity)
    _log_field_changes(opportunity, logged)
    kpi_inputs_changed(rep_ids=_deal_reps(opportunity), dates=before + _opportunity_dates(opportunity))
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    by_user: Any = None,
    lost_reason: str = "",
    close_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Opportunity:
    """Move an opportunity to ``stage`` and record it in the stage history.

    Won or lost: the close date is ``close_date`` or the move's local date, and a loss needs a
    reason. Back to an open stage (reopened): the close date is cleared. The offer is reached
    the first time the deal enters the offer stage, a later open stage, or won; a deal won with
    an earlier close date entered won, and so reached the offer, on that date (shared KPI
    definitions, "Stages"). Once reached, the offer date only moves earlier.
    """
    _lock(opportunity)  # the row first, then the moment: moves of one deal are ordered
    at = at or timezone.now()
    _check_stage(opportunity.pipeline, stage)
    if stage.pk == opportunity.stage_id:
        return opportunity
    if stage.kind == StageKind.LOST and not (lost_reason or opportunity.lost_reason):
        raise ValidationError({"lost_reason": _("Say why the deal was lost.")})
    before = _opportunity_dates(opportunity)
    day = local_date(at)
    from_stage = opportunity.stage
    reached: Event | None = None
    if opportunity.offer_date is not None:
        reached = (opportunity.offer_date, opportunity.offer_at)
    opportunity.stage = stage
    opportunity.stage_changed_at = at
    if stage.is_closed:
        opportunity.close_date = close_date or day
        opportunity.closed_at = instants.instant_on(opportunity.close_date, at)
        if stage.kind == StageKind.LOST:
            opportunity.lost_reason = lost_reason or opportunity.lost_reason
    else:
        opportunity.close_date = opportunity.closed_at = None
        opportunity.lost_reason = ""
        if reached is None and offer_reached(stage):
            entered = max(day, opportunity.created_date)
            reached = (entered, instants.instant_on(entered, at))
    instants.set_offer(opportunity, instants.offer_with_close(opportunity, reached))
    instants.keep_instants_true(opportunity)
    _save(opportunity)
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=from_stage, to_stage=stage, changed_at=at, changed_by=by_user
    )
    kpi_inputs_changed(rep_ids=_deal_reps(opportunity), dates=before + _opportunity_dates(opportunity))
    return opportunity


@transaction.atomic
def opportunity_reassign(
    *, opportunity: Opportunity, owner: Rep, by_user: Any = None, at: dt.datetime | None = None
) -> Opportunity:
    """Give an opportunity to another rep; events from now on are credited to them."""
    _lock(opportunity)
    at = at or timezone.now()
    if owner.pk == opportunity.owner_id:
        return opportunity
    previous = opportunity.owner
    opportunity.owner = owner
    _save(opportunity)
    OpportunityOwnerChange.objects.create(
        opportunity=opportunity, from_owner=previous, to_owner=owner, changed_at=at, changed_by=by_user
    )
    kpi_inputs_changed(rep_ids=_deal_reps(opportunity), dates=[*_opportunity_dates(opportunity), local_date(at)])
    return opportunity


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity) -> None:
    _lock(opportunity)
    dates = _opportunity_dates(opportunity)
    rep_ids = _deal_reps(opportunity)
    opportunity.delete()
    kpi_inputs_changed(rep_ids=rep_ids, dates=dates)


# --- activities -----------------------------------------------------------------------------


def _save_activity(activity: Activity) -> None:
    """``_save`` for an activity normalised by ``_normalise_activity``, in fewer round trips.

    Its four check constraints (a done activity has a time and only it; a date; a known kind
    and status) are what ``_normalise_activity`` and the fields' choices already ensure, and
    Django checked each with a SELECT in a savepoint: 13 round trips per write. Related records
    read from the database are not looked up again either. The constraints stay in the table.
    """
    loaded = [
        field.name
        for field in (Activity.owner.field, Activity.account.field, Activity.opportunity.field)
        if field.is_cached(activity)
        and (related := field.get_cached_value(activity)) is not None
        and not related._state.adding
        and related.pk == getattr(activity, field.attname)
    ]
    activity.full_clean(exclude=loaded, validate_constraints=False)
    activity.save()


def _activity_dates(activity: Activity) -> list[dt.date | None]:
    return [activity.planned_date, local_date(activity.done_at) if activity.done_at else None]


def _normalise_activity(activity: Activity) -> None:
    if activity.status == ActivityStatus.DONE and activity.done_at is None:
        activity.done_at = timezone.now()
    if activity.status != ActivityStatus.DONE:
        activity.done_at = None
    if activity.done_at is not None and dates.in_range(activity.done_at) and dates.is_future_moment(activity.done_at):
        raise ValidationError({"done_at": dates.DONE_IN_THE_FUTURE})
    if activity.planned_date is None and activity.done_at is None:
        raise ValidationError({"planned_date": _("Give the day it is planned for, or mark it done.")})
    if activity.opportunity_id and activity.account_id is None:
        activity.account_id = activity.opportunity.account_id


@transaction.atomic
def activity_create(
    *,
    owner: Rep,
    kind: str,
    by_user: Any = None,
    status: str = ActivityStatus.PLANNED,
    planned_date: dt.date | None = None,
    done_at: dt.datetime | None = None,
    subject: str = "",
    account: Account | None = None,
    opportunity: Opportunity | None = None,
    notes: str = "",
    external_id: str | None = None,
) -> Activity:
    if by_user is not None:
        rules.require(rules.may_log_for(by_user, owner))
    activity = Activity(
        owner=owner,
        kind=kind,
        status=status,
        planned_date=planned_date,
        done_at=done_at,
        subject=subject,
        account=account,
        opportunity=opportunity,
        notes=notes,
        external_id=external_id,
    )
    _normalise_activity(activity)
    _save_activity(activity)
    kpi_inputs_changed(rep_ids=[owner.pk], dates=_activity_dates(activity))
    return activity


ACTIVITY_EDITABLE_FIELDS = frozenset(
    {"kind", "status", "planned_date", "done_at", "subject", "account", "opportunity", "notes", "owner"}
)


@transaction.atomic
def activity_update(*, activity: Activity, **fields: Any) -> Activity:
    unknown = set(fields) - ACTIVITY_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before_owner, before = activity.owner_id, _activity_dates(activity)
    for name, value in fields.items():
        setattr(activity, name, value)
    _normalise_activity(activity)
    _save_activity(activity)
    kpi_inputs_changed(rep_ids=[before_owner, activity.owner_id], dates=before + _activity_dates(activity))
    return activity


def activity_mark_done(*, activity: Activity, done_at: dt.datetime | None = None) -> Activity:
    return activity_update(activity=activity, status=ActivityStatus.DONE, done_at=done_at or timezone.now())


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    rep_id, dates = activity.owner_id, _activity_dates(activity)
    activity.delete()
    kpi_inputs_changed(rep_ids=[rep_id], dates=dates)


# --- accounts and customer feedback ---------------------------------------------------------


@transaction.atomic
def account_create(*, name: str, **fields: Any) -> Account:
    return _save(Account(name=name, **fields))


@transaction.atomic
def account_update(*, account: Account, **fields: Any) -> Account:
    for name, value in fields.items():
        setattr(account, name, value)
    return _save(account)


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Delete an account without deals; its activities and feedback go with it (or lose the link)."""
    if account.opportunities.exists():
        raise ValidationError(_("This account still has opportunities; delete or move them first."))
    rep_ids = set(account.feedback.values_list("rep_id", flat=True))
    dates = list(account.feedback.values_list("date", flat=True))
    account.delete()
    kpi_inputs_changed(rep_ids=rep_ids, dates=dates)


@transaction.atomic
def feedback_create(
    *,
    account: Account,
    by_user: Any = None,
    rep: Rep | None = None,
    date: dt.date | None = None,
    score: int | None = None,
    is_complaint: bool = False,
    text: str = "",
    external_id: str | None = None,
) -> CustomerFeedback:
    """File feedback; with ``by_user``, credited and checked as reps/rules.py says."""
    if by_user is not None:
        rep = rules.feedback_rep(by_user, account, rep)
        rules.require(rules.may_file_feedback(by_user, account, rep))
    if score is None and not is_complaint:
        raise ValidationError({"score": _("Give a score from 1 to 5, or mark the entry as a complaint.")})
    feedback = _save(
        CustomerFeedback(
            account=account,
            rep=rep or account.owner,
            date=date or timezone.localdate(),
            score=score,
            is_complaint=is_complaint,
            text=text,
            external_id=external_id,
        )
    )
    kpi_inputs_changed(rep_ids=[feedback.rep_id], dates=[feedback.date])
    return feedback


@transaction.atomic
def feedback_update(*, feedback: CustomerFeedback, **fields: Any) -> CustomerFeedback:
    before_rep, before_date = feedback.rep_id, feedback.date
    for name, value in fields.items():
        setattr(feedback, name, value)
    if feedback.score is None and not feedback.is_complaint:
        raise ValidationError({"score": _("Give a score from 1 to 5, or mark the entry as a complaint.")})
    _save(feedback)
    kpi_inputs_changed(rep_ids=[before_rep, feedback.rep_id], dates=[before_date, feedback.date])
    return feedback


@transaction.atomic
def feedback_delete(*, feedback: CustomerFeedback) -> None:
    rep_id, day = feedback.rep_id, feedback.date
    feedback.delete()
    kpi_inputs_changed(rep_ids=[rep_id], dates=[day])
