from django.contrib import admin

from imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "format", "status", "dry_run", "created_by", "created_at", "finished_at"]
    list_select_related = ["created_by"]
    list_filter = ["status", "format", "dry_run"]
    readonly_fields = [
        "created_by",
        "created_at",
        "format",
        "dry_run",
        "file_names",
        "directory",
        "status",
        "rows_total",
        "rows_done",
        "summary",
        "finished_at",
    ]
