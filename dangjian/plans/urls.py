from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_edit, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan_pk>/items/new/", views.plan_item_edit, name="plan_item_create"),
    path("items/", views.plan_item_list, name="plan_item_list"),
    path("items/<int:pk>/", views.plan_item_detail, name="plan_item_detail"),
    path("items/<int:pk>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("items/<int:pk>/<str:action>/", views.plan_item_action, name="plan_item_action"),
    path("milestones/<int:pk>/done/", views.milestone_complete, name="milestone_complete"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("due/", views.due_list, name="due_list"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/export/", views.problem_export, name="problem_export"),
    path("problems/new/", views.problem_edit, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/<str:action>/", views.problem_action, name="problem_action"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/<str:action>/", views.measure_action, name="measure_action"),
    path("holidays/", views.holiday_schedule, name="holiday_schedule"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
