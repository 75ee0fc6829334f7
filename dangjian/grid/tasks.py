"""Background tasks of the grid app: a residents-register import, run by a worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from dangjian.jobs.models import Job

from .choices import JobStatus
from .importing import purge_failed_imports, run_job
from .models import ImportJob


@task()
def resident_import(job_id: int, import_job_id: int) -> dict:
    job = Job.objects.get(pk=job_id)
    imp = run_job(ImportJob.objects.select_related("community", "user").get(pk=import_job_id),
                  on_progress=lambda done, total: job.report(done, max(total, done)))
    if imp.status == JobStatus.FAILED:
        raise ImportFailed(imp.error)
    verb = "检查" if imp.dry_run else "导入"
    return {"message": f"{verb}完成：新增{imp.created} 更新{imp.updated} 无变化{imp.unchanged} 拒绝{imp.rejected}",
            "import_job": imp.pk, "processed": imp.processed}


@task()
def resident_import_purge(job_id: int) -> dict:
    """Delete what failed imports left hidden (an import whose worker died), soon after it is noticed."""
    return {"message": f"已清除未完成导入的{purge_failed_imports()}行", "next_url": "/grid/import/"}


class ImportFailed(ValidationError):
    """The import stopped with a reason already stored on its ImportJob."""
