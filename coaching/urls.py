from django.urls import path

from coaching import views

urlpatterns = [
    path("coaching/", views.coaching_home, name="coaching_home"),
    path("coaching/sessions/new/", views.coaching_session_create, name="coaching_session_create"),
    path("coaching/sessions/<int:pk>/", views.coaching_session_detail, name="coaching_session_detail"),
    path("coaching/sessions/<int:pk>/edit/", views.coaching_session_edit, name="coaching_session_edit"),
    path("coaching/reps/<int:rep_id>/cadence/", views.coaching_cadence_edit, name="coaching_cadence_edit"),
    path("coaching/email-preferences/", views.email_preferences, name="coaching_email_preferences"),
    path("coaching/actions/<int:pk>/done/", views.coaching_action_done, name="coaching_action_done"),
]
