"""Work plans with deadlines (工作计划 · 时间节点), the problem-and-rectification ledger
(问题整改台账), reminders, and the deployment's local non-working days."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet

from .choices import ItemStatus, MeasureStatus, PlanKind, ProblemEventKind, ProblemStatus, ReportPart, Stage


def done_has_date(done: str, name: str, message) -> models.CheckConstraint:
    """A done row has its completion date, and only a done row has one (plan items and measures)."""
    return models.CheckConstraint(condition=Q(status=done, done_on__isnull=False) | (~Q(status=done) & Q(done_on__isnull=True)),
                                  name=name, violation_error_message=message)


class LocalDay(models.Model):
    """A deployment's own day on top of the State Council schedule: a local non-working day,
    or a working day (e.g. next year's 调休 before the calendar package knows it)."""

    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("当天上班"), default=False, help_text=_("不勾选 = 本地非工作日；勾选 = 调休上班"))
    name = models.CharField(_("说明"), max_length=50)

    class Meta:
        verbose_name = _("本地工作日调整")
        verbose_name_plural = _("本地工作日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}（{'上班' if self.working else '休息'}）"


class HolidaySchedule(models.Model):
    """The State Council's holiday schedule (国务院办公厅关于某年部分节假日安排的通知) for a year the
    calendar package does not know yet, entered by the administrator when it is published. Once
    a year has one, deadlines in that year are exact instead of 预计."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    document = models.CharField(_("通知文号/标题"), max_length=200)
    published_on = models.DateField(_("发布日期"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="holiday_schedule_year",
                                              violation_error_message=_("年度应在2000到2100之间"))]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class HolidayScheduleDay(models.Model):
    """One day of an entered schedule: a day off (放假) or a 调休 working weekend day (上班)."""

    schedule = models.ForeignKey(HolidaySchedule, models.CASCADE, related_name="days", verbose_name=_("节假日安排"))
    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("上班"), default=False)
    name = models.CharField(_("节日"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("节假日安排日期")
        verbose_name_plural = _("节假日安排日期")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}{'上班' if self.working else '放假'}"


class TermQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ProblemCategory(models.Model):
    """问题类别 — data, so a deployment can add its own (理论学习, 调查研究, 意识形态 …)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    report_part = models.CharField(_("述职报告中另行汇总"), max_length=12, choices=ReportPart.choices, blank=True,
                                   default=ReportPart.NONE,
                                   help_text=_("此类问题除列入“存在问题和原因”外，还在报告的哪一部分汇总"))

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class ProblemSource(models.Model):
    """问题来源 — data (自查, 上级督导, 述职评议, 群众反映, 巡察 …)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题来源")
        verbose_name_plural = _("问题来源")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Work plans


class WorkPlanQuerySet(OrgScopedQuerySet):
    def overlapping(self, first_day: date, last_day: date):
        return self.filter(start_on__lte=last_day, end_on__gte=first_day)


class WorkPlan(models.Model):
    """A work plan of one org for a year, half-year, quarter, or a campaign (主题教育 …)."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="work_plans", verbose_name=_("组织"))
    title = models.CharField(_("计划名称"), max_length=100)
    kind = models.CharField(_("计划类型"), max_length=10, choices=PlanKind.choices, default=PlanKind.YEAR)
    period = models.CharField(_("期间"), max_length=10, blank=True, help_text=_("如 2023、2023H1、2023Q3；专项计划可空"))
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    summary = models.TextField(_("工作目标"), blank=True)
    campaign_tag = models.CharField(_("活动标签"), max_length=30, blank=True,
                                    help_text=_("专项计划（如主题教育）：与组织生活活动的标签一致，述职报告据此汇总相关活动"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("制定人"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = WorkPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-start_on", "org__path", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="plan_end_after_start",
                                   violation_error_message=_("结束日期不能早于开始日期")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan_detail", args=[self.pk])

    @property
    def period_value(self) -> Period | None:
        try:
            return Period.parse(self.period) if self.period else None
        except ValueError:
            return None

    @property
    def evidence_org(self) -> Org:
        return self.org


class PlanItemQuerySet(OrgScopedQuerySet):
    scope_field = "plan__org"

    def open(self):
        return self.filter(status__in=(ItemStatus.TODO, ItemStatus.DOING))

    def counted(self):
        """Items that count in figures: everything but cancelled ones."""
        return self.exclude(status=ItemStatus.CANCELLED)

    def due_in(self, first_day: date, last_day: date):
        return self.filter(deadline__range=(first_day, last_day))


class PlanItem(models.Model):
    """One line of a plan: what, who, by when; milestones (时间节点) break it into dated steps."""

    plan = models.ForeignKey(WorkPlan, models.CASCADE, related_name="items", verbose_name=_("工作计划"))
    title = models.CharField(_("工作事项"), max_length=200)
    detail = models.TextField(_("具体内容"), blank=True)
    owner = models.CharField(_("责任人/责任部门"), max_length=60)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("提醒账号"),
                                   help_text=_("到期提醒发给该账号；不选则发给本组织的党务人员"))
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.TODO)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划事项")
        verbose_name_plural = _("计划事项")
        ordering = ["plan", "sort", "deadline", "pk"]
        constraints = [
            done_has_date(ItemStatus.DONE, "planitem_done_has_date", _("已完成的事项须填写完成日期，未完成的不能有完成日期")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan_item_detail", args=[self.pk])

    @property
    def org(self) -> Org:
        return self.plan.org

    @property
    def evidence_org(self) -> Org:
        return self.plan.org

    @property
    def is_open(self) -> bool:
        return self.status in (ItemStatus.TODO, ItemStatus.DOING)

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.deadline < today

    @property
    def done_late(self) -> bool:
        return self.done_on is not None and self.done_on > self.deadline


class MilestoneQuerySet(OrgScopedQuerySet):
    scope_field = "item__plan__org"

    def open(self):
        return self.filter(done_on__isnull=True, item__status__in=(ItemStatus.TODO, ItemStatus.DOING))


class Milestone(models.Model):
    """A 时间节点 of a plan item: a dated step that is done or not."""

    item = models.ForeignKey(PlanItem, models.CASCADE, related_name="milestones", verbose_name=_("计划事项"))
    title = models.CharField(_("节点内容"), max_length=200)
    deadline = models.DateField(_("节点时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["item", "deadline", "sort", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan_item_detail", args=[self.item_id]) + f"#milestone-{self.pk}"

    @property
    def evidence_org(self) -> Org:
        return self.item.plan.org

    @property
    def done_late(self) -> bool:
        return self.done_on is not None and self.done_on > self.deadline


class ProgressNote(models.Model):
    """A dated progress note on a plan item (推进情况); notes are added, never edited."""

    item = models.ForeignKey(PlanItem, models.CASCADE, related_name="notes", verbose_name=_("计划事项"))
    on = models.DateField(_("日期"))
    text = models.TextField(_("推进情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("推进情况")
        verbose_name_plural = _("推进情况")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.text[:20]}"


# ---------------------------------------------------------------------------------------------
# Problems and rectification


class ProblemQuerySet(OrgScopedQuerySet):
    def open(self):
        return self.filter(status=ProblemStatus.OPEN)

    def found_in(self, first_day: date, last_day: date):
        return self.filter(found_on__range=(first_day, last_day))

    def open_on(self, day: date):
        """Problems on the books and not closed at the end of `day`, from the close/reopen events
        (a problem closed in March and reopened in July was closed on 30 June)."""
        last = ProblemEvent.objects.filter(problem=models.OuterRef("pk"), on__lte=day,
                                           kind__in=(ProblemEventKind.CLOSED, ProblemEventKind.REOPENED)
                                           ).order_by("-on", "-pk").values("kind")[:1]
        return self.filter(found_on__lte=day).annotate(_last_close=models.Subquery(last)).filter(
            Q(_last_close__isnull=True) | Q(_last_close=ProblemEventKind.REOPENED))

    def closed_in(self, first_day: date, last_day: date):
        """Problems closed (signed off) within the span and not reopened since within it."""
        return self.filter(pk__in=ProblemEvent.objects.filter(
            kind=ProblemEventKind.CLOSED, on__range=(first_day, last_day)).values("problem_id")
        ).exclude(pk__in=Problem.objects.open_on(last_day).values("pk"))

    def in_ledger(self, period: Period, show: str = "active"):
        """The ledger of a period: `active` (on the books at some point of it, the default),
        `found` in it, `closed` in it, or `open` at its end."""
        first, last = period.first_day, period.last_day
        match show:
            case "found":
                return self.found_in(first, last)
            case "closed":
                return self.closed_in(first, last)
            case "open":
                return self.open_on(last)
        return self.active_in(first, last)

    def active_in(self, first_day: date, last_day: date):
        """On the books at some point of the span: found in it, open at its start, or closed or reopened in it.
        Each of these is either closed in the span or open at its end (销号 + 未销号 = 在账)."""
        before = first_day - timedelta(days=1)
        return self.filter(found_on__lte=last_day).filter(
            Q(pk__in=Problem.objects.open_on(before).values("pk")) | Q(found_on__gte=first_day)
            | Q(pk__in=ProblemEvent.objects.filter(
                on__range=(first_day, last_day), kind__in=(ProblemEventKind.CLOSED, ProblemEventKind.REOPENED)
            ).values("problem_id")))


class Problem(models.Model):
    """A problem found (查摆问题) with its causes and measures; closed (销号) only when every measure
    is done and the community secretary signs off."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="problems", verbose_name=_("组织"))
    title = models.CharField(_("问题"), max_length=200, help_text=_("一句话概括，如“学习不够深入刻苦，存在浅尝辄止的问题”"))
    description = models.TextField(_("具体表现"), blank=True)
    category = models.ForeignKey(ProblemCategory, models.PROTECT, related_name="problems", verbose_name=_("问题类别"))
    source = models.ForeignKey(ProblemSource, models.PROTECT, related_name="problems", verbose_name=_("问题来源"))
    found_on = models.DateField(_("发现日期"))
    plan = models.ForeignKey(WorkPlan, models.SET_NULL, null=True, blank=True, related_name="problems",
                             verbose_name=_("关联计划"), help_text=_("如主题教育检视问题，可关联专项计划"))
    status = models.CharField(_("整改状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("销号签字人"))
    close_note = models.CharField(_("销号意见"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题整改台账")
        ordering = ["-found_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status=ProblemStatus.CLOSED, closed_on__isnull=False, closed_by__isnull=False)
                                   | Q(status=ProblemStatus.OPEN, closed_on__isnull=True),
                                   name="problem_closed_is_signed",
                                   violation_error_message=_("已销号的问题须有销号日期和签字人")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("problem_detail", args=[self.pk])

    @property
    def evidence_org(self) -> Org:
        return self.org

    @property
    def is_closed(self) -> bool:
        return self.status == ProblemStatus.CLOSED


class ProblemCause(models.Model):
    """One cause analysis (原因分析) of a problem; a problem has several."""

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="causes", verbose_name=_("问题"))
    text = models.TextField(_("原因分析"))
    sort = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("原因分析")
        verbose_name_plural = _("原因分析")
        ordering = ["problem", "sort", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


class MeasureQuerySet(OrgScopedQuerySet):
    scope_field = "problem__org"

    def open(self):
        return self.exclude(status=MeasureStatus.DONE)

    def open_on(self, day: date):
        return self.filter(created_on__lte=day).filter(Q(done_on__isnull=True) | Q(done_on__gt=day))


class Measure(models.Model):
    """An 整改措施 of a problem: owner, deadline, status and what proves it done."""

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="measures", verbose_name=_("问题"))
    title = models.CharField(_("整改措施"), max_length=200)
    detail = models.TextField(_("具体做法"), blank=True)
    owner = models.CharField(_("责任人"), max_length=60)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("提醒账号"),
                                   help_text=_("到期提醒发给该账号；不选则发给本组织的党务人员"))
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.TODO)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True, help_text=_("整改成效及佐证材料说明"))
    created_on = models.DateField(_("制定日期"), default=timezone.localdate)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["problem", "sort", "deadline", "pk"]
        constraints = [
            done_has_date(MeasureStatus.DONE, "measure_done_has_date", _("已完成的措施须填写完成日期，未完成的不能有完成日期")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("problem_detail", args=[self.problem_id]) + f"#measure-{self.pk}"

    @property
    def evidence_org(self) -> Org:
        return self.problem.org

    @property
    def is_done(self) -> bool:
        return self.status == MeasureStatus.DONE

    @property
    def done_late(self) -> bool:
        return self.done_on is not None and self.done_on > self.deadline


class ProblemEvent(models.Model):
    """The problem's own timeline: found, measures, sign-off, reopening. Rows are only added,
    so a reopened problem still shows who signed it off before and why it was reopened."""

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="events", verbose_name=_("问题"))
    kind = models.CharField(_("事项"), max_length=20, choices=ProblemEventKind.choices)
    on = models.DateField(_("日期"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("操作人"))
    measure = models.ForeignKey(Measure, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("整改措施"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题整改记录")
        verbose_name_plural = _("问题整改记录")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------
# Evidence: a link from a plan item or a measure to a record elsewhere, or to a page.


class EvidenceLinkQuerySet(OrgScopedQuerySet):
    scope_field = ("item__plan__org", "measure__problem__org")


class EvidenceLink(models.Model):
    """佐证材料: a record in any app (content type + id) or a URL, with a label."""

    item = models.ForeignKey(PlanItem, models.CASCADE, null=True, blank=True, related_name="evidence",
                             verbose_name=_("计划事项"))
    measure = models.ForeignKey(Measure, models.CASCADE, null=True, blank=True, related_name="evidence",
                                verbose_name=_("整改措施"))
    label = models.CharField(_("佐证名称"), max_length=120)
    url = models.CharField(_("链接"), max_length=500)
    content_type = models.ForeignKey(ContentType, models.SET_NULL, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("添加人"))
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(item__isnull=False, measure__isnull=True)
                                   | Q(item__isnull=True, measure__isnull=False),
                                   name="evidence_one_owner",
                                   violation_error_message=_("佐证材料只能属于一个计划事项或一条整改措施")),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_external(self) -> bool:
        return self.url.startswith(("http://", "https://"))

    @property
    def owner_org(self) -> Org:
        return self.item.plan.org if self.item_id else self.measure.problem.org


# ---------------------------------------------------------------------------------------------
# Reminders


class NotificationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(resolved_at__isnull=True)

    def unread(self):
        return self.filter(resolved_at__isnull=True, read_at__isnull=True)

    def for_object(self, obj: models.Model):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class Notification(models.Model):
    """An in-app reminder that something is due soon or overdue. `dangjian remind` makes them,
    at most one per user, object, deadline and stage — running it twice makes nothing new — and
    resolves them once the thing is done."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications",
                             verbose_name=_("账号"))
    kind = models.CharField(_("类型"), max_length=30)
    kind_label = models.CharField(_("类型名称"), max_length=30)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    content_type = models.ForeignKey(ContentType, models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=40)
    target = GenericForeignKey("content_type", "object_id")
    org = models.ForeignKey(Org, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("组织"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    due_on = models.DateField(_("到期日期"))
    text = models.CharField(_("内容"), max_length=300)
    created_on = models.DateField(_("提醒日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "content_type", "object_id", "due_on", "stage"],
                                    name="notification_once", violation_error_message=_("该提醒已存在")),
        ]
        indexes = [models.Index(fields=["user", "resolved_at", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
