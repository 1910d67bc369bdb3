"""The quota workspace, mounted at /quotas/ (namespace "quotas"): one line per route."""

from django.urls import path

from kpis import quota_upload_views, quota_views

app_name = "quotas"

urlpatterns = [
    path("", quota_views.grid, name="grid"),
    path("copy-forward/", quota_views.copy_forward, name="copy_forward"),
    path("activity-targets/", quota_views.activity_targets, name="activity_targets"),
    path("upload/", quota_upload_views.upload, name="upload"),
]
