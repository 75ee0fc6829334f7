"""Background tasks of meetings: a large self-study import, confirmed on the page, run by a worker."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django_tasks import task

from dangjian.jobs.models import Job
from dangjian.orgs.models import Org

from .importing import study_import_apply, study_import_plan


@task()
def study_import(job_id: int, path: str, org_id: int, filename: str, user_id: int | None = None) -> dict:
    job = Job.objects.get(pk=job_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        plan = study_import_plan(path, org=Org.objects.get(pk=org_id), filename=filename)
        job.report(0, len(plan.create))
        study_import_apply(plan, user=user, job=job)
    finally:
        Path(path).unlink(missing_ok=True)
    return {"message": f"导入完成：新增{plan.accepted}条，重复跳过{len(plan.duplicates)}条，错误{len(plan.rejected)}处",
            "accepted": plan.accepted, "duplicates": len(plan.duplicates), "rejected": len(plan.rejected),
            "next_url": "/meetings/study/"}
