"""Serializers of the REST API v1. They parse and render; reps/services.py does every write.

Related records are looked up only among those the requesting user may see, so an id of
another rep's record is answered like an unknown id.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from reps import selectors, services
from reps.access import Role, can_manage_rep, is_admin, rep_of, role_of, visible_reps
from reps.models import Account, Activity, CustomerFeedback, Opportunity, Pipeline, Product, Rep, Stage, Team


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up in ``scope(user)``: records the user may not see do not exist."""

    default_error_messages = {
        "does_not_exist": _("No record with id {pk_value} that you may use."),
        "incorrect_type": _("Give the record's id as a whole number, not {data_type}."),
    }

    def __init__(self, *, model: type[Model], scope: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.model, self.scope_fn = model, scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        if request is None:
            return self.model._default_manager.none()
        return self.scope_fn(request.user)


def _user(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


def _changed(instance: Model, data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if getattr(instance, name) != value}


def _writable_reps(user: Any) -> QuerySet[Rep]:
    """Reps a user may create records for: admins any, everyone else themselves."""
    if is_admin(user):
        return Rep.objects.all()
    own = rep_of(user)
    return Rep.objects.filter(pk=own.pk) if own is not None else Rep.objects.none()


def _owner_for_create(user: Any, owner: Rep | None) -> Rep:
    owner = owner or rep_of(user)
    if owner is None:
        raise serializers.ValidationError({"owner": [_("Choose the rep who owns this record.")]})
    return owner


def _apply_owner_change(user: Any, current: Rep | None, new: Rep | None) -> bool:
    """Check a change of owner; True when there is one to make."""
    if new is None or (current is not None and new.pk == current.pk):
        return False
    if not selectors.can_reassign(user, current, new):
        raise PermissionDenied
    return True


def _check_can_write(user: Any, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- read-only lists ------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "manager", "parent"]


class RepSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Rep
        fields = ["id", "name", "username", "team", "segment", "territory", "start_date", "is_active"]


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "order", "probability", "kind", "is_offer", "forecast_category"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "is_default", "stages"]


# --- accounts -------------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    owner = ScopedPrimaryKeyField(
        model=Rep,
        scope=visible_reps,
        required=False,
        allow_null=True,
        help_text=_("The owning rep; empty for a shared account. Reps own the accounts they create."),
    )

    class Meta:
        model = Account
        fields = ["id", "name", "owner", "segment", "territory", "sector", "created_at"]
        read_only_fields = ["created_at"]

    def create(self, validated_data: dict[str, Any]) -> Account:
        user = _user(self)
        if "owner" not in validated_data:
            validated_data["owner"] = rep_of(user)
        owner = validated_data["owner"]
        if owner is None:
            _check_can_write(user, is_admin(user) or role_of(user) == Role.MANAGER)
        else:
            _check_can_write(user, selectors.can_write(user, owner) or selectors.can_reassign(user, None, owner))
        return services.account_create(**validated_data)

    def update(self, instance: Account, validated_data: dict[str, Any]) -> Account:
        user = _user(self)
        changes = _changed(instance, validated_data)
        if "owner" in changes:
            new_owner = changes.pop("owner")
            if new_owner is None:  # back to a shared account: admins, or the owner's manager
                owner = instance.owner
                _check_can_write(user, is_admin(user) or (owner is not None and can_manage_rep(user, owner)))
            elif not selectors.can_reassign(user, instance.owner, new_owner):
                raise PermissionDenied
            if changes:
                _check_can_write(user, selectors.can_edit_account(user, instance))
            return services.account_update(account=instance, owner=new_owner, **changes)
        if changes:
            _check_can_write(user, selectors.can_edit_account(user, instance))
        return services.account_update(account=instance, **changes)


# --- opportunities --------------------------------------------------------------------------


