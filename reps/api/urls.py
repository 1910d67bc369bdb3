from rest_framework.routers import SimpleRouter

from reps.api import views

router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="api-account")
router.register("opportunities", views.OpportunityViewSet, basename="api-opportunity")
router.register("activities", views.ActivityViewSet, basename="api-activity")
router.register("feedback", views.FeedbackViewSet, basename="api-feedback")
router.register("teams", views.TeamViewSet, basename="api-team")
router.register("reps", views.RepViewSet, basename="api-rep")
router.register("pipelines", views.PipelineViewSet, basename="api-pipeline")

urlpatterns = [
    *router.urls,
]
