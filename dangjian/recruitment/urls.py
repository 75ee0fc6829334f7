from django.urls import path

from . import views

urlpatterns = [
    path("", views.board, name="recruit_board"),
    path("export/", views.board_export, name="recruit_export"),
    path("new/", views.applicant_create, name="recruit_create"),
    path("<int:pk>/", views.detail, name="recruit_detail"),
    path("<int:pk>/step/", views.step_add, name="recruit_step"),
    path("adopt/<int:member_pk>/", views.adopt, name="recruit_adopt"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/out/", views.transfer_out_create, name="transfer_out"),
    path("transfers/in/", views.transfer_in_create, name="transfer_in"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer_receipt"),
]
