"""FilterSets shared by the HTML lists and the REST API lists.

Choices that name other records (accounts, reps, stages) are scoped to what the requesting
user may see, so a filter never reveals another rep's records.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from reps import selectors
from reps.access import visible_reps
from reps.models import (
    Account,
    Activity,
    ActivityKind,
    ActivityStatus,
    CustomerFeedback,
    ForecastCategory,
    Opportunity,
    Pipeline,
    Rep,
    Stage,
    StageKind,
)


def _user(request: Any) -> Any:
    return getattr(request, "user", None)


def _accounts(request: Any) -> QuerySet[Account]:
    user = _user(request)
    return selectors.visible_accounts(user) if user is not None else Account.objects.none()


def _reps(request: Any) -> QuerySet[Rep]:
    user = _user(request)
    return visible_reps(user).select_related("user") if user is not None else Rep.objects.none()


def _stages(request: Any) -> QuerySet[Stage]:
    return Stage.objects.select_related("pipeline")


class DateInput(forms.DateInput):
    input_type = "date"


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number in the range of the id columns (bigger ones are field errors)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.DateFilter):
    """A calendar month, ``YYYY-MM``: the records whose date falls in it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("widget", MonthInput)
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__year": value.year, f"{self.field_name}__month": value.month})


class OpportunityFilter(django_filters.FilterSet):
    STATE_CHOICES = (
        ("open", pgettext_lazy("deal state", "Open")),
        ("closed", _("Closed (won or lost)")),
        (StageKind.WON.value, pgettext_lazy("deal state", "Won")),
        (StageKind.LOST.value, pgettext_lazy("deal state", "Lost")),
    )

    q = django_filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Part of the deal's or account's name."))
    state = django_filters.ChoiceFilter(label=_("Open or closed"), choices=STATE_CHOICES, method="filter_state")
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=_stages)
    pipeline = django_filters.ModelChoiceFilter(label=_("Pipeline"), queryset=Pipeline.objects.all())
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=_accounts)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_reps)
    expected_close_after = django_filters.DateFilter(
        label=_("Expected close from"), field_name="expected_close_date", lookup_expr="gte", widget=DateInput
    )
    expected_close_before = django_filters.DateFilter(
        label=_("Expected close until"), field_name="expected_close_date", lookup_expr="lte", widget=DateInput
    )
    close_month = MonthFilter(label=_("Expected close month"), field_name="expected_close_date", help_text=_("A month, YYYY-MM."))
    overdue = django_filters.BooleanFilter(
        label=_("Next step overdue"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
        help_text=_("Open deals whose next step's date has passed."),
    )

    forecast_category = django_filters.ChoiceFilter(
        label=_("Forecast category"), choices=ForecastCategory.choices, method="filter_forecast_category"
    )

    class Meta:
        model = Opportunity
        fields = [
            "q",
            "state",
            "stage",
            "pipeline",
            "account",
            "owner",
            "expected_close_after",
            "expected_close_before",
            "forecast_category",
            "close_month",
            "overdue",
        ]

    def filter_forecast_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Open deals in that category, the owner's or else their stage's."""
        if not value:
            return queryset
        return queryset.filter(stage__kind=StageKind.OPEN).filter(
            Q(forecast_category=value) | Q(forecast_category="", stage__forecast_category=value)
        )

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(stage__kind=StageKind.OPEN, next_step_date__lt=timezone.localdate())

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(account__name__icontains=value)) if value else queryset

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(stage__kind=StageKind.OPEN)
        if value == "closed":
            return queryset.exclude(stage__kind=StageKind.OPEN)
        return queryset.filter(stage__kind=value)


class ActivityFilter(django_filters.FilterSet):
    """Filters of the activity list (API only). Related records are given by id: the list is
    already scoped, so an id the user may not see just matches nothing, and no choice list
    has to be built for every request of this busiest endpoint."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActivityStatus.choices)
    owner = IdFilter(label=_("Owner (rep id)"), field_name="owner_id")
    account = IdFilter(label=_("Account id"), field_name="account_id")
    opportunity = IdFilter(label=_("Opportunity id"), field_name="opportunity_id")
    planned_after = django_filters.DateFilter(
        label=_("Planned from"), field_name="planned_date", lookup_expr="gte", widget=DateInput
    )
    planned_before = django_filters.DateFilter(
        label=_("Planned until"), field_name="planned_date", lookup_expr="lte", widget=DateInput
    )
    done_after = django_filters.DateFilter(label=_("Done from"), field_name="done_at", lookup_expr="date__gte", widget=DateInput)
    done_before = django_filters.DateFilter(
        label=_("Done until"), field_name="done_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "status",
            "owner",
            "account",
            "opportunity",
            "planned_after",
            "planned_before",
            "done_after",
            "done_before",
        ]


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_reps)
    segment = django_filters.CharFilter(label=_("Segment"), lookup_expr="iexact")
    territory = django_filters.CharFilter(label=_("Territory"), lookup_expr="iexact")

    class Meta:
        model = Account
        fields = ["q", "owner", "segment", "territory"]


class FeedbackFilter(django_filters.FilterSet):
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=_accounts)
    rep = django_filters.ModelChoiceFilter(label=_("Rep"), queryset=_reps)
    is_complaint = django_filters.BooleanFilter(label=_("Complaint"))
    date_after = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte", widget=DateInput)
    date_before = django_filters.DateFilter(label=_("Until"), field_name="date", lookup_expr="lte", widget=DateInput)

    class Meta:
        model = CustomerFeedback
        fields = ["account", "rep", "is_complaint", "date_after", "date_before"]
