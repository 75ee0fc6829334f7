"""Organisational life (三会一课, 主题党日 …) and education outside meetings (送学上门, 寄学, 自学).

An activity is recorded as a draft, submitted, and may be sent back by the community secretary;
only submitted activities count anywhere (compliance, reach, figures).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.periods import Period
from dangjian.lib.staging import HiddenUntilImported
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet, scope_of

from .choices import (
    EDITABLE_STATUSES,
    PRESENT_MARKS,
    AppraisalResult,
    Audience,
    Channel,
    Mark,
    OrgLevel,
    Per,
    Status,
    StudySource,
)
from .rules import DEFAULTS, FrequencyRule, QuorumRule, Ruleset, in_force

# Attachments: photos of the meeting and scanned minutes. Not a regulation, a storage limit.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
               ".gif": "image/gif"}
ATTACHMENT_TYPES = IMAGE_TYPES | {".pdf": "application/pdf"}
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def _sniff(head: bytes, content_type: str) -> bool:
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(_MAGIC[content_type])


def check_upload(upload, allowed: dict[str, str] = ATTACHMENT_TYPES) -> str:
    """The content type of an acceptable upload, or ValidationError in Chinese naming the file."""
    name = getattr(upload, "name", "") or ""
    suffix = PurePosixPath(name).suffix.lower()
    kinds = "、".join(sorted({s.lstrip(".") for s in allowed}))
    if suffix not in allowed:
        raise ValidationError(_("“%(name)s”的类型不支持，只能上传：%(kinds)s"), params={"name": name, "kinds": kinds})
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("“%(name)s”超过 10 MB"), params={"name": name})
    content_type = allowed[suffix]
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not _sniff(head, content_type):
        raise ValidationError(_("“%(name)s”的内容与扩展名不符，可能已损坏"), params={"name": name})
    return content_type


def _stored_name(folder: str, filename: str) -> str:
    # The original name is kept in the row, never in the path.
    suffix = PurePosixPath(filename).suffix.lower()
    today = timezone.localdate()
    return f"{folder}/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def attachment_path(instance, filename: str) -> str:
    return _stored_name("meetings", filename)


def photo_path(instance, filename: str) -> str:
    return _stored_name("visits", filename)


class ActivityType(models.Model):
    """A kind of organisational life. Built-in types come from a data migration; a deployment adds more."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    level = models.CharField(_("开展组织"), max_length=10, choices=OrgLevel.choices, default=OrgLevel.BRANCH)
    audience = models.CharField(_("默认应到人员"), max_length=10, choices=Audience.choices, default=Audience.BRANCH)
    needs_lecturer = models.BooleanField(_("需填写授课人"), default=False)
    may_vote = models.BooleanField(_("可有表决事项"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    builtin = models.BooleanField(_("内置"), default=False, editable=False)
    # A deployment's own requirement for a type it added (built-in types use meetings/rules.py).
    required_per = models.CharField(_("本地要求频次"), max_length=10, choices=Per.choices, blank=True)
    required_count = models.PositiveSmallIntegerField(_("每期至少次数"), null=True, blank=True)
    required_basis = models.CharField(_("本地要求依据"), max_length=200, blank=True,
                                      help_text=_("如：市委组织部《关于……的通知》第三条"))

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if bool(self.required_per) != bool(self.required_count):
            raise ValidationError(_("本地要求频次和每期至少次数要同时填写或同时留空"))
        if self.required_per and not self.required_basis:
            raise ValidationError({"required_basis": _("请写明本地要求的依据（文件和条款）")})


class Tag(models.Model):
    """A free label (e.g. 主题教育) that later links an activity to a work item."""

    name = models.CharField(_("标签"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(OrgScopedQuerySet):
    def also_visible(self, user) -> Q:
        """A 党员 account sees its own branch's submitted records."""
        if not scope_of(user).roots_by_role.get("member"):
            return Q(pk__in=[])
        member = Member.objects.filter(user=user).select_related("org", "org__parent").first()
        if member is None:
            return Q(pk__in=[])
        return Q(org__path__startswith=member.branch.path, status=Status.SUBMITTED)

    def submitted(self) -> ActivityQuerySet:
        return self.filter(status=Status.SUBMITTED)

    def held_in(self, period: Period) -> ActivityQuerySet:
        """Submitted activities actually held within the period — the only ones that count."""
        return self.submitted().filter(held_on__gte=period.first_day, held_on__lte=period.last_day)

    def on_calendar(self, first: date, last: date) -> ActivityQuerySet:
        """Held activities by their date, and planned (not yet held) ones by their planned date."""
        return self.filter(Q(held_on__gte=first, held_on__lte=last)
                           | Q(held_on__isnull=True, planned_on__gte=first, planned_on__lte=last))


@dataclass(frozen=True)
class Turnout:
    """应到/实到/参会率 of one activity, from its attendance rows."""

    expected: int
    present: int
    late: int
    leave: int
    absent: int
    unmarked: int
    guests: int

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.expected, 1) if self.expected else None


class Activity(models.Model):
    """One meeting, lecture or 主题党日 of a 党支部 (or a 党小组会 of a 党小组)."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="activities", verbose_name=_("组织"))
    type = models.ForeignKey(ActivityType, models.PROTECT, related_name="activities", verbose_name=_("活动类型"))
    also_types = models.ManyToManyField(ActivityType, blank=True, related_name="+", verbose_name=_("同时开展"),
                                        help_text=_("如主题党日同时讲党课、组织生活会同时开展民主评议党员"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    planned_time = models.TimeField(_("计划时间"), null=True, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("议题/主题"), max_length=200)
    host = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder = models.CharField(_("记录人"), max_length=50, blank=True)
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    is_secretary_lecture = models.BooleanField(_("支部书记讲党课"), default=False)
    has_vote = models.BooleanField(_("有表决/选举事项"), default=False)
    minutes = models.TextField(_("会议内容/记录"), blank=True)
    decisions = models.TextField(_("决议/决定事项"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="activities", verbose_name=_("标签"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("提交人"))
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("退回人"))
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-held_on", "-planned_on", "-pk"]
        indexes = [models.Index(fields=["status", "held_on"]), models.Index(fields=["org", "held_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(held_on__isnull=False) | Q(planned_on__isnull=False),
                                   name="activity_has_a_date",
                                   violation_error_message=_("计划日期和召开日期至少填写一个")),
            models.CheckConstraint(condition=~Q(status=Status.SUBMITTED) | Q(held_on__isnull=False),
                                   name="activity_submitted_is_held",
                                   violation_error_message=_("提交前须填写召开日期")),
            models.CheckConstraint(condition=~Q(status=Status.RETURNED) | ~Q(return_reason=""),
                                   name="activity_returned_has_reason",
                                   violation_error_message=_("退回须写明原因")),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.type} {self.topic}"

    @property
    def day(self) -> date:
        """The date it was held, or else the date it is planned for."""
        return self.held_on or self.planned_on

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_planned(self) -> bool:
        return self.held_on is None

    def turnout(self) -> Turnout:
        """Counts from the attendance rows (prefetch `attendance` and `guests` to avoid queries)."""
        marks = [a.mark for a in self.attendance.all()]
        return Turnout(
            expected=len(marks),
            present=marks.count(Mark.PRESENT),
            late=marks.count(Mark.LATE),
            leave=sum(marks.count(m) for m in (Mark.SICK, Mark.PERSONAL, Mark.OFFICIAL)),
            absent=marks.count(Mark.ABSENT),
            unmarked=marks.count(""),
            guests=len(self.guests.all()),
        )


class Attendance(models.Model):
    """One member on the 应到 list of an activity, with the mark from the sign-in sheet."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attendance", verbose_name=_("活动"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="attendance", verbose_name=_("党员"))
    mark = models.CharField(_("签到"), max_length=4, choices=Mark.choices, blank=True)
    reason = models.CharField(_("原因/说明"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        ordering = ["member__org__path", "member__name_pinyin", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="attendance_unique",
                                               violation_error_message=_("该党员已在应到名单中"))]

    def __str__(self) -> str:
        return f"{self.member} {self.mark or '未登记'}"

    @property
    def attended(self) -> bool:
        return self.mark in PRESENT_MARKS


class Guest(models.Model):
    """A 列席 person: outside 应到 and 实到 (e.g. 街道党工委 or a 入党积极分子)."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="guests", verbose_name=_("活动"))
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位/身份"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("列席人员")
        verbose_name_plural = _("列席人员")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class AttachmentQuerySet(OrgScopedQuerySet):
    scope_through = "activity"


class Attachment(models.Model):
    """A photo or PDF of an activity, stored under MEDIA_ROOT and served only through a scoped view."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attachments", verbose_name=_("活动"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EducationQuerySet(OrgScopedQuerySet):
    own_field = "member__user"


class SelfStudyManager(HiddenUntilImported.from_queryset(EducationQuerySet)):
    """Rows a background import is still writing (or that a failed import left) are hidden until
    its job is done (lib/staging.py, meetings/importing.py)."""


class Visit(models.Model):
    """送学上门: study material taken to an elderly or immobile member at home."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("所在组织"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="study_visits", verbose_name=_("党员"))
    visited_on = models.DateField(_("上门日期"))
    visitor = models.CharField(_("上门人员"), max_length=100)
    material = models.CharField(_("学习内容/材料"), max_length=200)
    notes = models.TextField(_("情况记录"), blank=True, help_text=_("学习情况、身体和生活情况、需要帮助解决的问题"))
    photo = models.FileField(_("照片"), upload_to=photo_path, max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = EducationQuerySet.as_manager()

    class Meta:
        verbose_name = _("送学上门")
        verbose_name_plural = _("送学上门")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["org", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.member} {self.material}"


class Appraisal(models.Model):
    """民主评议党员: one member's result for a year, with the meeting (民主评议/组织生活会) that decided it.
    A result corrected later keeps the old one in its history."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="appraisals", verbose_name=_("党员"))
    year = models.PositiveSmallIntegerField(_("评议年度"))
    result = models.CharField(_("评定等次"), max_length=4, choices=AppraisalResult.choices)
    activity = models.ForeignKey(Activity, models.PROTECT, related_name="appraisals", verbose_name=_("评议会议"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("民主评议结果")
        verbose_name_plural = _("民主评议结果")
        ordering = ["-year", "member__name_pinyin"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="appraisal_one_per_member_year",
                                    violation_error_message=_("该党员本年度已有评议结果")),
            models.CheckConstraint(condition=Q(year__gte=1900) & Q(year__lte=2100), name="appraisal_year_range",
                                   violation_error_message=_("评议年度应在1900—2100年之间")),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.member} {self.result}"


class Send(models.Model):
    """寄学: study material sent to a 流动党员, and whether they confirmed receiving it."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("所在组织"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="study_sends", verbose_name=_("党员"))
    material = models.CharField(_("学习材料"), max_length=200)
    channel = models.CharField(_("寄送方式"), max_length=10, choices=Channel.choices)
    sent_on = models.DateField(_("寄送日期"))
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    confirmation = models.CharField(_("确认情况"), max_length=200, blank=True, help_text=_("如：微信回复已学习并交心得"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = EducationQuerySet.as_manager()

    class Meta:
        verbose_name = _("寄学")
        verbose_name_plural = _("寄学")
        ordering = ["-sent_on", "-pk"]
        indexes = [models.Index(fields=["org", "sent_on"])]
        constraints = [models.CheckConstraint(condition=Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=models.F("sent_on")),
                                              name="send_confirmed_after_sent",
                                              violation_error_message=_("确认日期不能早于寄送日期"))]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.member} {self.material}"


class SelfStudy(models.Model):
    """A member's own study: 学习强国 hours or points, a book, a course — typed or imported."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("所在组织"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="self_study", verbose_name=_("党员"))
    studied_on = models.DateField(_("学习日期"))
    source = models.CharField(_("学习方式"), max_length=10, choices=StudySource.choices, default=StudySource.XUEXI)
    content = models.CharField(_("学习内容"), max_length=200, blank=True)
    hours = models.DecimalField(_("学习时长（小时）"), max_digits=5, decimal_places=1, null=True, blank=True)
    points = models.PositiveIntegerField(_("积分"), null=True, blank=True)
    imported = models.BooleanField(_("导入"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The background import that wrote the row; the row shows only once that job is done.
    import_job = models.ForeignKey("jobs.Job", models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = SelfStudyManager()

    class Meta:
        verbose_name = _("自学")
        verbose_name_plural = _("自学")
        ordering = ["-studied_on", "-pk"]
        indexes = [models.Index(fields=["org", "studied_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gte=0), name="selfstudy_hours_positive",
                                   violation_error_message=_("学习时长不能为负数")),
            models.CheckConstraint(condition=Q(hours__isnull=False) | Q(points__isnull=False) | ~Q(content=""),
                                   name="selfstudy_has_content",
                                   violation_error_message=_("学习内容、时长、积分至少填写一项")),
        ]

    def __str__(self) -> str:
        return f"{self.studied_on} {self.member} {self.source}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def by_token(self, token: str):
        return self.active().filter(digest=_digest(token)).select_related("user", "org").first()


class CalendarFeed(models.Model):
    """A secret .ics address for one user and one org, so a phone calendar subscribes without a session.

    Only a hash of the token is stored: the address is shown once when it is made; revoking it
    (or making a new one) stops the old address at once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feeds",
                             verbose_name=_("账号"))
    org = models.ForeignKey(Org, models.CASCADE, related_name="+", verbose_name=_("组织"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近访问"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "org"], condition=Q(revoked_at__isnull=True),
                                               name="calendarfeed_one_active",
                                               violation_error_message=_("该组织已有有效的订阅地址"))]

    def __str__(self) -> str:
        return f"{self.user} · {self.org}"

    @classmethod
    @transaction.atomic
    def issue(cls, *, user, org: Org) -> tuple[CalendarFeed, str]:
        """Revoke the user's address for this org (if any) and make a new one; returns (feed, token)."""
        cls.objects.active().filter(user=user, org=org).update(revoked_at=timezone.now())
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, org=org, digest=_digest(token)), token


class RuleSettingQuerySet(models.QuerySet):
    def ruleset(self) -> Ruleset:
        """The one way to the rules in force: defaults, these overrides, and the frequency rules
        of deployment-added activity types (2 queries)."""
        return in_force(self.all(), ActivityType.objects.filter(is_active=True, required_count__isnull=False)
                        .exclude(required_per=""))


class RuleSetting(models.Model):
    """A deployment's override of one rule in meetings/rules.py (frequency, threshold, on/off)."""

    key = models.CharField(_("规则"), max_length=40, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    value = models.PositiveSmallIntegerField(_("数值"), null=True, blank=True,
                                             help_text=_("频次规则：每期至少次数；法定人数：超过应到的百分比；预警：月数。留空用默认值"))
    per = models.CharField(_("频次"), max_length=10, choices=Per.choices, blank=True, help_text=_("留空用默认值"))
    local_basis = models.CharField(_("本地规定依据"), max_length=200, blank=True,
                                   help_text=_("改动默认值时写明本地文件和条款"))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RuleSettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活规则设置")
        verbose_name_plural = _("组织生活规则设置")
        ordering = ["key"]

    def __str__(self) -> str:
        rule = DEFAULTS.get(self.key)
        return str(rule.label) if rule else self.key

    def clean(self) -> None:
        rule = DEFAULTS.get(self.key)
        if rule is None:
            raise ValidationError({"key": _("没有这条规则")})
        if self.per and not isinstance(rule, FrequencyRule):
            raise ValidationError({"per": _("只有频次规则可以改频次")})
        if isinstance(rule, QuorumRule) and self.value is not None and not 1 <= self.value <= 99:
            raise ValidationError({"value": _("法定人数的百分比应在1到99之间")})
        changed = self.value is not None or bool(self.per) or not self.enabled
        if changed and not self.local_basis:
            raise ValidationError({"local_basis": _("改动默认规则时请写明本地规定依据")})
