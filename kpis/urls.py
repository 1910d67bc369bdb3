from django.urls import path

from kpis import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
