from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DuesAllocation, DuesBase, DuesEntry, DuesImport, DuesProfile, DuesRelief, DuesSettings


@admin.register(DuesSettings)
class DuesSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "base_mode", "warn_months", "alarm_months", "local_basis")
    raw_id_fields = ("org",)
    fieldsets = (
        (None, {"fields": ("org", "local_basis", "note")}),
        ("交纳标准", {"fields": ("employed_brackets", "retired_brackets", "farmer_min", "farmer_max", "fixed_amount")}),
        ("基数", {"fields": ("base_mode", "insurance_deduction", "ledger_start")}),
        ("提示", {"fields": ("remit_threshold", "warn_months", "alarm_months", "max_back_pay_months",
                           "max_prepay_months")}),
    )


@admin.register(DuesProfile)
class DuesProfileAdmin(SimpleHistoryAdmin):
    list_display = ("member", "pay_schedule", "voluntary_extra")
    raw_id_fields = ("member",)
    search_fields = ("member__name",)


@admin.register(DuesBase)
class DuesBaseAdmin(SimpleHistoryAdmin):
    list_display = ("member", "effective_month", "category", "base", "fixed_amount", "recorded_by")
    list_filter = ("category",)
    raw_id_fields = ("member",)
    search_fields = ("member__name",)
    readonly_fields = ("recorded_by", "recorded_at")


@admin.register(DuesRelief)
class DuesReliefAdmin(SimpleHistoryAdmin):
    list_display = ("member", "kind", "monthly_amount", "from_month", "to_month", "approval_document")
    raw_id_fields = ("member",)
    search_fields = ("member__name", "approval_document")
    readonly_fields = ("recorded_by", "recorded_at")


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """The ledger is append-only: the admin shows it and never adds, changes or deletes a row.
    Payments and reversals are booked in the dues pages (services), which number and check them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationInline(admin.TabularInline):
    model = DuesAllocation
    fields = ("month", "kind", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DuesEntry)
class DuesEntryAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "seq", "kind", "paid_on", "amount", "method", "receipt_no", "org", "recorded_by")
    list_filter = ("kind", "method", "source")
    search_fields = ("member__name", "receipt_no", "external_ref")
    date_hierarchy = "paid_on"
    inlines = [AllocationInline]


@admin.register(DuesAllocation)
class DuesAllocationAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "month", "kind", "amount", "entry")
    search_fields = ("member__name",)


@admin.register(DuesImport)
class DuesImportAdmin(ReadOnlyLedgerAdmin):
    list_display = ("imported_at", "filename", "org", "imported_by", "booked", "skipped")
