from django.urls import path

from audit.api.views import AuditApi

urlpatterns = [
    path("audit/", AuditApi.as_view(), name="api-audit"),
]
