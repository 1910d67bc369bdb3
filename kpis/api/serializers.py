"""Input and output shapes of the KPI read API (docs/kpis.md names every field)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kpis.models import QuotaMetric
from reps.models import ActivityKind

MONEY = {"max_digits": 20, "decimal_places": 2}
RATIO = {"max_digits": 12, "decimal_places": 4, "allow_null": True}


class KpiTableInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the period (YYYY-MM-DD)."))
    end = serializers.DateField(help_text=_("Last day of the period, inclusive (YYYY-MM-DD)."))
    group_by = serializers.ChoiceField(choices=["rep", "team"], help_text=_("One row per rep or per team."))
    team = serializers.IntegerField(required=False, min_value=1, help_text=_("Only this team and its sub-teams."))
    metric = serializers.ChoiceField(
        choices=QuotaMetric.choices,
        required=False,
        default=QuotaMetric.WON_REVENUE,
        help_text=_("Which quotas the target, attainment, pace and band are of, and which figure is the actual."),
    )
    activity_kind = serializers.ChoiceField(
        choices=ActivityKind.choices,
        required=False,
        help_text=_("The kind of activity counted; required with metric=activities, refused with any other metric."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["metric"] == QuotaMetric.ACTIVITIES and not attrs.get("activity_kind"):
            raise serializers.ValidationError({"activity_kind": _("Give the activity kind to count with metric=activities.")})
        if attrs["metric"] != QuotaMetric.ACTIVITIES and attrs.get("activity_kind"):
            raise serializers.ValidationError({"activity_kind": _("An activity kind only goes with metric=activities.")})
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must not be before the start.")})
        if (attrs["end"] - attrs["start"]).days > 3660:
            raise serializers.ValidationError({"end": _("A period may cover at most ten years.")})
        return attrs


class WeeklyInputSerializer(serializers.Serializer):
    rep = serializers.IntegerField(required=False, min_value=1, help_text=_("The rep's id."))
    team = serializers.IntegerField(required=False, min_value=1, help_text=_("The team's id (with its sub-teams)."))
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=260)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("rep" in attrs) == ("team" in attrs):
            raise serializers.ValidationError({"rep": _("Give either rep or team, not both and not neither.")})
        return attrs


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class KpiFiguresSerializer(serializers.Serializer):
    contacts = serializers.IntegerField()
    discovery_meetings = serializers.IntegerField()
    proposal_meetings = serializers.IntegerField()
    activities_planned = serializers.IntegerField()
    activities_done_as_planned = serializers.IntegerField()
    opportunities_created = serializers.IntegerField()
    offers_submitted = serializers.IntegerField()
    deals_won = serializers.IntegerField()
    won_revenue = serializers.DecimalField(**MONEY)
    deals_lost = serializers.IntegerField()
    lost_after_offer = serializers.IntegerField()
    csat = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    complaints = serializers.IntegerField()
    win_rate = serializers.DecimalField(**RATIO)
    offer_to_close = serializers.DecimalField(**RATIO)
    contact_to_offer = serializers.DecimalField(**RATIO)
    plan_completion = serializers.DecimalField(**RATIO)
    avg_deal_size = serializers.DecimalField(**MONEY, allow_null=True)
    sales_cycle_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class KpiRowSerializer(KpiFiguresSerializer):
    """One rep or team. The quota fields appear only when a quota of the chosen metric overlaps
    the period (its target is the period's prorated share). Percentages are fractions rounded
    to 4 places; the band compares the exact, unrounded attainment or pace."""

    rep = RefSerializer(required=False)
    team = RefSerializer(required=False)
    actual = serializers.DecimalField(
        **MONEY, help_text=_("The chosen metric over the period: won revenue, or a count (deals, offers, activities).")
    )
    target = serializers.DecimalField(
        **MONEY,
        required=False,
        help_text=_("The period's share of the overlapping quotas (each spread over its working days), rounded to 2 places."),
    )
    attainment = serializers.DecimalField(
        **RATIO, required=False, help_text=_("actual / target, rounded to 4 places; the band uses the exact value.")
    )
    expected_to_date = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    pace = serializers.DecimalField(
        **RATIO,
        required=False,
        help_text=_("actual / expected to date, rounded to 4 places; the band uses the exact value."),
    )
    band = serializers.ChoiceField(
        choices=["at_risk", "close", "on_target"],
        required=False,
        allow_null=True,
        help_text=_(
            "Of the exact pace while the period runs, of the exact attainment once it has ended: "
            "0.799999 is at_risk even though attainment shows 0.8000."
        ),
    )
    open_pipeline = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, help_text=_("Money figures: null unless metric=won_revenue.")
    )
    weighted_pipeline = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    coverage = serializers.DecimalField(**RATIO, required=False)
    forecast = serializers.DecimalField(**MONEY, required=False, allow_null=True)


class WeeklyRowSerializer(KpiFiguresSerializer):
    week = serializers.DateField(help_text=_("The Monday of the ISO week."))


class SegmentsInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the period (YYYY-MM-DD), years 1900 to 2999."))
    end = serializers.DateField(help_text=_("Last day of the period, inclusive."))
    by = serializers.ChoiceField(choices=["segment", "territory", "product", "sector"], default="segment")
    team = serializers.IntegerField(required=False, min_value=1, help_text=_("Only this team and its sub-teams."))
    rep = serializers.IntegerField(required=False, min_value=1, help_text=_("Only this rep."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for key in ("start", "end"):
            if not 1900 <= attrs[key].year <= 2999:
                raise serializers.ValidationError({key: _("Give a date between the years 1900 and 2999.")})
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must not be before the start.")})
        if (attrs["end"] - attrs["start"]).days + 1 > 3 * 366:
            raise serializers.ValidationError({"end": _("A period may cover at most three years.")})
        if "team" in attrs and "rep" in attrs:
            raise serializers.ValidationError({"rep": _("Give a team or a rep, not both.")})
        return attrs


class SegmentFiguresSerializer(serializers.Serializer):
    won_revenue = serializers.DecimalField(**MONEY)
    deals_won = serializers.IntegerField()
    deals_lost = serializers.IntegerField()
    win_rate = serializers.DecimalField(**RATIO)
    avg_deal_size = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class SegmentPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class SegmentRowSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("The segment, territory, product or sector; empty when not given."))
    current = SegmentFiguresSerializer()
    year_ago = SegmentFiguresSerializer()
    previous = SegmentFiguresSerializer()
    growth_year = serializers.DecimalField(**RATIO, help_text=_("Won revenue against the year before, as a fraction."))
    growth_previous = serializers.DecimalField(**RATIO)
    trend = serializers.ChoiceField(choices=["grows", "shrinks", "flat", "new"])


class SegmentReportSerializer(serializers.Serializer):
    by = serializers.CharField()
    period = SegmentPeriodSerializer()
    year_ago = SegmentPeriodSerializer()
    previous = SegmentPeriodSerializer()
    rows = SegmentRowSerializer(many=True)
