from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dangjian.dashboard"
    verbose_name = "首页"

    def ready(self) -> None:
        from dangjian.kept.keeping import register

        from .panels import draw

        register("dashboard", draw)
