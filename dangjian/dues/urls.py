from django.urls import path

from . import views

urlpatterns = [
    path("", views.dues_home, name="dues_home"),
    path("arrears/", views.dues_arrears, name="dues_arrears"),
    path("entries/", views.dues_entries, name="dues_entries"),
    path("export/", views.dues_export, name="dues_export"),
    path("import/", views.dues_import, name="dues_import"),
    path("calculator/", views.dues_calculator, name="dues_calculator"),
    path("rules/", views.dues_rules, name="dues_rules"),
    path("publicity/", views.dues_publicity, name="dues_publicity"),
    path("rules/edit/", views.dues_rules_edit, name="dues_rules_edit"),
    path("member/<int:pk>/", views.dues_member, name="dues_member"),
    path("member/<int:pk>/pay/", views.dues_pay, name="dues_pay"),
    path("member/<int:pk>/base/", views.dues_base, name="dues_base"),
    path("member/<int:pk>/relief/", views.dues_relief, name="dues_relief"),
    path("member/<int:pk>/profile/", views.dues_profile, name="dues_profile"),
    path("entry/<int:pk>/reverse/", views.dues_reverse, name="dues_reverse"),
    path("entry/<int:pk>/receipt/", views.dues_receipt, name="dues_receipt"),
    path("relief/<int:pk>/end/", views.dues_relief_end, name="dues_relief_end"),
]
