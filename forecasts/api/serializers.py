from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forecasts.models import ForecastPeriodKind, ForecastSubmission
from reps.access import visible_reps, visible_teams
from reps.api.serializers import ScopedPrimaryKeyField as _ScopedPrimaryKeyField
from reps.models import Rep, Team
from salesperf.dates import validate_in_range

# Ids are PostgreSQL integers: a larger number is a 400, not a database error.
MAX_ID = 2**31 - 1


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(_ScopedPrimaryKeyField):
    """A record id (this serializer has no model the schema could read the type from)."""


class ForecastSubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForecastSubmission
        fields = [
            "id",
            "rep",
            "team",
            "period_kind",
            "period_start",
            "period_end",
            "commit",
            "best_case",
            "note",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields


class ForecastSubmitSerializer(serializers.Serializer):
    rep = ScopedPrimaryKeyField(
        model=Rep, scope=visible_reps, required=False, allow_null=True, help_text=_("The rep whose call it is (reps: yourself).")
    )
    team = ScopedPrimaryKeyField(
        model=Team,
        scope=visible_teams,
        required=False,
        allow_null=True,
        help_text=_("Or the team whose call it is (its manager)."),
    )
    period_kind = serializers.ChoiceField(choices=ForecastPeriodKind.choices)
    period_start = serializers.DateField(help_text=_("The first day of the month or quarter."), validators=[validate_in_range])
    commit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    best_case = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ForecastQuerySerializer(serializers.Serializer):
    rep = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    period_kind = serializers.ChoiceField(choices=ForecastPeriodKind.choices, required=False)
    period_start = serializers.DateField(required=False, validators=[validate_in_range])


class ForecastHistoryQuerySerializer(serializers.Serializer):
    rep = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    period_kind = serializers.ChoiceField(choices=ForecastPeriodKind.choices)
    period_start = serializers.DateField(validators=[validate_in_range])

    def validate(self, attrs: dict) -> dict:
        if ("rep" in attrs) == ("team" in attrs):
            raise serializers.ValidationError(_("Give either rep or team."))
        return attrs


class ForecastMoveSerializer(serializers.Serializer):
    week = serializers.DateField()
    submission = ForecastSubmissionSerializer()
    commit_change = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)
    best_case_change = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)


class ForecastHistorySerializer(serializers.Serializer):
    prefill_commit = serializers.DecimalField(
        max_digits=15, decimal_places=2, help_text=_("From the deals (a rep) or the roll-up (a team).")
    )
    prefill_best_case = serializers.DecimalField(max_digits=15, decimal_places=2)
    won = serializers.DecimalField(max_digits=15, decimal_places=2, help_text=_("Won revenue of the period so far."))
    moves = ForecastMoveSerializer(many=True)
