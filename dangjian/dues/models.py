"""Party dues: the rules a deployment overrides, each member's dues profile and base history,
approved reductions, and the append-only ledger of payments.

The ledger (DuesEntry + its DuesAllocation lines) is never edited or deleted: a mistake is
corrected by a reversal entry that names the entry it cancels and why. Each member's entries
carry a sequence number that is unique per member, so two clerks booking for the same member at
the same moment cannot both write on top of the same state (see services.payment_record).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.staging import HiddenUntilImported
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet, path_q

from .choices import (
    AllocationKind,
    BaseMode,
    DuesCategory,
    EntryKind,
    EntrySource,
    InsuranceDeduction,
    Method,
    PaySchedule,
    ReliefKind,
)
from .rules import DEFAULT_RULES, RuleBook, override_values, parse_brackets


def _default_help(key: str) -> str:
    rule = DEFAULT_RULES[key]
    return f"留空＝默认：{rule.display}（{rule.source}）"


class DuesSettingsQuerySet(models.QuerySet):
    def rulebook(self) -> RuleBook:
        """The one way to the dues rules in force: `.rulebook().for_org(org)` (all overrides, one query)."""
        return RuleBook(self.select_related("org"))


class DuesSettings(models.Model):
    """Overrides of the dues rules: one row for the deployment (no org), optionally one per org.

    A blank field keeps the rule of the level above; the deepest org's filled field wins.
    """

    org = models.OneToOneField(Org, models.PROTECT, null=True, blank=True, related_name="dues_settings",
                               verbose_name=_("适用组织"), help_text=_("留空＝整个系统的默认设置"))
    base_mode = models.CharField(_("基数调整方式"), max_length=12, choices=BaseMode.choices, blank=True,
                                 help_text=_default_help("base_mode"))
    employed_brackets = models.JSONField(_("在职党员比例表"), null=True, blank=True,
                                         help_text=_default_help("employed_brackets")
                                         + '。格式：[["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [null, "0.02"]]')
    retired_brackets = models.JSONField(_("离退休党员比例表"), null=True, blank=True,
                                        help_text=_default_help("retired_brackets"))
    farmer_min = models.DecimalField(_("农民党员最低（元/月）"), max_digits=6, decimal_places=2, null=True, blank=True,
                                     help_text=_default_help("farmer_range"))
    farmer_max = models.DecimalField(_("农民党员最高（元/月）"), max_digits=6, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(_("学生/下岗失业/抚恤救济/低保党员（元/月）"), max_digits=6, decimal_places=2,
                                       null=True, blank=True, help_text=_default_help("fixed_amount"))
    insurance_deduction = models.CharField(_("基数是否扣除个人社保、公积金"), max_length=8,
                                           choices=InsuranceDeduction.choices, blank=True,
                                           help_text=_default_help("insurance_deduction"))
    remit_threshold = models.DecimalField(_("大额党费提示（元）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                          help_text=_default_help("remit_threshold"))
    warn_months = models.PositiveSmallIntegerField(_("连续未交预警（月）"), null=True, blank=True,
                                                   help_text=_default_help("warn_months"))
    alarm_months = models.PositiveSmallIntegerField(_("连续未交告警（月）"), null=True, blank=True,
                                                    help_text=_default_help("alarm_months"))
    max_back_pay_months = models.PositiveSmallIntegerField(_("补交提示（月）"), null=True, blank=True,
                                                           help_text=_default_help("max_back_pay_months"))
    max_prepay_months = models.PositiveSmallIntegerField(_("预交提示（月）"), null=True, blank=True,
                                                         help_text=_default_help("max_prepay_months"))
    ledger_start = models.DateField(_("台账起始月份"), null=True, blank=True, help_text=_default_help("ledger_start"))
    local_basis = models.CharField(_("本地规定依据"), max_length=200, blank=True,
                                   help_text=_("改变任何默认值时必填：文件名称和文号，页面上会引用它"))
    note = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    objects = DuesSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费规则设置")
        verbose_name_plural = _("党费规则设置")
        constraints = [
            # NULL org is the deployment row; Coalesce makes a second one a duplicate.
            models.UniqueConstraint(Coalesce(F("org"), Value(0)), name="dues_settings_one_per_scope",
                                    violation_error_message=_("该组织（或系统默认）已有党费规则设置")),
        ]

    def __str__(self) -> str:
        return f"党费规则：{self.org.name if self.org_id else '系统默认'}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("employed_brackets", "retired_brackets"):
            if getattr(self, field):
                try:
                    parse_brackets(getattr(self, field))
                except ValueError as exc:
                    errors[field] = str(exc)
        if self.farmer_min is not None and self.farmer_max is not None and self.farmer_min > self.farmer_max:
            errors["farmer_max"] = "最高金额不能低于最低金额"
        if self.warn_months is not None and self.alarm_months is not None and self.warn_months >= self.alarm_months:
            errors["warn_months"] = "预警月数应少于告警月数"
        if self.ledger_start and self.ledger_start.day != 1:
            self.ledger_start = self.ledger_start.replace(day=1)
        if not errors and override_values(self) and not self.local_basis.strip():
            errors["local_basis"] = "改变默认规则时须写明本地规定依据（文件名称和文号）"
        if errors:
            raise ValidationError(errors)


class DuesProfile(models.Model):
    """A member's standing arrangements: how often they pay, and any voluntary extra they pledge."""

    member = models.OneToOneField(Member, models.PROTECT, related_name="dues_profile", verbose_name=_("党员"))
    pay_schedule = models.CharField(_("交纳方式"), max_length=10, choices=PaySchedule.choices,
                                    default=PaySchedule.MONTHLY)
    voluntary_extra = models.DecimalField(_("每月自愿多交（元）"), max_digits=8, decimal_places=2, default=0,
                                          help_text=_("自愿多交不计入应交，也不计入欠交"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党费档案")
        verbose_name_plural = _("党费档案")
        constraints = [
            models.CheckConstraint(condition=Q(voluntary_extra__gte=0), name="dues_profile_extra_not_negative",
                                   violation_error_message=_("自愿多交金额不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.member}的党费档案"


class DuesBase(models.Model):
    """A 核定 of a member's dues from one month on: the category and the base (or fixed amount)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues_bases", verbose_name=_("党员"))
    effective_month = models.DateField(_("起始月份"), help_text=_("自该月起按此核定交纳"))
    category = models.CharField(_("党费类别"), max_length=10, choices=DuesCategory.choices)
    base = models.DecimalField(_("月交纳基数（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(_("月交纳金额（元）"), max_digits=8, decimal_places=2, null=True, blank=True,
                                       help_text=_("农民党员（0.2—1元）或“其他”类别由支部确定的金额"))
    calculation = models.JSONField(_("计算过程"), default=dict, blank=True)
    document = models.CharField(_("核定依据"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党费基数核定")
        verbose_name_plural = _("党费基数核定")
        ordering = ["member", "effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_month"], name="dues_base_one_per_month",
                                    violation_error_message=_("该党员在该月已有核定记录")),
            models.CheckConstraint(condition=Q(base__isnull=True) | Q(base__gte=0), name="dues_base_not_negative",
                                   violation_error_message=_("交纳基数不能为负数")),
            models.CheckConstraint(condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gte=0),
                                   name="dues_base_fixed_not_negative",
                                   violation_error_message=_("交纳金额不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.effective_month:%Y-%m}起 {self.get_category_display()}"

    @property
    def summary(self) -> str:
        if self.base is not None:
            return f"{self.get_category_display()} · 基数{self.base:,.2f}元"
        if self.fixed_amount is not None:
            return f"{self.get_category_display()} · 每月{self.fixed_amount:.2f}元"
        return str(self.get_category_display())


class DuesReliefQuerySet(OrgScopedQuerySet):
    scope_through = "member"


class DuesRelief(models.Model):
    """An approved reduction or exemption (困难党员减免): the branch decides, the higher committee approves."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues_reliefs", verbose_name=_("党员"))
    kind = models.CharField(_("类型"), max_length=8, choices=ReliefKind.choices)
    monthly_amount = models.DecimalField(_("减交后每月交纳（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    from_month = models.DateField(_("起始月份"))
    to_month = models.DateField(_("截止月份"), null=True, blank=True, help_text=_("留空＝直至取消"))
    reason = models.CharField(_("原因"), max_length=200)
    branch_decided_on = models.DateField(_("支部决定日期"))
    approved_by = models.CharField(_("批准的上级党组织"), max_length=100)
    approval_document = models.CharField(_("批准文件/文号"), max_length=100)
    approved_on = models.DateField(_("批准日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DuesReliefQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费减免")
        verbose_name_plural = _("党费减免")
        ordering = ["member", "from_month"]
        constraints = [
            models.CheckConstraint(condition=Q(to_month__isnull=True) | Q(to_month__gte=F("from_month")),
                                   name="dues_relief_months_in_order",
                                   violation_error_message=_("截止月份不能早于起始月份")),
            models.CheckConstraint(condition=Q(kind=ReliefKind.EXEMPT, monthly_amount__isnull=True)
                                   | Q(kind=ReliefKind.REDUCE, monthly_amount__gte=0),
                                   name="dues_relief_amount_matches_kind",
                                   violation_error_message=_("减交须填写每月金额，免交不填")),
            models.CheckConstraint(condition=Q(approved_on__gte=F("branch_decided_on")),
                                   name="dues_relief_approved_after_decision",
                                   violation_error_message=_("批准日期不能早于支部决定日期")),
        ]

    def __str__(self) -> str:
        until = f"{self.to_month:%Y-%m}" if self.to_month else "取消为止"
        return f"{self.member} {self.get_kind_display()} {self.from_month:%Y-%m}—{until}"

    def covers(self, month) -> bool:
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


class LedgerError(Exception):
    """An attempt to change or remove a ledger row."""


APPEND_ONLY = "党费账目只能追加，不能修改或删除；更正请登记冲正"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerError(APPEND_ONLY)

    def delete(self):
        raise LedgerError(APPEND_ONLY)


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError(APPEND_ONLY)


class DuesImport(models.Model):
    """One booked payment-list file (WeChat/bank export), for tracing imported entries."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("组织"))
    filename = models.CharField(_("文件名"), max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    booked = models.PositiveIntegerField(_("入账笔数"), default=0)
    skipped = models.PositiveIntegerField(_("未入账行数"), default=0)
    # The background import writing it (and its entries); shown only once that job is done.
    import_job = models.ForeignKey("jobs.Job", models.PROTECT, null=True, blank=True, editable=False,
                                   related_name="+")

    objects = HiddenUntilImported()

    class Meta:
        verbose_name = _("交费名单导入")
        verbose_name_plural = _("交费名单导入")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.imported_at:%Y-%m-%d %H:%M} {self.filename}"


class DuesEntryQuerySet(AppendOnlyQuerySet, OrgScopedQuerySet):
    scope_field = "org"  # the org that collected it
    own_field = "member__user"

    def also_visible(self, user) -> Q:
        """The keepers of the member's own org see what another org collected from them."""
        return path_q(user, "member__org")

    def standing(self) -> DuesEntryQuerySet:
        """Payments not cancelled by a reversal."""
        return self.filter(kind=EntryKind.PAYMENT, reversal__isnull=True)


class DuesEntryManager(HiddenUntilImported.from_queryset(DuesEntryQuerySet)):
    """The entries a background payment import is still writing (or that a failed one left) are
    hidden until its job is done (lib/staging.py, dues/importing.py): pages, figures, the roll and
    exports never see them; the kept summary (dues/paid.py) gets them at the job's commit."""


class DuesEntry(AppendOnly):
    """One booking in a member's ledger: a payment, or the reversal of one."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues_entries", verbose_name=_("党员"))
    seq = models.PositiveIntegerField(_("序号"), help_text=_("该党员账目的顺序号"))
    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("收缴组织"))
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices, default=EntryKind.PAYMENT)
    paid_on = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    method = models.CharField(_("交纳方式"), max_length=8, choices=Method.choices, blank=True)
    receipt_no = models.CharField(_("收据号"), max_length=40, blank=True)
    collected_by = models.CharField(_("收款人"), max_length=50, blank=True)
    external_ref = models.CharField(_("交易单号"), max_length=80, blank=True)
    # The one-time token of the form that booked it: the same form submitted twice books once.
    form_token = models.CharField(_("表单凭据"), max_length=64, blank=True, editable=False)
    source = models.CharField(_("来源"), max_length=8, choices=EntrySource.choices, default=EntrySource.MANUAL)
    import_batch = models.ForeignKey(DuesImport, models.PROTECT, null=True, blank=True, related_name="entries",
                                     verbose_name=_("导入批次"))
    reverses = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="reversal",
                                    verbose_name=_("冲正的账目"))
    reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # The background payment import that wrote it; shown only once that job is done.
    import_job = models.ForeignKey("jobs.Job", models.PROTECT, null=True, blank=True, editable=False,
                                   related_name="+")

    objects = DuesEntryManager()

    class Meta:
        verbose_name = _("党费账目")
        verbose_name_plural = _("党费账目")
        ordering = ["member", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["member", "seq"], name="dues_entry_seq_unique_per_member",
                                    violation_error_message=_("该党员的账目已被他人更新，请刷新后重试")),
            models.UniqueConstraint(fields=["external_ref"], condition=Q(kind=EntryKind.PAYMENT) & ~Q(external_ref=""),
                                    name="dues_entry_external_ref_once",
                                    violation_error_message=_("该交易单号已入账")),
            models.UniqueConstraint(fields=["form_token"], condition=~Q(form_token=""), name="dues_entry_form_token_once",
                                    violation_error_message=_("这张表单已经提交过，没有重复登记")),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.PAYMENT, amount__gt=0, reverses__isnull=True)
                | Q(kind=EntryKind.REVERSAL, amount__lt=0, reverses__isnull=False) & ~Q(reason=""),
                name="dues_entry_kind_shape",
                violation_error_message=_("交纳金额须为正数；冲正须指明原账目、金额为负并写明原因"),
            ),
        ]
        indexes = [models.Index(fields=["org", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.member} #{self.seq} {self.get_kind_display()} {self.amount}元"


class DuesAllocationQuerySet(AppendOnlyQuerySet):
    def standing(self) -> DuesAllocationQuerySet:
        return self.filter(entry__kind=EntryKind.PAYMENT, entry__reversal__isnull=True)


class DuesAllocationManager(HiddenUntilImported.from_queryset(DuesAllocationQuerySet)):
    """Hidden with their entry (its import's job not done)."""

    marker = "entry__import_job"


class DuesAllocation(AppendOnly):
    """The part of an entry that pays one month (dues or voluntary extra). Reversals mirror with minus."""

    entry = models.ForeignKey(DuesEntry, models.PROTECT, related_name="allocations", verbose_name=_("账目"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="+", verbose_name=_("党员"))
    month = models.DateField(_("所属月份"))
    kind = models.CharField(_("类型"), max_length=6, choices=AllocationKind.choices, default=AllocationKind.DUES)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)

    objects = DuesAllocationManager()

    class Meta:
        verbose_name = _("党费分配")
        verbose_name_plural = _("党费分配")
        ordering = ["entry", "month"]
        indexes = [models.Index(fields=["member", "month"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="dues_allocation_not_zero",
                                   violation_error_message=_("分配金额不能为0")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.get_kind_display()} {self.amount}元"


class DuesPosting(AppendOnly):
    """The kept summary of the ledger, row by row (see dues/paid.py): one allocation of a payment in
    cents, dated by the payment, with whether that was by the month's end and by the quarter's end.
    A reversal adds the negated rows of the payment it cancels, dated like that payment, so that
    summed up to any date a reversed payment counts nothing — as the ledger reads it."""

    entry = models.ForeignKey(DuesEntry, models.PROTECT, related_name="+", verbose_name=_("账目"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="+", verbose_name=_("党员"))
    month = models.IntegerField(_("所属月份序号"), help_text=_("年×12＋月－1"))
    paid_on = models.DateField(_("交纳日期"))
    dues = models.BigIntegerField(_("党费（分）"))
    extra = models.BigIntegerField(_("自愿多交（分）"))
    by_month = models.BooleanField(_("当月月底前交纳"))
    by_quarter = models.BooleanField(_("当季季末前交纳"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费入账汇总")
        verbose_name_plural = _("党费入账汇总")
        indexes = [models.Index(fields=["paid_on", "month"], name="dues_posting_paid_month")]


class DuesPaidRun(models.Model):
    """The kept summary of a member's standing payments (see dues/paid.py): months first..last with
    equal sums of all postings — dues paid, of it in time, voluntary extra, in cents — in time
    meaning by the month's end (`quarterly` False) or by the quarter's end (True); both are kept, so
    a change of pay schedule needs no rebuild. Rebuilt for the member with each ledger entry."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="+", verbose_name=_("党员"), db_index=False)
    quarterly = models.BooleanField(_("按季度计按时"))
    first = models.IntegerField(_("起始月份序号"))
    last = models.IntegerField(_("截止月份序号"))
    paid = models.BigIntegerField(_("党费（分）"))
    in_time = models.BigIntegerField(_("其中按时（分）"))
    extra = models.BigIntegerField(_("自愿多交（分）"))

    class Meta:
        verbose_name = _("党费分段汇总")
        verbose_name_plural = _("党费分段汇总")
        indexes = [models.Index(fields=["member", "quarterly", "first"], name="dues_paidrun_member")]
