from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, Org, RoleAssignment


@admin.register(Org)
class OrgAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "code", "parent", "secretary", "term_ends_on")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "org")
    list_filter = ("role",)
    autocomplete_fields = ("org",)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "target", "ip")
    list_filter = ("action",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
