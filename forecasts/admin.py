from django.contrib import admin

from forecasts.models import ForecastSubmission


@admin.register(ForecastSubmission)
class ForecastSubmissionAdmin(admin.ModelAdmin):
    list_display = ["period_kind", "period_start", "rep", "team", "commit", "best_case", "submitted_at", "submitted_by"]
    list_filter = ["period_kind", "team"]
    list_select_related = ["rep__user", "team", "submitted_by"]
    date_hierarchy = "submitted_at"
    # Submissions are a record of what was said when: they are not edited.
    readonly_fields = [f.name for f in ForecastSubmission._meta.fields]
