from django.urls import path

from . import views

urlpatterns = [
    path("", views.org_list, name="org_list"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
]
