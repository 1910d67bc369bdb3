from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reps.models import (
    Account,
    Activity,
    CustomerFeedback,
    Opportunity,
    OpportunityOwnerChange,
    OpportunityStageChange,
    Pipeline,
    Product,
    Rep,
    Stage,
    Team,
    TeamMembership,
)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "manager", "external_id"]
    list_select_related = ["parent", "manager"]
    list_filter = ["parent"]
    search_fields = ["name", "manager__username", "manager__first_name", "manager__last_name"]
    autocomplete_fields = ["manager", "parent"]


@admin.register(Rep)
class RepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "team", "segment", "territory", "start_date", "is_active"]
    list_select_related = ["user", "team"]
    list_filter = ["is_active", "team", "segment", "territory"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "external_id"]
    autocomplete_fields = ["user", "team"]
    inlines = [TeamMembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["rep", "team", "start_date", "end_date"]
    list_select_related = ["rep__user", "team"]
    list_filter = ["team"]
    search_fields = ["rep__user__username", "rep__user__first_name", "rep__user__last_name", "team__name"]
    autocomplete_fields = ["rep", "team"]
    date_hierarchy = "start_date"


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "segment", "territory", "sector", "external_id"]
    list_select_related = ["owner__user"]
    list_filter = ["segment", "territory", "sector"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["owner"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "list_price"]
    list_filter = ["series"]
    search_fields = ["name", "series"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    search_fields = ["name"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "order", "probability", "kind", "is_offer"]
    list_select_related = ["pipeline"]
    list_filter = ["pipeline", "kind", "is_offer"]
    search_fields = ["name", "pipeline__name"]


class StageChangeInline(admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    fields = ["from_stage", "to_stage", "changed_at", "changed_by"]
    readonly_fields = fields
    can_delete = False


class OwnerChangeInline(admin.TabularInline):
    model = OpportunityOwnerChange
    extra = 0
    fields = ["from_owner", "to_owner", "changed_at", "changed_by"]
    readonly_fields = fields
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "owner", "stage", "amount", "created_date", "expected_close_date", "close_date"]
    list_select_related = ["account", "owner__user", "stage__pipeline"]
    list_filter = ["stage__kind", "pipeline", "stage", "owner__team"]
    search_fields = ["name", "account__name", "external_id", "owner__user__username"]
    autocomplete_fields = ["account", "owner", "product"]
    date_hierarchy = "created_date"
    readonly_fields = ["offer_date", "stage_changed_at"]
    inlines = [StageChangeInline, OwnerChangeInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Stage and owner history is written by the services; the admin only reads deals.
        return False if obj is not None else super().has_change_permission(request, obj)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "owner", "planned_date", "done_at", "account"]
    list_select_related = ["owner__user", "account"]
    list_filter = ["kind", "status", "owner__team"]
    search_fields = ["subject", "notes", "account__name", "owner__user__username"]
    autocomplete_fields = ["owner", "account", "opportunity"]
    date_hierarchy = "planned_date"


@admin.register(CustomerFeedback)
class CustomerFeedbackAdmin(admin.ModelAdmin):
    list_display = ["account", "rep", "date", "score", "is_complaint"]
    list_select_related = ["account", "rep__user"]
    list_filter = ["is_complaint", "score"]
    search_fields = ["account__name", "text"]
    autocomplete_fields = ["account", "rep"]
    date_hierarchy = "date"


admin.site.site_header = _("salesperf administration")
admin.site.site_title = _("salesperf admin")
