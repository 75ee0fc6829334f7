from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Report, ReportBatch, ReportTemplate, ReportVersion
from .rendering import validate_template


class ReportTemplateForm(forms.ModelForm):
    class Meta:
        model = ReportTemplate
        fields = ["name", "file", "is_active"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError("请上传 .docx 文件（在 Word 中修改内置模板后另存为 .docx）")
        data = upload.read()
        upload.seek(0)
        try:
            validate_template(data)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    """A deployment's own template: the newest active one replaces the built-in GB/T 9704 one."""

    form = ReportTemplateForm
    list_display = ("name", "is_active", "uploaded_at", "uploaded_by")

    def save_model(self, request, obj, form, change):
        if not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class VersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ("number", "status", "title", "dated_on", "generated_at", "finalised_by", "finalised_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ("org", "period", "reporter_name", "created_at")
    list_filter = ("period",)
    search_fields = ("org__name", "reporter_name")
    inlines = [VersionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportBatch)
class ReportBatchAdmin(admin.ModelAdmin):
    list_display = ("org", "period", "status", "done", "total", "created_at")
    readonly_fields = [f.name for f in ReportBatch._meta.fields]
