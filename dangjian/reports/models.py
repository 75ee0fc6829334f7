"""The duty report (述职报告): drafted from the figures, edited paragraph by paragraph, versioned,
finalised (frozen), rendered to .docx/.pdf; and the deployment's own .docx template."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet


class ReportQuerySet(OrgScopedQuerySet):
    def for_period(self, period: Period) -> ReportQuerySet:
        return self.filter(period=str(period))


class Report(models.Model):
    """One org's duty report for one period; its text lives in numbered versions."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="reports", verbose_name=_("党组织"))
    period = models.CharField(_("期间"), max_length=8, help_text=_("如 2023Q3、2023H1、2023"))
    reporter_name = models.CharField(_("述职人"), max_length=50)
    reporter_title = models.CharField(_("述职人职务"), max_length=60, blank=True, help_text=_("如“和平社区党总支书记”，用于署名"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("述职人账号"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("起草人"))
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职报告")
        verbose_name_plural = _("述职报告")
        ordering = ["-period", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="report_unique_org_period",
                                               violation_error_message=_("该组织本期已有述职报告，请打开原报告继续编辑"))]

    def __str__(self) -> str:
        return f"{self.org.display_name}{self.period_obj.label}述职报告"

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    @property
    def signer(self) -> str:
        return f"{self.reporter_title}\u3000{self.reporter_name}" if self.reporter_title else self.reporter_name

    def current_version(self) -> ReportVersion | None:
        return self.versions.order_by("-number").first()

    def final_version(self) -> ReportVersion | None:
        return self.versions.filter(status=ReportVersion.Status.FINAL).order_by("-number").first()


class ReportVersion(models.Model):
    """A numbered state of a report's text. Only the newest one may be a draft; a final version is
    frozen: its figures (JSON) and the .docx handed in are kept as they were."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUPERSEDED = "superseded", _("已被新版本取代")
        FINAL = "final", _("已定稿")

    report = models.ForeignKey(Report, models.CASCADE, related_name="versions", verbose_name=_("述职报告"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    dated_on = models.DateField(_("成文日期"))
    figures = models.JSONField(_("数据快照"), default=dict, help_text=_("生成本版本时读取的全部数字及其来源"))
    generated_at = models.DateTimeField(_("数据读取时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("定稿人"))
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    docx = models.BinaryField(_("定稿文件"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["docx", "figures"])

    class Meta:
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number",
                                    violation_error_message=_("版本号重复")),
            models.UniqueConstraint(fields=["report"], condition=Q(status="draft"), name="report_one_draft",
                                    violation_error_message=_("一份报告同时只能有一个草稿版本")),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class ReportParagraphQuerySet(OrgScopedQuerySet):
    scope_through = "version__report"


class ReportParagraph(models.Model):
    """One paragraph of a version. `generated` is the system's text with figure markers
    (⟦members.full⟧); `edited` is the user's text (with markers re-linked where the number and its
    context were kept) and wins over `generated` when `is_edited`."""

    class Style(models.TextChoices):
        H1 = "h1", _("一级标题（一、）")
        H2 = "h2", _("二级标题（（一））")
        H3 = "h3", _("三级标题（1.）")
        BODY = "body", _("正文")

    version = models.ForeignKey(ReportVersion, models.CASCADE, related_name="paragraphs", verbose_name=_("版本"))
    key = models.CharField(_("段落标识"), max_length=80)
    position = models.PositiveIntegerField(_("顺序"))
    style = models.CharField(_("层级"), max_length=4, choices=Style.choices, default=Style.BODY)
    generated = models.TextField(_("系统生成文本"), blank=True)
    edited = models.TextField(_("修改后文本"), blank=True)
    is_edited = models.BooleanField(_("已手工修改"), default=False)
    orphaned = models.BooleanField(_("原数据已不存在"), default=False)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("修改人"))
    edited_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ReportParagraphQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告段落")
        verbose_name_plural = _("报告段落")
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="report_paragraph_unique_key",
                                               violation_error_message=_("同一版本中段落标识重复"))]

    def __str__(self) -> str:
        return f"{self.version} · {self.key}"

    @property
    def source(self) -> str:
        return self.edited if self.is_edited else self.generated


def _template_upload(instance, filename: str) -> str:
    return f"report_templates/{filename}"


class ReportTemplate(models.Model):
    """A deployment's own .docx template (docxtpl); the newest active one replaces the built-in."""

    name = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("模板文件（.docx）"), upload_to=_template_upload)
    is_active = models.BooleanField(_("启用"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("述职报告模板")
        verbose_name_plural = _("述职报告模板")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ReportBatch(models.Model):
    """A street's zip of its communities' finalised reports for a period, built by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("街道/上级组织"))
    period = models.CharField(_("期间"), max_length=8)
    with_pdf = models.BooleanField(_("同时生成 PDF"), default=False)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    job = models.ForeignKey("jobs.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("批量下载")
        verbose_name_plural = _("批量下载")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.org} {self.period} 批量下载"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (round(100 * self.done / self.total) if self.total else 0)
