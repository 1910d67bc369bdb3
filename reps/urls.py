from django.urls import path

from reps import views

urlpatterns = [
    path("team/", views.team_overview, name="team_overview"),
]
