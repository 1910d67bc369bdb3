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

from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    ActionItem,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    EmailPreference,
    FrozenAgenda,
    Recognition,
    SentEmail,
    StageTip,
)

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


@admin.register(CoachingCadence)
class CoachingCadenceAdmin(admin.ModelAdmin):
    list_display = ["rep", "cadence", "weekday", "time", "minutes", "updated_by", "updated_at"]
    list_select_related = ["rep__user", "updated_by"]
    list_filter = ["cadence", "weekday", "rep__team"]
    search_fields = REP_SEARCH
    autocomplete_fields = ["rep"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(FrozenAgenda)
class FrozenAgendaAdmin(admin.ModelAdmin):
    """Read-only: a stored agenda is a record of what a held session went through."""

    list_display = ["session", "frozen_at"]
    list_select_related = ["session__rep__user"]
    readonly_fields = ["session", "data", "frozen_at"]
    date_hierarchy = "frozen_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"]
    list_select_related = ["user"]
    list_filter = ["one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    """Read-only: the record of what was sent, which keeps each email from going out twice."""

    list_display = ["sent_at", "kind", "recipient", "key", "subject"]
    list_select_related = ["recipient"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "recipient__email", "key", "subject"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(StageTip)
class StageTipAdmin(admin.ModelAdmin):
    """Admins write here what a good rep does in each stage and when a deal there is stalled."""

    list_display = ["stage", "short_tip", "contact_every_days", "stall_after_days", "updated_at"]
    list_select_related = ["stage__pipeline"]
    list_filter = ["stage__pipeline"]
    search_fields = ["stage__name", "tip"]
    autocomplete_fields = ["stage"]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("tip"))
    def short_tip(self, tip: StageTip) -> str:
        return Truncator(tip.tip).chars(80)


@admin.register(DealReview)
class DealReviewAdmin(admin.ModelAdmin):
    list_display = ["date", "opportunity", "rep", "in_control", "reviewed_by"]
    list_select_related = ["opportunity", "rep__user", "reviewed_by"]
    list_filter = ["in_control", "rep__team"]
    search_fields = [*REP_SEARCH, "opportunity__name", "missing", "next_step"]
    autocomplete_fields = ["opportunity", "rep", "reviewed_by", "session", "action_items"]
    date_hierarchy = "date"


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ["date", "rep", "given_by", "shared_with_team", "short_text"]
    list_select_related = ["rep__user", "given_by"]
    list_filter = ["shared_with_team", "rep__team"]
    search_fields = [*REP_SEARCH, "text"]
    autocomplete_fields = ["rep", "given_by"]
    date_hierarchy = "date"

    @admin.display(description=_("what was good"))
    def short_text(self, recognition: Recognition) -> str:
        return Truncator(recognition.text).chars(80)


class AccountPlanActionInline(admin.TabularInline):
    model = AccountPlanAction
    extra = 1
    autocomplete_fields = ["owner"]


@admin.register(AccountPlan)
class AccountPlanAdmin(admin.ModelAdmin):
    list_display = ["account", "goal", "rep", "created_by", "created_at"]
    list_select_related = ["account", "rep__user", "created_by"]
    list_filter = ["rep__team"]
    search_fields = [*REP_SEARCH, "account__name", "goal"]
    autocomplete_fields = ["account", "rep", "created_by"]
    inlines = [AccountPlanActionInline]
