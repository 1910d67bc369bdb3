"""Quotas and weekly activity targets in the Django admin: checked by the rules of kpis.quotas
(readable messages, never a constraint name), saved through it, with their history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from kpis import quotas
from kpis.models import ActivityTarget, KpiRun, PendingRecompute, Quota

SOURCE = "admin"


class _RulesForm(forms.ModelForm):
    """Checks the edited record by the service's rules, which cover every model constraint
    (so Django's own constraint messages, naming the constraint, never show)."""

    user: Any = None  # set by the admin, per request

    def _validate(self, instance: Any) -> list[quotas.RowError]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The rules below include every constraint of the model: Django's own checks would
        # repeat them, in words naming the constraint.
        self._validate_unique = False
        self._validate_constraints = False
        if self.errors:  # a field is missing or malformed: its own message says so first
            return cleaned
        instance = self.instance
        for name, value in cleaned.items():  # a list-editable row holds only some fields
            setattr(instance, name, value)
        for error in self._validate(instance):
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        return cleaned


class QuotaForm(_RulesForm):
    class Meta:
        model = Quota
        fields = ["rep", "team", "metric", "activity_kind", "start_date", "end_date", "target"]

    def _validate(self, instance: Quota) -> list[quotas.RowError]:
        return quotas.validate_quota_instance(instance, user=self.user)


class ActivityTargetForm(_RulesForm):
    class Meta:
        model = ActivityTarget
        fields = ["rep", "team", "kind", "per_week", "start_date", "end_date"]

    def _validate(self, instance: ActivityTarget) -> list[quotas.RowError]:
        return quotas.validate_activity_target_instance(instance, user=self.user)


class _RulesAdmin(SimpleHistoryAdmin):
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", self.form)
        form = super().get_changelist_form(request, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            self._save(obj, request.user)
        except quotas.QuotaInputError as error:  # changed by someone else since the form was checked
            self.message_user(request, "; ".join(e.message for e in error.errors), messages.ERROR)

    def _save(self, obj: Any, user: Any) -> None:
        raise NotImplementedError

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:  # one by one, so each deletion's history names the admin
            self.delete_model(request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        obj._change_reason = SOURCE
        super().delete_model(request, obj)


@admin.register(Quota)
class QuotaAdmin(_RulesAdmin):
    form = QuotaForm
    list_display = ["__str__", "rep", "team", "metric", "activity_kind", "start_date", "end_date", "target"]
    list_select_related = ["rep__user", "team"]
    list_filter = ["metric", "team", "start_date"]
    search_fields = ["rep__user__username", "rep__user__first_name", "rep__user__last_name", "team__name"]
    autocomplete_fields = ["rep", "team"]
    date_hierarchy = "start_date"
    list_editable = ["target"]
    history_list_display = ["target", "history_change_reason"]

    def _save(self, obj: Quota, user: Any) -> None:
        quotas.save_quota_instance(obj, user=user, source=SOURCE)


@admin.register(ActivityTarget)
class ActivityTargetAdmin(_RulesAdmin):
    form = ActivityTargetForm
    list_display = ["__str__", "rep", "team", "kind", "per_week", "start_date", "end_date"]
    list_select_related = ["rep__user", "team"]
    list_filter = ["kind", "team"]
    search_fields = ["rep__user__username", "team__name"]
    autocomplete_fields = ["rep", "team"]
    list_editable = ["per_week"]
    history_list_display = ["per_week", "end_date", "history_change_reason"]

    def _save(self, obj: ActivityTarget, user: Any) -> None:
        quotas.save_activity_target_instance(obj, user=user, source=SOURCE)


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(admin.ModelAdmin):
    """What the outbox holds (docs/operations.md): read only, the worker empties it."""

    list_display = ["created_at", "rep_ids", "days", "attempts", "last_error"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PendingRecompute | None = None) -> bool:
        return False


@admin.register(KpiRun)
class KpiRunAdmin(admin.ModelAdmin):
    """The parallel KPI recomputes (docs/scaling.md): read only, the runs write them."""

    list_display = ["started_at", "finished_at", "failed_at", "since", "reps", "shards", "rows_written", "error"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: KpiRun | None = None) -> bool:
        return False
