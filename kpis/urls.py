from django.urls import path

from kpis import segment_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/reps/<int:rep_id>/", views.rep_detail, name="rep_detail"),
    path("team-meeting/", views.team_meeting, name="team_meeting"),
    path("segments/", segment_views.segment_growth, name="segments"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
