"""Background tasks of plans: the daily reminder run (enqueued by the workers, see jobs/schedule.py)."""

from __future__ import annotations

from django_tasks import task

from . import reminders


@task()
def daily_reminders(job_id: int) -> dict:
    result = reminders.run()
    return {**result.as_json(), "message": f"{result.today:%Y-%m-%d}：到期或逾期 {result.due} 项，新增提醒 {result.created} 条，"
                                           f"已处理 {result.resolved} 条"}
