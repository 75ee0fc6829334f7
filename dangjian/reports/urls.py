from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_create, name="report_create"),
    path("street/", views.street_view, name="street_view"),
    path("street/batch/", views.batch_create, name="report_batch_create"),
    path("street/draft/", views.street_draft, name="report_street_draft"),
    path("street/finalise/", views.street_finalise, name="report_street_finalise"),
    path("batch/<int:pk>/", views.batch_status, name="report_batch_status"),
    path("batch/<int:pk>/download/", views.batch_download, name="report_batch_download"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/stale/", views.report_stale, name="report_stale"),
    path("<int:pk>/check/", views.report_check, name="report_check"),
    path("<int:pk>/meta/", views.report_meta, name="report_meta"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("<int:pk>/finalise/", views.report_finalise, name="report_finalise"),
    path("<int:pk>/new-version/", views.report_new_version, name="report_new_version"),
    path("<int:pk>/diff/", views.report_diff, name="report_diff"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
    path("<int:pk>/protected/", views.report_download_protected, name="report_download_protected"),
    path("paragraph/<int:pk>/", views.paragraph_show, name="report_paragraph"),
    path("paragraph/<int:pk>/edit/", views.paragraph_edit, name="report_paragraph_edit"),
    path("paragraph/<int:pk>/reset/", views.paragraph_reset, name="report_paragraph_reset"),
]
