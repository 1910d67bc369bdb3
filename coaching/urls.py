from django.urls import path

from coaching import review_views, views

urlpatterns = [
    path("coaching/", views.coaching_home, name="coaching_home"),
    path("coaching/sessions/new/", views.coaching_session_create, name="coaching_session_create"),
    path("coaching/sessions/<int:pk>/", views.coaching_session_detail, name="coaching_session_detail"),
    path("coaching/sessions/<int:pk>/edit/", views.coaching_session_edit, name="coaching_session_edit"),
    path("coaching/reps/<int:rep_id>/cadence/", views.coaching_cadence_edit, name="coaching_cadence_edit"),
    path("coaching/email-preferences/", views.email_preferences, name="coaching_email_preferences"),
    path("coaching/actions/<int:pk>/done/", views.coaching_action_done, name="coaching_action_done"),
    path("coaching/deals/<int:pk>/review/", review_views.deal_review_create, name="coaching_deal_review"),
    path("coaching/reps/<int:rep_id>/recognition/", review_views.recognition_create, name="coaching_recognition_create"),
    path("coaching/accounts/<int:pk>/plan/", review_views.account_plan_create, name="coaching_account_plan_create"),
    path("coaching/plan-actions/<int:pk>/done/", review_views.account_plan_action_done, name="coaching_plan_action_done"),
]
