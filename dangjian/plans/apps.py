from django.apps import AppConfig


def local_days(first_day, last_day):
    """The deployment's LocalDay rows for lib.workdays (loaded a year at a time)."""
    from .models import LocalDay

    return dict(LocalDay.objects.filter(day__range=(first_day, last_day)).values_list("day", "working"))


def entered_schedule(year):
    """The administrator's entry of the State Council schedule for a year, for lib.workdays."""
    from .models import HolidaySchedule, HolidayScheduleDay

    if not HolidaySchedule.objects.filter(year=year).exists():
        return None
    return dict(HolidayScheduleDay.objects.filter(schedule__year=year).values_list("day", "working"))


class PlansConfig(AppConfig):
    name = "dangjian.plans"
    verbose_name = "计划与整改"

    def ready(self) -> None:
        from dangjian.lib.workdays import register_local_days, register_official_schedule

        from . import reminders  # noqa: F401  registers this app's reminder providers

        register_local_days(local_days)
        register_official_schedule(entered_schedule)
