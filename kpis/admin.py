from django.contrib import admin
from django.http import HttpRequest

from kpis.models import ActivityTarget, PendingRecompute, Quota


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rep", "team", "metric", "activity_kind", "start_date", "end_date", "target"]
    list_select_related = ["rep__user", "team"]
    list_filter = ["metric", "team", "start_date"]
    search_fields = ["rep__user__username", "rep__user__first_name", "rep__user__last_name", "team__name"]
    autocomplete_fields = ["rep", "team"]
    date_hierarchy = "start_date"
    list_editable = ["target"]


@admin.register(ActivityTarget)
class ActivityTargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rep", "team", "kind", "per_week", "start_date", "end_date"]
    list_select_related = ["rep__user", "team"]
    list_filter = ["kind", "team"]
    search_fields = ["rep__user__username", "team__name"]
    autocomplete_fields = ["rep", "team"]
    list_editable = ["per_week"]


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(admin.ModelAdmin):
    """What the outbox holds (docs/operations.md): read only, the worker empties it."""

    list_display = ["created_at", "rep_ids", "days", "attempts", "last_error"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PendingRecompute | None = None) -> bool:
        return False
