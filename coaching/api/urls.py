from django.urls import path
from rest_framework.routers import SimpleRouter

from coaching.api import views

router = SimpleRouter()
router.register("coaching-sessions", views.CoachingSessionViewSet, basename="api-coaching-session")
router.register("coaching-feedback", views.CoachingFeedbackViewSet, basename="api-coaching-feedback")
router.register("action-items", views.ActionItemViewSet, basename="api-action-item")
router.register("coaching-cadences", views.CoachingCadenceViewSet, basename="api-coaching-cadence")
router.register("deal-reviews", views.DealReviewViewSet, basename="api-deal-review")
router.register("stage-tips", views.StageTipViewSet, basename="api-stage-tip")
router.register("recognitions", views.RecognitionViewSet, basename="api-recognition")
router.register("account-plans", views.AccountPlanViewSet, basename="api-account-plan")

urlpatterns = [
    path("coaching-time/", views.CoachingTimeApi.as_view(), name="coaching-time"),
    path("me/email-preferences/", views.EmailPreferencesApi.as_view(), name="email-preferences"),
    *router.urls,
]
