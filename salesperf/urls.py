from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.language import set_language
from reps import views as rep_views
from salesperf.api_root import ApiRoot
from salesperf.views import healthz

api_v1 = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("auth/token/", account_views.TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", account_views.TokenRevokeApi.as_view(), name="api-logout"),
    path("", include("reps.api.urls")),
    path("", include("kpis.api.urls")),
    path("", include("coaching.api.urls")),
    path("", include("forecasts.api.urls")),
    path("", include("audit.api.urls")),
]

urlpatterns = [
    path("", rep_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("", include("reps.urls")),
    path("", include("kpis.urls")),
    path("quotas/", include("kpis.quota_urls")),
    path("", include("coaching.urls")),
    path("", include("forecasts.urls")),
    path("", include("imports.urls")),
    path("", include("audit.urls")),
]
