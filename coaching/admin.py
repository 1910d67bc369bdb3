"""Django admin of coaching records, for admins' corrections and look-ups.

Managers and reps use the coaching pages; here the private notes are visible, as everything is
to an admin. Change lists read the rep's and coach's names with the rows (no query per row).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coaching.models import ActionItem, CoachingFeedback, CoachingSession

REP_SEARCH = ["rep__user__username", "rep__user__first_name", "rep__user__last_name"]


class DoneFilter(admin.SimpleListFilter):
    title = _("done")
    parameter_name = "done"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", pgettext_lazy("action item", "Done")), ("no", pgettext_lazy("action item", "Open"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(done_at__isnull=self.value() == "no")
        return queryset


@admin.register(CoachingSession)
class CoachingSessionAdmin(admin.ModelAdmin):
    list_display = ["scheduled_for", "rep", "coach", "kind", "status", "minutes"]
    list_select_related = ["rep__user", "coach"]
    list_filter = ["kind", "status", "rep__team"]
    search_fields = [*REP_SEARCH, "coach__username", "coach__first_name", "coach__last_name", "shared_notes"]
    autocomplete_fields = ["rep", "coach"]
    date_hierarchy = "scheduled_for"
    ordering = ["-scheduled_for", "-pk"]


@admin.register(CoachingFeedback)
class CoachingFeedbackAdmin(admin.ModelAdmin):
    list_display = ["date", "rep", "given_by", "short_problem"]
    list_select_related = ["rep__user", "given_by"]
    list_filter = ["rep__team"]
    search_fields = [*REP_SEARCH, "problem", "consequence", "improvement"]
    autocomplete_fields = ["rep", "given_by", "session"]
    date_hierarchy = "date"

    @admin.display(description=_("problem"))
    def short_problem(self, feedback: CoachingFeedback) -> str:
        return Truncator(feedback.problem).chars(80)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "rep", "due_date", "done_at", "created_by"]
    list_select_related = ["rep__user", "created_by"]
    list_filter = [DoneFilter, "due_date", "rep__team"]
    search_fields = [*REP_SEARCH, "title"]
    autocomplete_fields = ["rep", "created_by", "session"]
