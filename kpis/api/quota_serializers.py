"""Shapes of the quota and weekly activity target API. A quota is
``{rep | team, metric, activity_kind, start, end, target}``; the rules live in kpis.quotas."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kpis.models import ActivityTarget, Quota, QuotaMetric
from kpis.quotas import QuotaInput, RowError
from reps.models import ActivityKind

OWNER = {"min_value": 1, "max_value": 2**63 - 1, "allow_null": True, "required": False, "default": None}
# The services speak of start_date/end_date; the API of start/end.
API_FIELD = {"start_date": "start", "end_date": "end"}


def api_field(name: str | None) -> str:
    return "non_field_errors" if name is None else API_FIELD.get(name, name)


def field_errors(errors: list[RowError]) -> dict[str, list[str]]:
    """The errors of one record, as DRF shows a serializer's."""
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(api_field(error.field), []).append(error.message)
    return result


class QuotaSerializer(serializers.ModelSerializer):
    rep = serializers.IntegerField(source="rep_id", **OWNER, help_text=_("The rep's id; give a rep or a team."))
    team = serializers.IntegerField(source="team_id", **OWNER, help_text=_("The team's id; give a rep or a team."))
    metric = serializers.ChoiceField(choices=QuotaMetric.choices, default=QuotaMetric.WON_REVENUE)
    activity_kind = serializers.ChoiceField(
        choices=ActivityKind.choices,
        allow_blank=True,
        default="",
        help_text=_("Only and always for the metric 'activities'."),
    )
    start = serializers.DateField(source="start_date", help_text=_("First day (YYYY-MM-DD)."))
    end = serializers.DateField(source="end_date", help_text=_("Last day, inclusive (YYYY-MM-DD)."))
    target = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("Greater than zero."))

    class Meta:
        model = Quota
        fields = ["id", "rep", "team", "metric", "activity_kind", "start", "end", "target"]
        validators: list[Any] = []  # kpis.quotas checks every rule, in words


class ActivityTargetSerializer(serializers.ModelSerializer):
    rep = serializers.IntegerField(source="rep_id", **OWNER, help_text=_("The rep's id; give a rep or a team."))
    team = serializers.IntegerField(
        source="team_id", **OWNER, help_text=_("The team's id; give a rep or a team. A team's target is the default of its reps.")
    )
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    start = serializers.DateField(source="start_date", help_text=_("First day (YYYY-MM-DD)."))
    end = serializers.DateField(
        source="end_date",
        allow_null=True,
        required=False,
        default=None,
        help_text=_("Last day, inclusive; empty for open-ended (a later target ends it the day before)."),
    )
    per_week = serializers.IntegerField(min_value=1, max_value=10_000)

    class Meta:
        model = ActivityTarget
        fields = ["id", "rep", "team", "kind", "start", "end", "per_week"]
        validators: list[Any] = []  # kpis.quotas checks every rule, in words


class BulkQuotaSerializer(serializers.Serializer):
    """One row of a bulk save: a quota, or ``target: null`` to remove the quota with that key."""

    rep = serializers.IntegerField(**OWNER)
    team = serializers.IntegerField(**OWNER)
    metric = serializers.ChoiceField(choices=QuotaMetric.choices, default=QuotaMetric.WON_REVENUE)
    activity_kind = serializers.ChoiceField(choices=ActivityKind.choices, allow_blank=True, default="")
    start = serializers.DateField()
    end = serializers.DateField()
    target = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=_("Greater than zero; null removes the quota.")
    )

    def to_input(self) -> QuotaInput:
        data = self.validated_data
        return QuotaInput(
            data["rep"], data["team"], data["metric"], data["activity_kind"], data["start"], data["end"], data["target"]
        )


# The 400 of a bulk save: a list of row errors (drf-spectacular keeps ``many`` on 2xx only).
ROW_ERRORS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "row": {
                "type": "integer",
                "nullable": True,
                "description": "Index of the row (0-based); null for the whole request.",
            },
            "field": {"type": "string", "nullable": True, "description": "The field, or null for the whole row."},
            "message": {"type": "string"},
        },
        "required": ["row", "field", "message"],
    },
}


class SaveResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    unchanged = serializers.IntegerField()
