"""Serializers of the coaching API. They parse and render; coaching/services.py does every write.

Related records are looked up among those the requesting user may see (an id of another
team's rep or session is answered like an unknown id). A session's private notes are left out
of the output for anyone who may not read them, the rep above all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from coaching import rules, services
from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    ActionItem,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    EmailPreference,
    Recognition,
    StageTip,
)
from kpis.api.serializers import RATIO, RefSerializer
from kpis.periods import EARLIEST_DAY, LATEST_DAY
from reps.access import visible_reps
from reps.api.serializers import ScopedPrimaryKeyField
from reps.models import Account, Opportunity, Rep
from reps.selectors import visible_accounts, visible_opportunities


def _user(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


def _fixed_after_creation(instance: Any, data: dict[str, Any], names: tuple[str, ...]) -> None:
    """Refuse a change of a field that is set only when the record is created."""
    errors = {
        name: [_("This cannot be changed once the record exists.")]
        for name in names
        if name in data and getattr(instance, name) != data[name]
    }
    if errors:
        raise serializers.ValidationError(errors)


def _check_can_coach(user: Any, rep: Rep) -> None:
    if not rules.can_coach(user, rep):
        raise PermissionDenied(_("Only the rep's managers may do this."))


# --- sessions -------------------------------------------------------------------------------


class CoachingSessionSerializer(serializers.ModelSerializer):
    rep = ScopedPrimaryKeyField(model=Rep, scope=visible_reps, help_text=_("The rep coached; set on creation only."))

    class Meta:
        model = CoachingSession
        fields = [
            "id",
            "rep",
            "coach",
            "kind",
            "scheduled_for",
            "minutes",
            "status",
            "shared_notes",
            "private_notes",
            "created_at",
        ]
        read_only_fields = ["coach", "created_at"]
        extra_kwargs = {
            "coach": {"help_text": _("The manager who coaches: whoever created the session.")},
            "minutes": {"min_value": 5, "max_value": 480},
            "private_notes": {
                "help_text": _("Only the rep's managers and admins read and write these; absent for everyone else.")
            },
        }

    def to_representation(self, instance: CoachingSession) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not rules.can_see_private_notes(request.user, instance):
            data.pop("private_notes", None)  # absent, not null: nothing hints at what is there
        return data

    def create(self, validated_data: dict[str, Any]) -> CoachingSession:
        user = _user(self)
        _check_can_coach(user, validated_data["rep"])
        return services.session_create(coach=user, **validated_data)

    def update(self, instance: CoachingSession, validated_data: dict[str, Any]) -> CoachingSession:
        _fixed_after_creation(instance, validated_data, ("rep",))
        validated_data.pop("rep", None)
        return services.session_update(session=instance, **validated_data) if validated_data else instance


# --- feedback -------------------------------------------------------------------------------


class CoachingFeedbackSerializer(serializers.ModelSerializer):
    rep = ScopedPrimaryKeyField(model=Rep, scope=visible_reps, help_text=_("The rep the feedback is for."))
    session = ScopedPrimaryKeyField(
        model=CoachingSession,
        scope=rules.visible_sessions,
        required=False,
        allow_null=True,
        help_text=_("The session it was given in (optional); a session with the same rep."),
    )

    class Meta:
        model = CoachingFeedback
        fields = ["id", "rep", "given_by", "session", "date", "problem", "consequence", "improvement", "created_at"]
        read_only_fields = ["given_by", "created_at"]
        extra_kwargs = {
            "date": {"required": False, "help_text": _("Defaults to today.")},
            "problem": {"help_text": _("What happened, as a fact: what you saw or heard. Required.")},
            "consequence": {"help_text": _("What it leads to, for the customer, the team or the rep. Required.")},
            "improvement": {"help_text": _("What to do differently next time. Required.")},
        }

    def create(self, validated_data: dict[str, Any]) -> CoachingFeedback:
        user = _user(self)
        _check_can_coach(user, validated_data["rep"])
        return services.feedback_give(given_by=user, **validated_data)


# --- action items ---------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    rep = ScopedPrimaryKeyField(model=Rep, scope=visible_reps, help_text=_("The rep who is to do it; set on creation only."))
    session = ScopedPrimaryKeyField(
        model=CoachingSession,
        scope=rules.visible_sessions,
        required=False,
        allow_null=True,
        help_text=_("The session it was agreed in (optional); set on creation only."),
    )
    is_done = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "rep", "created_by", "session", "title", "due_date", "done_at", "is_done", "created_at"]
        read_only_fields = ["created_by", "done_at", "created_at"]
        extra_kwargs = {"done_at": {"help_text": _("Set with POST …/done/.")}}

    def create(self, validated_data: dict[str, Any]) -> ActionItem:
        user = _user(self)
        _check_can_coach(user, validated_data["rep"])
        return services.action_item_create(created_by=user, **validated_data)

    def update(self, instance: ActionItem, validated_data: dict[str, Any]) -> ActionItem:
        _fixed_after_creation(instance, validated_data, ("rep", "session"))
        changes = {name: value for name, value in validated_data.items() if name in services.ACTION_FIELDS}
        return services.action_item_update(item=instance, **changes) if changes else instance


class ActionItemDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=_("true: mark it done (now); false: open it again."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A form post without the field would read as false and silently open the item again.
        if "done" not in self.initial_data:
            raise serializers.ValidationError({"done": [_("Say whether it is done: true or false.")]})
        return attrs


# --- coaching time --------------------------------------------------------------------------

MAX_COACHING_TIME_DAYS = 366


class CoachingTimeInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the period (YYYY-MM-DD)."))
    end = serializers.DateField(help_text=_("Last day of the period, inclusive (YYYY-MM-DD)."))
    team = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("Only sessions with the reps of this team and its sub-teams."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("start", "end"):
            if not EARLIEST_DAY <= attrs[name] <= LATEST_DAY:
                raise serializers.ValidationError({name: [_("Pick a date between the years 1900 and 2999.")]})
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must not be before the start.")]})
        if (attrs["end"] - attrs["start"]).days + 1 > MAX_COACHING_TIME_DAYS:
            raise serializers.ValidationError(
                {"end": [_("A period may cover at most %(days)d days.") % {"days": MAX_COACHING_TIME_DAYS}]}
            )
        return attrs


class CoachingTimeRowSerializer(serializers.Serializer):
    coach = RefSerializer()
    minutes = serializers.IntegerField(help_text=_("Minutes of the sessions held in the period."))
    sessions = serializers.IntegerField(help_text=_("Sessions held."))
    one_to_ones = serializers.IntegerField(help_text=_("Of which one-to-ones."))
    share = serializers.DecimalField(
        **RATIO, help_text=_("Minutes held ÷ (working days × COACHING_WORKDAY_HOURS × 60); null without working days.")
    )


# --- one-to-one cadence and email preferences -----------------------------------------------


class CoachingCadenceSerializer(serializers.ModelSerializer):
    rep = ScopedPrimaryKeyField(
        model=Rep, scope=visible_reps, help_text=_("The rep; set on creation only (one cadence per rep).")
    )

    class Meta:
        model = CoachingCadence
        fields = ["id", "rep", "cadence", "weekday", "time", "minutes", "updated_by", "updated_at"]
        read_only_fields = ["updated_by", "updated_at"]
        extra_kwargs = {
            "cadence": {"help_text": _("weekly (the default for a rep without a cadence), biweekly, monthly or none.")},
            "weekday": {"help_text": _("The usual day: 0 Monday … 4 Friday.")},
            "time": {"help_text": _("The usual local time (HH:MM).")},
            "minutes": {"min_value": 5, "max_value": 480},
        }

    def create(self, validated_data: dict[str, Any]) -> CoachingCadence:
        user = _user(self)
        rep = validated_data["rep"]
        _check_can_coach(user, rep)
        existing = CoachingCadence.objects.filter(rep=rep).values_list("pk", flat=True).first()
        if existing is not None:
            raise serializers.ValidationError(
                {
                    "rep": [
                        _("This rep has a cadence already: change it with PATCH /api/v1/coaching-cadences/%(id)d/.")
                        % {"id": existing}
                    ]
                }
            )
        return services.cadence_set(by=user, **validated_data)

    def update(self, instance: CoachingCadence, validated_data: dict[str, Any]) -> CoachingCadence:
        _fixed_after_creation(instance, validated_data, ("rep",))
        validated_data.pop("rep", None)
        return services.cadence_update(row=instance, by=_user(self), **validated_data) if validated_data else instance


class EmailPreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailPreference
        fields = ["one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"]


# --- stage tips -----------------------------------------------------------------------------


class StageTipSerializer(serializers.ModelSerializer):
    pipeline = serializers.IntegerField(source="stage.pipeline_id", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)

    class Meta:
        model = StageTip
        fields = ["id", "stage", "pipeline", "stage_name", "tip", "contact_every_days", "stall_after_days", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "stage": {"help_text": _("The pipeline stage; one tip per stage, set on creation only.")},
            "contact_every_days": {"min_value": 1, "max_value": 365},
            "stall_after_days": {"min_value": 1, "max_value": 3650},
        }

    def create(self, validated_data: dict[str, Any]) -> StageTip:
        stage = validated_data.pop("stage")
        return services.stage_tip_save(stage=stage, **validated_data)

    def update(self, instance: StageTip, validated_data: dict[str, Any]) -> StageTip:
        _fixed_after_creation(instance, validated_data, ("stage",))
        validated_data.pop("stage", None)
        return services.stage_tip_save(stage=instance.stage, **validated_data)


# --- deal reviews ---------------------------------------------------------------------------


class ReviewActionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, help_text=_("What the rep agreed to do."))
    due_date = serializers.DateField(required=False, allow_null=True, help_text=_("Optional."))


class DealReviewSerializer(serializers.ModelSerializer):
    opportunity = ScopedPrimaryKeyField(
        model=Opportunity, scope=visible_opportunities, help_text=_("The open deal reviewed; set on creation only.")
    )
    session = ScopedPrimaryKeyField(
        model=CoachingSession,
        scope=rules.visible_sessions,
        required=False,
        allow_null=True,
        help_text=_("The session it was reviewed in (optional); a session with the deal's owner. Set on creation only."),
    )
    actions = ReviewActionSerializer(
        many=True,
        write_only=True,
        required=False,
        help_text=_("Action items agreed in the review, created for the deal's owner (on creation only)."),
    )

    class Meta:
        model = DealReview
        fields = [
            "id",
            "opportunity",
            "rep",
            "reviewed_by",
            "session",
            "date",
            "in_control",
            "missing",
            "next_step",
            "private_notes",
            "action_items",
            "actions",
            "created_at",
        ]
        read_only_fields = ["rep", "reviewed_by", "action_items", "created_at"]
        extra_kwargs = {
            "rep": {"help_text": _("The deal's owner when it was reviewed.")},
            "date": {"required": False, "help_text": _("Defaults to today.")},
            "in_control": {"help_text": _("Is the rep in control of the sale: yes, partly or no.")},
            "action_items": {"help_text": _("The action items agreed in the review (see /action-items/).")},
            "private_notes": {
                "help_text": _("Only the rep's managers and admins read and write these; absent for everyone else.")
            },
        }

    def to_representation(self, instance: DealReview) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not rules.can_see_review_notes(request.user, instance):
            data.pop("private_notes", None)
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "date" in attrs and not EARLIEST_DAY <= attrs["date"] <= LATEST_DAY:
            raise serializers.ValidationError({"date": [_("Pick a date between the years 1900 and 2999.")]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> DealReview:
        user = _user(self)
        opportunity = validated_data["opportunity"]
        _check_can_coach(user, opportunity.owner)
        actions = [services.ActionInput(**action) for action in validated_data.pop("actions", [])]
        return services.deal_review_record(reviewed_by=user, actions=actions, **validated_data)

    def update(self, instance: DealReview, validated_data: dict[str, Any]) -> DealReview:
        _fixed_after_creation(instance, validated_data, ("opportunity", "session"))
        if "actions" in validated_data:
            raise serializers.ValidationError({"actions": [_("Add action items on creation, or with /action-items/.")]})
        changes = {name: value for name, value in validated_data.items() if name in services.REVIEW_FIELDS}
        return services.deal_review_update(review=instance, **changes) if changes else instance


# --- recognition ----------------------------------------------------------------------------


class RecognitionSerializer(serializers.ModelSerializer):
    rep = ScopedPrimaryKeyField(model=Rep, scope=visible_reps, help_text=_("The rep recognised; set on creation only."))

    class Meta:
        model = Recognition
        fields = ["id", "rep", "given_by", "date", "text", "shared_with_team", "created_at"]
        read_only_fields = ["given_by", "created_at"]
        extra_kwargs = {
            "date": {"required": False, "help_text": _("Defaults to today.")},
            "text": {"help_text": _("What was good, and why it matters. Required.")},
            "shared_with_team": {"help_text": _("The rep's teammates see it too (default: only the rep and managers).")},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "date" in attrs and not EARLIEST_DAY <= attrs["date"] <= LATEST_DAY:
            raise serializers.ValidationError({"date": [_("Pick a date between the years 1900 and 2999.")]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Recognition:
        user = _user(self)
        _check_can_coach(user, validated_data["rep"])
        return services.recognition_give(given_by=user, **validated_data)

    def update(self, instance: Recognition, validated_data: dict[str, Any]) -> Recognition:
        _fixed_after_creation(instance, validated_data, ("rep",))
        validated_data.pop("rep", None)
        return services.recognition_update(recognition=instance, **validated_data) if validated_data else instance


# --- account plans --------------------------------------------------------------------------


class AccountPlanActionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("Give it to keep an existing action; omit for a new one.")
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), help_text=_("User id: the rep or one of their managers.")
    )
    done = serializers.BooleanField(source="is_done", required=False, default=False)

    class Meta:
        model = AccountPlanAction
        fields = ["id", "title", "owner", "due_date", "done", "done_at"]
        read_only_fields = ["done_at"]


class AccountPlanSerializer(serializers.ModelSerializer):
    account = ScopedPrimaryKeyField(model=Account, scope=visible_accounts, help_text=_("The customer; set on creation only."))
    rep = ScopedPrimaryKeyField(
        model=Rep,
        scope=visible_reps,
        required=False,
        help_text=_("The rep who follows it up: the account's owner (required for a shared account). Set on creation only."),
    )
    actions = AccountPlanActionSerializer(
        many=True, required=False, help_text=_("The plan's actions; on a change, the list replaces the old one.")
    )

    class Meta:
        model = AccountPlan
        fields = ["id", "account", "rep", "goal", "actions", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]

    @staticmethod
    def _actions(rows: list[dict[str, Any]]) -> list[services.PlanActionInput]:
        return [
            services.PlanActionInput(
                id=row.get("id"),
                title=row["title"],
                owner=row["owner"],
                due_date=row.get("due_date"),
                done=row.get("is_done", False),
            )
            for row in rows
        ]

    def create(self, validated_data: dict[str, Any]) -> AccountPlan:
        user = _user(self)
        account = validated_data["account"]
        rep = validated_data.get("rep") or account.owner
        if rep is not None:
            _check_can_coach(user, rep)
        return services.account_plan_create(
            account=account,
            rep=rep,
            created_by=user,
            goal=validated_data["goal"],
            actions=self._actions(validated_data.get("actions", [])),
        )

    def update(self, instance: AccountPlan, validated_data: dict[str, Any]) -> AccountPlan:
        _fixed_after_creation(instance, validated_data, ("account", "rep"))
        actions = validated_data.get("actions")
        return services.account_plan_update(
            plan=instance,
            goal=validated_data.get("goal"),
            actions=self._actions(actions) if actions is not None else None,
        )
