"""People on the way into the party (入党申请人 → 预备党员 → 转正) and the dated steps they took."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.crypto import EncryptedTextField
from dangjian.lib.idnumbers import mask_id, mask_phone
from dangjian.lib.periods import add_months
from dangjian.members.choices import Education, Sex
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet

from .choices import BY_CODE, STEP_CHOICES, STEPS, Outcome, Stage
from .rules import DEFAULTS, in_force

REPEATABLE = tuple(s.code for s in STEPS if s.repeatable)


class ApplicantQuerySet(OrgScopedQuerySet):
    """Record keepers of the org's subtree see an applicant; a 党员 account sees none of it."""

    def active(self) -> ApplicantQuerySet:
        return self.filter(outcome=Outcome.ACTIVE)


class Applicant(models.Model):
    """A person on the way into the party, from the application letter to 转正. The key dates
    are kept on the row (written only by services.step_record) so a board of any size is one query."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=2, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("公民身份号码"), blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    org = models.ForeignKey(Org, models.PROTECT, related_name="applicants", verbose_name=_("所在党支部"))
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=Stage.choices, default=Stage.APPLICANT)
    outcome = models.CharField(_("状态"), max_length=10, choices=Outcome.choices, default=Outcome.ACTIVE)
    applied_on = models.DateField(_("递交入党申请书日期"), null=True, blank=True)
    from_roster = models.BooleanField(_("据党员名册建档"), default=False,
                                      help_text=_("名册中已有的预备党员：发展前期材料不在本系统，从支部大会通过之日起跟踪"))
    talked_on = models.DateField(_("谈话日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定为入党积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    admitted_on = models.DateField(_("支部大会通过日期"), null=True, blank=True,
                                   help_text=_("入党日期，预备期从这天算起"))
    approved_on = models.DateField(_("上级党委审批日期"), null=True, blank=True)
    extended_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), default=0)
    conversion_meeting_on = models.DateField(_("支部大会讨论转正日期"), null=True, blank=True)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)
    last_report_on = models.DateField(_("最近思想汇报"), null=True, blank=True)
    last_review_on = models.DateField(_("最近考察"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    member = models.OneToOneField("members.Member", models.PROTECT, null=True, blank=True, related_name="recruitment",
                                  verbose_name=_("党员名册记录"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展党员对象")
        verbose_name_plural = _("发展党员对象")
        ordering = ["org__path", "stage", "applied_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(extended_months=0) | Q(extended_months__gte=6, extended_months__lte=12),
                                   name="applicant_extension_6_to_12",
                                   violation_error_message=_("延长预备期应为6至12个月")),
            models.CheckConstraint(condition=Q(converted_on__isnull=True) | Q(admitted_on__isnull=False),
                                   name="applicant_converted_after_admitted",
                                   violation_error_message=_("未经支部大会接收，不能转正")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recruit_detail", args=[self.pk])

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def probation_ends_on(self) -> date | None:
        """One year from the branch meeting, plus an extension (第三十二条)."""
        if self.admitted_on is None:
            return None
        return add_months(self.admitted_on, 12 + self.extended_months)


class Step(models.Model):
    """One dated step (or entry: 思想汇报, 考察, 延长/取消预备资格) with who did it and its document."""

    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="steps", verbose_name=_("发展党员对象"))
    code = models.CharField(_("步骤"), max_length=30, choices=STEP_CHOICES)
    done_on = models.DateField(_("日期"))
    by = models.CharField(_("经办人/谈话人"), max_length=100, blank=True)
    people = models.CharField(_("人员"), max_length=100, blank=True, help_text=_("培养联系人、入党介绍人，用顿号分隔"))
    document = models.CharField(_("材料名称"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号/编号"), max_length=60, blank=True)
    doc_date = models.DateField(_("材料日期"), null=True, blank=True)
    starts_on = models.DateField(_("起始日期"), null=True, blank=True)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("学时"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("月数"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("赞成票"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("反对票"), null=True, blank=True)
    reason = models.CharField(_("特殊情况说明"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["done_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "code"], condition=~Q(code__in=REPEATABLE),
                                    name="step_once_per_applicant", violation_error_message=_("该步骤已登记")),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="step_ends_after_start", violation_error_message=_("截止日期不能早于起始日期")),
        ]

    def __str__(self) -> str:
        return f"{self.done_on} {self.applicant} {self.label}"

    @property
    def definition(self):
        return BY_CODE[self.code]

    @property
    def label(self) -> str:
        d = self.definition
        return f"{d.number}. {d.label}" if d.number else d.label


class RuleSettingQuerySet(models.QuerySet):
    def ruleset(self):
        """The one way to the recruitment rules in force: defaults and these overrides (1 query)."""
        return in_force(self.all())


class RuleSetting(models.Model):
    """A deployment's override of one rule in recruitment/rules.py."""

    key = models.CharField(_("规则"), max_length=40, unique=True)
    value = models.PositiveSmallIntegerField(_("数值"), null=True, blank=True, help_text=_("留空用默认值"))
    limit = models.PositiveSmallIntegerField(_("特殊情况上限"), null=True, blank=True, help_text=_("留空用默认值"))
    local_basis = models.CharField(_("本地规定依据"), max_length=200, blank=True, help_text=_("改动默认值时写明本地文件和条款"))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RuleSettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展党员规则设置")
        verbose_name_plural = _("发展党员规则设置")
        ordering = ["key"]

    def __str__(self) -> str:
        rule = DEFAULTS.get(self.key)
        return str(rule.label) if rule else self.key

    def clean(self) -> None:
        if self.key not in DEFAULTS:
            raise ValidationError({"key": _("没有这条规则")})
        if (self.value is not None or self.limit is not None) and not self.local_basis:
            raise ValidationError({"local_basis": _("改动默认规则时请写明本地规定依据")})
        if self.value == 0:
            raise ValidationError({"value": _("数值应大于0")})
