"""`dangjian jobs`: the background jobs and workers, as every web page sees them."""

from __future__ import annotations

import json

from django.core.management import BaseCommand
from django.utils import timezone

from dangjian.jobs.lease import is_alive, sweep
from dangjian.jobs.models import Job, WorkerProcess


class Command(BaseCommand):
    help = "查看后台任务（进度、结果、错误）和后台进程"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, limit, **opts):
        sweep()
        jobs = list(Job.objects.select_related("org", "user")[:limit])
        workers = [w for w in WorkerProcess.objects.filter(stopped_at__isnull=True) if is_alive(w)]
        if opts["json"]:
            self.stdout.write(json.dumps({
                "workers": [{"id": w.worker_id, "host": w.host, "pid": w.pid, "beat_at": w.beat_at.isoformat()}
                            for w in workers],
                "jobs": [{"id": j.pk, "kind": j.kind, "label": j.label, "status": j.status, "done": j.done,
                          "total": j.total, "percent": j.percent, "message": j.message,
                          "created_at": j.created_at.isoformat(),
                          "finished_at": j.finished_at.isoformat() if j.finished_at else None} for j in jobs],
            }, ensure_ascii=False))
            return
        self.stdout.write(f"后台进程：{len(workers)} 个运行中" + "".join(
            f"\n  {w.host} 进程 {w.pid}，最近心跳 {timezone.localtime(w.beat_at):%H:%M:%S}" for w in workers))
        for j in jobs:
            progress = f" {j.done}/{j.total}" if j.total else ""
            self.stdout.write(f"#{j.pk} {timezone.localtime(j.created_at):%m-%d %H:%M} {j.get_status_display()}"
                              f"{progress} {j.label}" + (f"：{j.message}" if j.message else ""))
