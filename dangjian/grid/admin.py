from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Building,
    Campaign,
    Grid,
    GridAssignment,
    GridSettings,
    Household,
    ImportJob,
    Resident,
    ResidentTag,
    Visit,
)


class NoDelete:
    """People are archived and the survey ledger is append-only: nothing here is deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResidentTag)
class ResidentTagAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "sort", "is_active")
    list_editable = ("sort", "is_active")

    def save_model(self, request, obj, form, change) -> None:
        old_name = form.initial.get("name") if change else None
        super().save_model(request, obj, form, change)
        if old_name and old_name != obj.name:
            count = services.tag_rename(tag=obj, old_name=old_name, user=request.user)
            self.message_user(request, f"已将{count}位居民的标签“{old_name}”改为“{obj.name}”（修改已记入各居民的历史）")


@admin.register(GridSettings)
class GridSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "elderly_age", "worker_may_view_pii", "worker_may_export")

    def has_add_permission(self, request) -> bool:
        return not GridSettings.objects.exists()


@admin.register(Grid)
class GridAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("name", "community", "code", "sort")
    list_filter = ("community",)


@admin.register(GridAssignment)
class GridAssignmentAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("grid", "user", "started_on", "ended_on")


@admin.register(Building)
class BuildingAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("estate", "name", "grid")
    list_filter = ("grid__community",)


@admin.register(Household)
class HouseholdAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("__str__", "grid", "housing_status")
    list_select_related = ("unit__building", "grid")
    list_filter = ("housing_status",)


@admin.register(Resident)
class ResidentAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("name", "household", "hukou_type", "archived_on")
    list_filter = ("hukou_type", "archive_reason")
    list_select_related = ("household__unit__building",)
    search_fields = ("name", "name_initials")
    exclude = ("id_number", "phone", "landline")  # personal data is viewed (and logged) in the app, not here
    raw_id_fields = ("household", "member")


@admin.register(Campaign)
class CampaignAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("name", "community", "starts_on", "deadline")


@admin.register(Visit)
class VisitAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("visited_on", "household", "result", "worker", "campaign")
    list_filter = ("result", "campaign")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("created_at", "filename", "community", "dry_run", "status", "created", "updated", "rejected")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
