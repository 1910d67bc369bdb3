from django.urls import path

from kpis.api import views

urlpatterns = [
    path("kpis/", views.KpiTableApi.as_view(), name="api-kpis"),
    path("kpis/segments/", views.SegmentsApi.as_view(), name="api-kpis-segments"),
    path("kpis/weekly/", views.KpiWeeklyApi.as_view(), name="api-kpis-weekly"),
]
