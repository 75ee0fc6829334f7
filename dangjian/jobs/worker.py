"""The worker: django-tasks-db's worker loop, plus what an office server needs around it.

- Each task's Job row is marked running, then done with the task's message or failed with a
  reason a person can act on (the traceback stays in the task row and the log).
- A heartbeat thread (its own database connection) keeps the WorkerProcess row fresh, writes the
  progress of a task that is inside its transaction, fails the tasks of dead workers (lease.py)
  and enqueues the daily runs when they are due (schedule.py) — no cron.
- A worker started by `dangjian serve` stops when its parent does.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from . import lease, schedule
from .models import Job, JobStatus, WorkerProcess

log = logging.getLogger(__name__)


def patiently(write, tries: int = 15):
    """A write of the worker's own bookkeeping, retried while SQLite is busy with another
    worker's long import (each try already waits the 20 s busy timeout)."""
    for attempt in range(tries):
        try:
            return write()
        except OperationalError as exc:
            if not is_locked_database_exception(exc) or attempt == tries - 1:
                raise
            close_old_connections()


def new_worker_id() -> str:
    return f"{lease.HOST[:40]}-{os.getpid()}-{get_random_string(8)}"


def failure_text(exc: BaseException) -> str:
    """What the page says when a task raised: our own messages as they are, anything else named."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    from dangjian.lib.tabular import TabularError

    if isinstance(exc, TabularError):
        return str(exc)
    return f"后台任务出错：{type(exc).__name__}: {exc}"[:1000]


class Worker(DBWorker):
    def __init__(self, *, worker_id: str | None = None, interval: float = 1.0, batch: bool = False,
                 max_tasks: int | None = None, parent_pid: int | None = None, beat: bool = True):
        super().__init__(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                         startup_delay=False, max_tasks=max_tasks, worker_id=worker_id or new_worker_id(),
                         excluded_queue_names=[])
        self.parent_pid = parent_pid
        self.beat = beat
        self._stop = threading.Event()

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> None:
        WorkerProcess.objects.update_or_create(worker_id=self.worker_id, defaults={
            "host": lease.HOST, "pid": os.getpid(), "started_at": timezone.now(), "beat_at": timezone.now()})
        thread = None
        if self.beat:
            self.tick()
            thread = threading.Thread(target=self._heartbeat, name="dangjian-heartbeat", daemon=True)
            thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            if thread is not None:
                thread.join(timeout=lease.HEARTBEAT * 3)
            close_old_connections()
            WorkerProcess.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())

    def tick(self) -> None:
        """One heartbeat: alive, progress, dead workers' tasks, the daily runs."""
        WorkerProcess.objects.filter(worker_id=self.worker_id).update(beat_at=timezone.now())
        lease.flush_progress()
        lease.sweep()
        schedule.enqueue_due()

    def _heartbeat(self) -> None:
        try:
            while not self._stop.wait(lease.HEARTBEAT):
                if self.parent_pid and os.getppid() != self.parent_pid:
                    log.warning("父进程已退出，后台进程随之停止")
                    self.running = False
                    if not self.running_task:
                        os._exit(0)
                try:
                    self.tick()
                except OperationalError as exc:  # SQLite busy with a long import, or the database away
                    log.warning("心跳未能写入（%s），稍后重试", exc)
                    close_old_connections()
                except Exception:  # a bug must not stop the heartbeat for good either
                    log.exception("心跳失败，稍后重试")
                    close_old_connections()
        finally:
            connection.close()

    # -- one task ------------------------------------------------------------------------------

    def run_task(self, db_task_result: DBTaskResult) -> None:
        task_id = str(db_task_result.id)
        patiently(lambda: Job.objects.filter(task_id=task_id).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), worker_id=self.worker_id))
        started = time.monotonic()
        failure: list[str] = []
        record_failure = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:  # the base loop catches the exception; keep its text
            failure.append(failure_text(exc))
            record_failure(exc)

        db_task_result.set_failed = set_failed
        super().run_task(db_task_result)
        db_task_result.refresh_from_db()
        now = timezone.now()
        patiently(lease.flush_progress)
        if db_task_result.status == "SUCCESSFUL":
            value = db_task_result.return_value if isinstance(db_task_result.return_value, dict) else {}
            patiently(lambda: Job.objects.filter(task_id=task_id).exclude(status=JobStatus.FAILED).update(
                status=JobStatus.DONE, finished_at=now, message=str(value.get("message", ""))[:2000],
                result=value, file=str(value.get("file", ""))[:200]))
        else:
            patiently(lambda: Job.objects.filter(task_id=task_id).exclude(status=JobStatus.DONE).update(
                status=JobStatus.FAILED, finished_at=now, message=failure[-1] if failure else "后台任务出错"))
        log.info("任务 %s 结束（%s，%.1f 秒）", task_id, db_task_result.status, time.monotonic() - started)


def run_pending() -> int:
    """Run the queued tasks in this process, one after the other, and return how many ran (tests,
    and the command line's foreground runs). No heartbeat and no connection recycling: the
    caller's connection (a test's transaction) is the one used."""
    worker = Worker(batch=True, beat=False)
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
