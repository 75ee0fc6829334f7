from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from dangjian.kept.keeping import register

        from .kept import draw_compliance, draw_reach

        register("meetings.compliance", draw_compliance)
        register("meetings.reach", draw_reach)
