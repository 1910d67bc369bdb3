"""FilterSets of quotas and weekly activity targets, shared by the quota pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kpis.models import ActivityTarget, Quota, QuotaMetric
from reps.filters import DateInput, IdFilter
from reps.models import ActivityKind


class QuotaFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    team = IdFilter(label=_("Team id (its own quotas)"), field_name="team_id")
    metric = django_filters.ChoiceFilter(label=_("Metric"), choices=QuotaMetric.choices)
    activity_kind = django_filters.ChoiceFilter(label=_("Activity kind"), choices=ActivityKind.choices)
    ends_after = django_filters.DateFilter(
        label=_("Ending on or after"), field_name="end_date", lookup_expr="gte", widget=DateInput
    )
    starts_before = django_filters.DateFilter(
        label=_("Starting on or before"), field_name="start_date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Quota
        fields = ["rep", "team", "metric", "activity_kind", "ends_after", "starts_before"]


class ActivityTargetFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    team = IdFilter(label=_("Team id (its own targets)"), field_name="team_id")
    kind = django_filters.ChoiceFilter(label=_("Activity kind"), choices=ActivityKind.choices)
    starts_before = django_filters.DateFilter(
        label=_("Starting on or before"), field_name="start_date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = ActivityTarget
        fields = ["rep", "team", "kind", "starts_before"]
