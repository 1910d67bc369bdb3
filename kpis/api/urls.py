from django.urls import path
from rest_framework.routers import SimpleRouter

from kpis.api import quota_views, views

router = SimpleRouter()
router.register("quotas", quota_views.QuotaViewSet, basename="api-quota")
router.register("activity-targets", quota_views.ActivityTargetViewSet, basename="api-activity-target")

urlpatterns = [
    path("kpis/", views.KpiTableApi.as_view(), name="api-kpis"),
    path("kpis/segments/", views.SegmentsApi.as_view(), name="api-kpis-segments"),
    path("kpis/weekly/", views.KpiWeeklyApi.as_view(), name="api-kpis-weekly"),
    *router.urls,
]
