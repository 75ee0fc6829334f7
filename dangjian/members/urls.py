from django.urls import path

from . import views

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_edit, name="member_create"),
    path("export/", views.member_export, name="member_export"),
    path("import/", views.member_import, name="member_import"),
    path("template/", views.member_template, name="member_template"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/event/", views.member_event_add, name="member_event_add"),
    path("<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
]
