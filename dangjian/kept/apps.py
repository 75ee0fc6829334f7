from django.apps import AppConfig


class KeptConfig(AppConfig):
    name = "dangjian.kept"
    verbose_name = "汇总页"

    def ready(self) -> None:
        from . import keeping  # noqa: F401 — connects the receivers that mark drawings out of date