class OpportunitySerializer(serializers.ModelSerializer):
    owner = ScopedPrimaryKeyField(
        model=Rep,
        scope=visible_reps,
        required=False,
        help_text=_(
            "The owning rep; defaults to you. A manager gives a deal to another rep of their teams "
            "by changing it (the owner history records it); a rep cannot."
        ),
    )
    account = ScopedPrimaryKeyField(model=Account, scope=selectors.visible_accounts, required=False, allow_null=True)
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text=_("Only on creation (empty: the first stage of the default pipeline); later use the move action."),
    )
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    effective_forecast_category = serializers.SerializerMethodField(
        help_text=_("The owner's forecast category, else the stage's; null once the deal is closed.")
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "account",
            "owner",
            "pipeline",
            "stage",
            "product",
            "amount",
            "created_date",
            "expected_close_date",
            "close_date",
            "offer_date",
            "forecast_category",
            "effective_forecast_category",
            "next_step",
            "next_step_date",
            "lost_reason",
            "stage_changed_at",
            "updated_at",
        ]
        read_only_fields = ["pipeline", "offer_date", "stage_changed_at", "updated_at"]
        extra_kwargs = {
            "close_date": {"help_text": _("Set by a move to won or lost; editable while closed.")},
            # The table's check constraint would only give a form-wide message.
            "amount": {"min_value": 0},
            "forecast_category": {"help_text": _("pipeline, best_case, commit or omitted; empty follows the stage.")},
        }

    def get_effective_forecast_category(self, instance: Opportunity) -> str | None:
        return None if instance.stage.is_closed else instance.effective_forecast_category

    def create(self, validated_data: dict[str, Any]) -> Opportunity:
        user = _user(self)
        owner = _owner_for_create(user, validated_data.pop("owner", None))
        return services.opportunity_create(owner=owner, by_user=user, **validated_data)

    def update(self, instance: Opportunity, validated_data: dict[str, Any]) -> Opportunity:
        user = _user(self)
        stage = validated_data.pop("stage", None)
        if stage is not None and stage.pk != instance.stage_id:
            raise serializers.ValidationError({"stage": [_("Change the stage with POST …/move/.")]})
        new_owner = validated_data.pop("owner", None)
        changes = _changed(instance, validated_data)
        reassign = _apply_owner_change(user, instance.owner, new_owner)
        if changes:
            _check_can_write(user, selectors.can_write(user, instance.owner))
            instance = services.opportunity_update(opportunity=instance, **changes)
        if reassign and new_owner is not None:
            instance = services.opportunity_reassign(opportunity=instance, owner=new_owner, by_user=user)
        return instance


class OpportunityMoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), help_text=_("A stage of the deal's pipeline."))
    lost_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Required when moving to a lost stage.")
    )
    close_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("For won or lost; defaults to today. Reopening clears it.")
    )


# --- activities -----------------------------------------------------------------------------


# ActivitySerializer's unbound fields per serializer class, copied for each instance.
_FIELD_TEMPLATES: dict[type, dict[str, serializers.Field]] = {}


