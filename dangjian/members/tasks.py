"""Background tasks of members: a large roster import, confirmed on the page, run by a worker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django_tasks import task

from dangjian.jobs.models import Job
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access

from .importing import JOINED, import_summary, member_import_plan, member_import_run


@task()
def member_import(job_id: int, path: str, org_id: int, filename: str, unit_map: dict[str, int],
                  user_id: int | None = None, since: str | None = None) -> dict:
    """The same plan the clerk confirmed (with the branch names mapped there and the date the new
    members belong from: an ISO date or JOINED), booked all or nothing in short transactions
    (members.importing.member_import_apply)."""
    job = Job.objects.get(pk=job_id)
    org = Org.objects.get(pk=org_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    units = {u.pk: u for u in Org.objects.filter(pk__in=unit_map.values())}
    try:
        plan = member_import_plan(path, org=org, filename=filename,
                                  unit_map={name: units[pk] for name, pk in unit_map.items() if pk in units})
        member_import_run(plan, job=job, user=user,
                          since=since if since in (None, JOINED) else date.fromisoformat(since))
    finally:
        Path(path).unlink(missing_ok=True)
    log_access(user, AccessLog.Action.IMPORT, f"党员名册导入 {org}：新增{len(plan.create)} 更新{len(plan.update)}")
    return {"message": import_summary(plan), "next_url": "/members/"}


@task()
def roster_export(job_id: int, org_id: int, member_ids: list[int], filename: str) -> dict:
    """A large roster export: the members the clerk's list showed, in its order, as a file to download."""
    from dangjian.jobs.views import export_dir

    from .importing import roster_xlsx
    from .models import Member

    org = Org.objects.get(pk=org_id)
    found = Member.objects.select_related("org", "org__parent").in_bulk(member_ids)
    data = roster_xlsx(org, [found[pk] for pk in member_ids if pk in found])
    path = export_dir() / f"job-{job_id}.xlsx"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return {"message": f"已生成：{len(found)}人", "file": path.name, "filename": filename}
