from django.urls import path

from . import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_edit, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/guests/", views.meeting_guest, name="meeting_guest"),
    path("<int:pk>/submit/", views.meeting_submit, name="meeting_submit"),
    path("<int:pk>/return/", views.meeting_return, name="meeting_return"),
    path("<int:pk>/attachments/", views.meeting_attachment_add, name="meeting_attachment_add"),
    path("<int:pk>/signin/", views.meeting_signin, name="meeting_signin"),
    path("attachments/<int:pk>/", views.meeting_attachment, name="meeting_attachment"),
    path("calendar/", views.meeting_calendar, name="meeting_calendar"),
    path("feeds/", views.meeting_feeds, name="meeting_feeds"),
    path("ics/<int:org_pk>/<str:token>.ics", views.meeting_ics, name="meeting_ics"),
    path("compliance/", views.meeting_compliance, name="meeting_compliance"),
    path("reach/", views.meeting_reach, name="meeting_reach"),
    path("rules/", views.meeting_rules, name="meeting_rules"),
    path("export/", views.meeting_export, name="meeting_export"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
    path("sends/", views.send_list, name="send_list"),
    path("sends/new/", views.send_create, name="send_create"),
    path("sends/<int:pk>/confirm/", views.send_confirm, name="send_confirm"),
    path("study/", views.study_list, name="study_list"),
    path("study/new/", views.study_create, name="study_create"),
    path("study/import/", views.study_import, name="study_import"),
    path("study/template/", views.study_template, name="study_template"),
]
