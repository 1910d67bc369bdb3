"""Serializers of the coaching API. They parse and render; coaching/services.py does every write.

Related records are looked up among those the requesting user may see (an id of another
team's rep or session is answered like an unknown id). A session's private notes are left out
of the output for anyone who may not read them, the rep above all.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from coaching import rules, services
from coaching.models import ActionItem, CoachingCadence, CoachingFeedback, CoachingSession, EmailPreference
from kpis.api.serializers import RATIO, RefSerializer
from kpis.periods import EARLIEST_DAY, LATEST_DAY
from reps.access import visible_reps
from reps.api.serializers import ScopedPrimaryKeyField
from reps.models import Rep


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
