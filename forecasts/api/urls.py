from django.urls import path

from forecasts.api import views

urlpatterns = [
    path("forecasts/", views.ForecastListApi.as_view(), name="api-forecasts"),
    path("forecasts/history/", views.ForecastHistoryApi.as_view(), name="api-forecasts-history"),
]
