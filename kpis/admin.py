from django.contrib import admin

from kpis.models import ActivityTarget, Quota


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
