from django.urls import path

from . import views

urlpatterns = [
    path("", views.org_list, name="org_list"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_new, name="account_new"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/<str:action>/", views.account_action, name="account_action"),
    path("password/", views.password_change, name="password_change"),
]
