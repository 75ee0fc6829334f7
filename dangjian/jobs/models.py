"""Background work as people see it: what runs, for whom, how far it got, how it ended.

The queue itself is django-tasks-db's table (a `DBTaskResult` per enqueued task); a `Job` is the
row a page or the command line shows, written by the worker in short transactions so that every
web process (and every machine sharing the database) reads the same progress. `WorkerProcess`
rows say which workers are alive (see jobs/lease.py); `DailyRun` makes a once-a-day task happen
once a day however many workers look at the clock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobQuerySet(OrgScopedQuerySet):
    """Jobs of the organisations whose records a user keeps, and the jobs they started."""

    def also_visible(self, user) -> Q:
        return Q(user=user)

    def unfinished(self) -> JobQuerySet:
        return self.exclude(status__in=FINISHED)


class Job(models.Model):
    """One piece of background work: an import, a batch of reports, an export, a daily run."""

    kind = models.CharField(_("类型"), max_length=30)
    label = models.CharField(_("内容"), max_length=200)
    org = models.ForeignKey(Org, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("组织"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("提交人"))
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("结果"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.CharField(_("生成的文件"), max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    worker_id = models.CharField(_("执行进程"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0), name="job_done_within_total",
                                   violation_error_message=_("已处理数不能超过总数")),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    def report(self, done: int, total: int | None = None) -> None:
        """Progress. Written at once when the task is between transactions; inside one (an
        import that must be all-or-nothing) a write would stay invisible until its commit, so the
        worker's heartbeat thread writes it from its own connection (jobs/lease.py)."""
        from django.db import connection

        from .lease import stash_progress

        if total is not None:
            self.total = total
        self.done = min(done, self.total) if self.total else done
        if connection.in_atomic_block:
            stash_progress(self.pk, self.done, self.total)
        else:
            Job.objects.filter(pk=self.pk).update(done=self.done, total=self.total)


class WorkerProcess(models.Model):
    """A running `dangjian worker` process: where it runs and when it last said it was alive."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(_("主机"), max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(_("最近心跳"), default=timezone.now)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台进程")
        verbose_name_plural = _("后台进程")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class DailyRun(models.Model):
    """A once-a-day task enqueued for a day: the unique (name, day) lets exactly one worker do it."""

    name = models.CharField(max_length=50)
    day = models.DateField()
    job = models.ForeignKey(Job, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("每日任务")
        verbose_name_plural = _("每日任务")
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="dailyrun_once_a_day",
                                               violation_error_message=_("今天的这项任务已安排"))]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"
