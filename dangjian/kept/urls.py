from django.urls import path

from . import views

urlpatterns = [path("kept/status/", views.kept_status, name="kept_status")]
