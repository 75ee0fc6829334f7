from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FlagInterval, Member, MemberEvent, Membership, StatusInterval


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "org", "status", "category", "archived_on")
    list_filter = ("status", "category", "is_mobile")
    search_fields = ("name", "name_initials")
    exclude = ("id_number", "phone", "landline")  # personal data is viewed (and logged) in the app, not here


@admin.register(MemberEvent)
class MemberEventAdmin(admin.ModelAdmin):
    list_display = ("on", "member", "kind")
    list_filter = ("kind",)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Read here; written only through the life-event services (members/services.py)."""

    list_display = ("member", "org", "started_on", "ended_on", "start_reason", "end_reason")
    list_filter = ("start_reason", "end_reason")
    search_fields = ("member__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusInterval)
class StatusIntervalAdmin(MembershipAdmin):
    list_display = ("member", "status", "started_on", "ended_on")
    list_filter = ("status",)


@admin.register(FlagInterval)
class FlagIntervalAdmin(MembershipAdmin):
    list_display = ("member", "flag", "started_on", "ended_on")
    list_filter = ("flag",)
