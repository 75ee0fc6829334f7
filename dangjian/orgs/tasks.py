"""The nightly housekeeping a worker runs (enqueued by jobs/schedule.py, see DANGJIAN_DAILY):
a backup kept for DANGJIAN_BACKUP_KEEP nights, and uploads nobody confirmed swept away."""

from __future__ import annotations

from django_tasks import task

from dangjian.lib.backup import KEEP_DAILY, daily_backup
from dangjian.lib.uploads import purge_uploads


@task()
def nightly_backup(job_id: int) -> dict:
    path = daily_backup(keep=KEEP_DAILY)
    swept = purge_uploads()
    return {"file": str(path), "bytes": path.stat().st_size, "uploads_removed": swept,
            "message": f"已备份到 {path}（保留最近 {KEEP_DAILY} 份）；清理过期上传文件 {swept} 个"}
