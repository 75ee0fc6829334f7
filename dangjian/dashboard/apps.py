from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dangjian.dashboard"
    verbose_name = "首页"
