from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("members/", include("dangjian.members.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("grid/", include("dangjian.grid.urls")),
    path("plans/", include("dangjian.plans.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("", include("dangjian.dashboard.urls")),
]
