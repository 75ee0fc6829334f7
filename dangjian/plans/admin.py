from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    EvidenceLink,
    HolidaySchedule,
    HolidayScheduleDay,
    LocalDay,
    Measure,
    Milestone,
    Notification,
    PlanItem,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemSource,
    WorkPlan,
)


@admin.register(LocalDay)
class LocalDayAdmin(admin.ModelAdmin):
    list_display = ("day", "name", "working")
    list_filter = ("working",)
    date_hierarchy = "day"


class HolidayScheduleDayInline(admin.TabularInline):
    model = HolidayScheduleDay
    extra = 0


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(SimpleHistoryAdmin):
    list_display = ("year", "document", "published_on", "entered_by")
    inlines = [HolidayScheduleDayInline]


@admin.register(ProblemCategory, ProblemSource)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "sort", "active")
    list_editable = ("sort", "active")


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ("title", "owner", "deadline", "status", "done_on")


@admin.register(WorkPlan)
class WorkPlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "org", "kind", "start_on", "end_on")
    list_filter = ("kind",)
    search_fields = ("title",)
    inlines = [PlanItemInline]


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "owner", "deadline", "status", "done_on")
    list_filter = ("status",)


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("title", "item", "deadline", "done_on")


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ("title", "owner", "deadline", "status", "done_on")


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "on", "user", "measure", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "org", "category", "source", "found_on", "status", "closed_on")
    list_filter = ("status", "category", "source")
    search_fields = ("title",)
    readonly_fields = ("status", "closed_on", "closed_by", "close_note")  # closing is signed in the app
    inlines = [MeasureInline, ProblemEventInline]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(SimpleHistoryAdmin):
    list_display = ("label", "url", "item", "measure", "added_by", "added_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind_label", "stage", "due_on", "text", "created_on", "read_at", "resolved_at")
    list_filter = ("kind", "stage")
