"""The quota workspace, mounted at /quotas/ (namespace "quotas"): one line per route."""

from django.urls import path

from kpis import quota_upload_views

app_name = "quotas"

urlpatterns = [
    path("upload/", quota_upload_views.upload, name="upload"),
]
