"""Which workers are alive, and what happens to the jobs of one that is not.

A worker registers a `WorkerProcess` row and its heartbeat thread touches it every
`HEARTBEAT` seconds from its own database connection. A worker is dead when:
- it runs on this host and its process is gone (checked with the operating system: exact, and
  immune to SQLite making the heartbeat wait behind a long import transaction); or
- it runs on another host (PostgreSQL) and its heartbeat is older than the lease.
A task still marked running by a dead worker is failed with a reason, and its Job says so; the
task's own transaction died with the process, so nothing of it was written.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus, WorkerProcess

log = logging.getLogger(__name__)

HEARTBEAT = 2.0  # seconds between heartbeats (and progress flushes)
HOST = socket.gethostname()[:200]

LOST = ("执行这项任务的后台进程在任务完成前停止了（可能被强制结束、断电或内存不足）。"
        "任务的写入在完成前不生效，因此没有写入任何数据（已写的部分随后清除）；请重新提交。")
LOST_COMMAND = ("执行这项任务的命令在完成前停止了（可能被强制结束、断电或内存不足）。"
                "任务的写入在完成前不生效，因此没有写入任何数据（已写的部分随后清除）；请重新运行该命令。")
# A job a command runs in its own process (`dangjian import members`): no task, no worker row;
# its worker_id names the process, so that once the process is gone the job can be failed.
FOREGROUND = "cli"


def lease() -> timedelta:
    """How long a silent worker on another machine is still believed alive."""
    return timedelta(seconds=float(getattr(settings, "DANGJIAN_WORKER_LEASE", 60)))


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker died while running it."""


_progress: dict[int, tuple[int, int]] = {}
_progress_lock = threading.Lock()


def stash_progress(job_id: int, done: int, total: int) -> None:
    with _progress_lock:
        _progress[job_id] = (done, total)


def flush_progress() -> None:
    """Write the stashed progress of running jobs (called by the heartbeat thread)."""
    with _progress_lock:
        pending = dict(_progress)
        _progress.clear()
    for job_id, (done, total) in pending.items():
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(done=done, total=total)


def pid_alive(pid: int) -> bool:
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                # The state follows the parenthesised name; a zombie has exited.
                return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
        except (OSError, IndexError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # Windows: signal 0 is not supported for foreign processes
        return True
    return True


def foreground_id() -> str:
    """The worker_id of a job this process runs itself (a command in the foreground)."""
    return f"{FOREGROUND}:{os.getpid()}:{HOST[:40]}"


def sweep_foreground() -> int:
    """Fail the running jobs of commands whose process on this host is gone (killed, a power cut):
    what they wrote stays hidden, and the next import purges it. A command on another machine
    (PostgreSQL) cannot be checked from here; its job stays running until that machine says."""
    failed = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, task_id="", worker_id__startswith=f"{FOREGROUND}:"
                                  ).only("pk", "worker_id"):
        _, pid, host = job.worker_id.split(":", 2)
        if host != HOST[:40] or not pid.isdigit() or pid_alive(int(pid)):
            continue
        failed += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, message=LOST_COMMAND, finished_at=timezone.now())
        log.warning("任务 %s 的命令进程已停止，任务标记为失败", job.pk)
    return failed


def is_alive(worker: WorkerProcess, now=None) -> bool:
    if worker.stopped_at is not None:
        return False
    if worker.host == HOST:
        return pid_alive(worker.pid)
    return worker.beat_at >= (now or timezone.now()) - lease()


def sweep() -> int:
    """Fail the running tasks of workers that are gone, and the jobs of commands that are gone;
    returns how many."""
    from django_tasks_db.models import DBTaskResult

    foreground = sweep_foreground()
    running = list(DBTaskResult.objects.running().only("id", "worker_ids"))
    if not running:
        return foreground
    workers = {w.worker_id: w for w in WorkerProcess.objects.filter(
        worker_id__in={r.worker_ids[-1] for r in running if r.worker_ids})}
    now = timezone.now()
    failed = 0
    for result in running:
        worker = workers.get(result.worker_ids[-1]) if result.worker_ids else None
        if worker is not None and is_alive(worker, now):
            continue
        with transaction.atomic():
            # Re-read under the write lock: the task may have finished meanwhile.
            fresh = DBTaskResult.objects.select_for_update().filter(pk=result.pk, status="RUNNING").first()
            if fresh is None:
                continue
            fresh.set_failed(WorkerLost(LOST))
            Job.objects.filter(task_id=str(result.pk)).exclude(status__in=(JobStatus.DONE, JobStatus.FAILED)).update(
                status=JobStatus.FAILED, message=LOST, finished_at=now)
            if worker is not None and worker.stopped_at is None:
                WorkerProcess.objects.filter(pk=worker.pk).update(stopped_at=now)
        failed += 1
        log.warning("任务 %s 的后台进程已停止，任务标记为失败", result.pk)
    return foreground + failed


def check_job(job: Job) -> Job:
    """A page about to show a running job first makes sure its worker still lives."""
    if job.status == JobStatus.RUNNING and not job.task_id and job.worker_id.startswith(f"{FOREGROUND}:"):
        if sweep_foreground():
            job.refresh_from_db()
    elif job.status == JobStatus.RUNNING and job.task_id:
        worker = WorkerProcess.objects.filter(worker_id=job.worker_id).first()
        if worker is None or not is_alive(worker):
            sweep()
            job.refresh_from_db()
    return job
