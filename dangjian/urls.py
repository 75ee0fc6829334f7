from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from dangjian.orgs import views as orgs_views

urlpatterns = [
    # Clients that ask for /favicon.ico without reading the page's <link rel="icon">.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("login/", orgs_views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("members/", include("dangjian.members.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("grid/", include("dangjian.grid.urls")),
    path("plans/", include("dangjian.plans.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("jobs/", include("dangjian.jobs.urls")),
    path("", include("dangjian.dashboard.urls")),
    path("", include("dangjian.kept.urls")),
]
