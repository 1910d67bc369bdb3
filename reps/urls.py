from django.urls import path

from reps import views

urlpatterns = [
    path("team/", views.team_overview, name="team_overview"),
    path("week/", views.my_week, name="my_week"),
    path("activities/new/", views.activity_quick_add, name="activity_quick_add"),
    path("activities/<int:pk>/done/", views.activity_done, name="activity_done"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/board/", views.opportunity_board, name="opportunity_board"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/feedback/", views.feedback_create, name="feedback_create"),
]
