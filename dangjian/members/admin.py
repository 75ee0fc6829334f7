from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Member, MemberEvent


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
