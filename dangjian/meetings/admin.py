from django import forms
from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, ActivityType, CalendarFeed, RuleSetting, SelfStudy, Send, Tag, Visit
from .rules import RULES


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "audience", "required_per", "required_count", "is_active", "builtin", "sort")
    list_editable = ("is_active", "sort")
    readonly_fields = ("builtin",)

    def get_readonly_fields(self, request, obj=None):
        # Rules refer to the built-in codes; a built-in type keeps its code.
        return ("builtin", "code") if obj and obj.builtin else ("builtin",)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.builtin


class RuleSettingForm(forms.ModelForm):
    key = forms.ChoiceField(label="规则", choices=[(r.key, f"{r.label}（默认：{r.requirement}；{r.source}）") for r in RULES])

    class Meta:
        model = RuleSetting
        fields = ["key", "enabled", "value", "per", "local_basis"]


@admin.register(RuleSetting)
class RuleSettingAdmin(SimpleHistoryAdmin):
    form = RuleSettingForm
    list_display = ("__str__", "enabled", "value", "per", "local_basis", "updated_at")


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "planned_on", "org", "type", "topic", "status")
    list_filter = ("status", "type")
    search_fields = ("topic", "org__name")
    raw_id_fields = ("org",)
    readonly_fields = ("created_by", "submitted_at", "submitted_by", "returned_at", "returned_by")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]
    readonly_fields = ("user", "org", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    @admin.action(description="停用所选订阅地址")
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("visited_on", "member", "visitor", "material")
    raw_id_fields = ("member", "org")


@admin.register(Send)
class SendAdmin(SimpleHistoryAdmin):
    list_display = ("sent_on", "member", "channel", "material", "confirmed_on")
    raw_id_fields = ("member", "org")


@admin.register(SelfStudy)
class SelfStudyAdmin(SimpleHistoryAdmin):
    list_display = ("studied_on", "member", "source", "hours", "points")
    raw_id_fields = ("member", "org")
