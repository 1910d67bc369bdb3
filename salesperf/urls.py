from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from reps import views as rep_views
from salesperf.views import healthz

api_v1 = [
    path("", include("reps.api.urls")),
    path("", include("kpis.api.urls")),
    path("", include("coaching.api.urls")),
]

urlpatterns = [
    path("", rep_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("reps.urls")),
    path("", include("kpis.urls")),
    path("quotas/", include("kpis.quota_urls")),
    path("", include("coaching.urls")),
    path("", include("imports.urls")),
]
