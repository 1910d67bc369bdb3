from django.urls import path

from kpis import quota_views

app_name = "quotas"

urlpatterns = [
    path("", quota_views.grid, name="grid"),
    path("copy-forward/", quota_views.copy_forward, name="copy_forward"),
    path("activity-targets/", quota_views.activity_targets, name="activity_targets"),
]
