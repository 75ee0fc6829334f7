"""The worker in this process: a job's row follows its task from queued to done or failed."""

import os
from datetime import datetime, timedelta

from django.utils import timezone

from dangjian.jobs import lease, schedule
from dangjian.jobs.models import DailyRun, Job, WorkerProcess
from dangjian.jobs.services import job_enqueue
from dangjian.jobs.tests.tasks_for_tests import count_to, crash, refuse
from dangjian.jobs.worker import run_pending


def test_it_queues_a_job_with_its_task(world):
    job = job_enqueue(count_to, kind="test", label="数数", org=world.community, user=world.secretary, n=3)
    assert job.status == "pending" and job.task_id


def test_it_runs_a_queued_job_to_done_with_its_message_and_progress(world):
    job = job_enqueue(count_to, kind="test", label="数数", n=3)
    assert run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.message, job.done, job.total, job.percent) == ("done", "数到了 3", 3, 3, 100)


def test_a_refused_job_shows_the_reason_as_written(world):
    job = job_enqueue(refuse, kind="test", label="导入")
    run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "第3行“身份证号”：校验码不对"


def test_a_crashed_job_names_the_error(world):
    job = job_enqueue(crash, kind="test", label="导出")
    run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and "ZeroDivisionError" in job.message


def test_it_fails_the_running_task_of_a_worker_whose_process_is_gone(world):
    from django_tasks_db.models import DBTaskResult

    job = job_enqueue(count_to, kind="test", label="数数", n=3)
    gone = max(int(p) for p in os.listdir("/proc") if p.isdigit()) + 10_000  # no such process
    WorkerProcess.objects.create(worker_id="w-gone", host=lease.HOST, pid=gone)
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=["w-gone"])
    Job.objects.filter(pk=job.pk).update(status="running", worker_id="w-gone")
    assert lease.sweep() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.message == lease.LOST
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"


def test_it_leaves_the_task_of_a_live_worker_running(world):
    from django_tasks_db.models import DBTaskResult

    job = job_enqueue(count_to, kind="test", label="数数", n=3)
    WorkerProcess.objects.create(worker_id="w-me", host=lease.HOST, pid=os.getpid())
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=["w-me"])
    assert lease.sweep() == 0


def test_a_worker_on_another_host_is_dead_once_its_lease_runs_out(world, settings):
    settings.DANGJIAN_WORKER_LEASE = 60
    now = timezone.now()
    w = WorkerProcess(worker_id="w-far", host="another-host", pid=1, beat_at=now - timedelta(seconds=61))
    assert not lease.is_alive(w, now) and lease.is_alive(WorkerProcess(host="another-host", pid=1, beat_at=now), now)


def test_the_daily_run_is_queued_once_a_day_however_often_asked(world, settings):
    settings.DANGJIAN_DAILY = {"remind": ("dangjian.plans.tasks.daily_reminders", "06:30", "每日到期提醒")}
    at = timezone.make_aware(datetime(2026, 11, 30, 7, 0))
    assert schedule.enqueue_due(at) == ["remind"]
    assert schedule.enqueue_due(at) == [] and schedule.enqueue_due(at + timedelta(hours=3)) == []
    assert DailyRun.objects.get().job.kind == "remind" and Job.objects.count() == 1


def test_the_daily_run_waits_for_its_time(world, settings):
    settings.DANGJIAN_DAILY = {"remind": ("dangjian.plans.tasks.daily_reminders", "06:30", "每日到期提醒")}
    assert schedule.enqueue_due(timezone.make_aware(datetime(2026, 11, 30, 6, 29))) == []
    assert schedule.enqueue_due(timezone.make_aware(datetime(2026, 12, 1, 6, 30))) == ["remind"]


def test_the_daily_reminder_task_makes_the_days_notifications(world):
    from dangjian.plans.tasks import daily_reminders

    job = job_enqueue(daily_reminders, kind="remind", label="每日到期提醒")
    run_pending()
    job.refresh_from_db()
    assert job.status == "done" and job.result["today"] == timezone.localdate().isoformat()