class ActivitySerializer(serializers.ModelSerializer):
    owner = ScopedPrimaryKeyField(
        model=Rep, scope=visible_reps, required=False, help_text=_("Defaults to you; managers may reassign within their teams.")
    )
    account = ScopedPrimaryKeyField(model=Account, scope=selectors.visible_accounts, required=False, allow_null=True)
    opportunity = ScopedPrimaryKeyField(model=Opportunity, scope=selectors.visible_opportunities, required=False, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "owner",
            "kind",
            "status",
            "subject",
            "planned_date",
            "done_at",
            "account",
            "opportunity",
            "notes",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "planned_date": {"help_text": _("The day it is planned for; needed unless it is done.")},
            "done_at": {"help_text": _("When it was done; defaults to now when the status is done.")},
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF rebuilds the fields from the model's introspection for every serializer, i.e. every
        # POST (0.6 ms of CPU); built once per class here, each serializer gets a deep copy (as DRF
        # gives it its declared fields: the same classes and arguments, 0.2 ms).
        template = _FIELD_TEMPLATES.get(type(self))
        if template is None:
            template = _FIELD_TEMPLATES[type(self)] = super().get_fields()
        return copy.deepcopy(template)

    def to_representation(self, instance: Activity) -> dict[str, Any]:
        """The row straight from its columns, related records as ids.

        The activity list is the busiest endpoint, and DRF's field-by-field rendering was a
        third of its time; tests pin that the output equals the generic one.
        """
        fields = self.fields
        return {
            "id": instance.pk,
            "owner": instance.owner_id,
            "kind": instance.kind,
            "status": instance.status,
            "subject": instance.subject,
            "planned_date": instance.planned_date.isoformat() if instance.planned_date else None,
            "done_at": fields["done_at"].to_representation(instance.done_at) if instance.done_at else None,
            "account": instance.account_id,
            "opportunity": instance.opportunity_id,
            "notes": instance.notes,
            "created_at": fields["created_at"].to_representation(instance.created_at),
        }

    def create(self, validated_data: dict[str, Any]) -> Activity:
        user = _user(self)
        owner = _owner_for_create(user, validated_data.pop("owner", None))
        return services.activity_create(owner=owner, by_user=user, **validated_data)

    def update(self, instance: Activity, validated_data: dict[str, Any]) -> Activity:
        user = _user(self)
        changes = _changed(instance, validated_data)
        new_owner = changes.pop("owner", None)
        if new_owner is not None:
            _apply_owner_change(user, instance.owner, new_owner)
            changes["owner"] = new_owner
        if set(changes) - {"owner"}:
            _check_can_write(user, selectors.can_write(user, instance.owner))
        return services.activity_update(activity=instance, **changes) if changes else instance


def activity_rows_data(rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """``ActivitySerializer(many=True).data`` of rows read as ``selectors.ACTIVITY_ROW_COLUMNS``.

    The activity list is the busiest endpoint: its page is read as column tuples (no model
    instances) and rendered here with the serializer's field names and formats. Dates are ISO
    8601; times are in the current time zone, ``Z`` for UTC, as DRF's ``DateTimeField`` gives
    them (an unexpected naive or odd value goes through that field). Tests pin that the output
    equals the serializer's.
    """
    datetime_field = serializers.DateTimeField()
    zone = timezone.get_current_timezone()

    def moment(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None or api_settings.DATETIME_FORMAT != ISO_8601:
            return datetime_field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [
        {
            "id": pk,
            "owner": owner,
            "kind": kind,
            "status": status,
            "subject": subject,
            "planned_date": planned_date.isoformat() if planned_date else None,
            "done_at": moment(done_at),
            "account": account,
            "opportunity": opportunity,
            "notes": notes,
            "created_at": moment(created_at),
        }
        for pk, owner, kind, status, subject, planned_date, done_at, account, opportunity, notes, created_at in rows
    ]


# --- customer feedback ----------------------------------------------------------------------


class FeedbackSerializer(serializers.ModelSerializer):
    account = ScopedPrimaryKeyField(model=Account, scope=selectors.visible_accounts)
    rep = ScopedPrimaryKeyField(
        model=Rep,
        scope=visible_reps,
        required=False,
        allow_null=True,
        help_text=_("The rep it is credited to; defaults to you (a rep) or the account's owner."),
    )
    score = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)

    class Meta:
        model = CustomerFeedback
        fields = ["id", "account", "rep", "date", "score", "is_complaint", "text"]

    def create(self, validated_data: dict[str, Any]) -> CustomerFeedback:
        # Who it is credited to, and whether the user may, is the service's rule (reps/rules.py).
        return services.feedback_create(by_user=_user(self), **validated_data)

    def update(self, instance: CustomerFeedback, validated_data: dict[str, Any]) -> CustomerFeedback:
        user = _user(self)
        _check_can_write(user, selectors.can_edit_feedback(user, instance))
        changes = _changed(instance, validated_data)
        if changes.get("rep") is not None:
            _check_can_write(user, selectors.can_write(user, changes["rep"]))
        return services.feedback_update(feedback=instance, **changes) if changes else instance
