from django.urls import path

from forecasts import views

urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
]
