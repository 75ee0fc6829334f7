"""Background tasks of dues: a large payment-list import, confirmed on the page, run by a worker."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django_tasks import task

from dangjian.jobs.models import Job
from dangjian.members.models import Member
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access

from .importing import payment_import_apply, payment_import_plan


@task()
def payment_import(job_id: int, path: str, org_id: int, filename: str, method: str, choices: list[list[int]],
                   assigned: list[list[int]], user_id: int) -> dict:
    """The plan the clerk confirmed, with the choices made on the preview page, booked in short
    transactions, hidden until the job commits (importing.payment_import_apply)."""
    job = Job.objects.get(pk=job_id)
    org = Org.objects.get(pk=org_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        plan = payment_import_plan(path, org=org, members=Member.objects.visible_to(user), filename=filename,
                                   default_method=method)
        job.report(0, len(plan.rows))
        outcome = payment_import_apply(plan, choices=dict(map(tuple, choices)), assigned=dict(map(tuple, assigned)),
                                       user=user, job=job)
    finally:
        Path(path).unlink(missing_ok=True)
    log_access(user, AccessLog.Action.IMPORT, f"党费交费名单导入 {org}：入账{len(outcome.booked)}笔")
    return {"message": f"导入完成：入账{len(outcome.booked)}笔，未入账{outcome.batch.skipped}行", "next_url": "/dues/"}
