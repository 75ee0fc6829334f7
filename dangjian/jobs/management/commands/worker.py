"""`dangjian worker`: run background workers (imports, batch reports, exports, daily reminders).

`dangjian serve` already starts one beside the web server; run this on another machine (same
DATABASE_URL, PostgreSQL) or on the same one for more workers.
"""

from __future__ import annotations

import logging
import os
import sys

from django.core.management import BaseCommand

from dangjian.jobs.supervise import Children, worker_argv
from dangjian.jobs.worker import Worker


class Command(BaseCommand):
    help = "运行后台任务进程（导入、批量报告、导出、每日提醒）；可在另一台电脑上运行（连接同一数据库）"

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=1, help="启动几个后台进程（默认 1）")
        parser.add_argument("--interval", type=float, default=1.0, help="没有任务时每隔几秒查看一次（默认 1）")
        parser.add_argument("--batch", action="store_true", help="做完排队中的任务后退出")
        parser.add_argument("--parent-pid", type=int, help="父进程退出时随之退出（dangjian serve 使用）")

    def handle(self, *args, processes, interval, batch, parent_pid, **opts):
        for name in ("dangjian", "django_tasks_db", "django_tasks"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if opts["verbosity"] else logging.WARNING)
        if processes > 1:
            children = Children([worker_argv(interval=interval) for _ in range(processes)])
            self.stdout.write(f"已启动 {processes} 个后台进程（按 Ctrl+C 停止）")
            self.stdout.flush()
            children.wait()
            return
        worker = Worker(interval=interval, batch=batch, parent_pid=parent_pid)
        worker.configure_signals()
        self.stdout.write(f"后台进程 {worker.worker_id} 已启动（进程号 {os.getpid()}）")
        self.stdout.flush()
        worker.run()
        sys.stdout.flush()
