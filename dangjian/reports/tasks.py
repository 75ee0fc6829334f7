"""Background tasks of reports: the street's batch download (every final report, PDFs included)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from dangjian.jobs.models import Job

from .batch import batch_run
from .models import ReportBatch


@task()
def report_batch(job_id: int, batch_id: int) -> dict:
    job = Job.objects.get(pk=job_id)
    batch_run(batch_id, on_progress=job.report)
    batch = ReportBatch.objects.get(pk=batch_id)
    if batch.status == ReportBatch.Status.FAILED:
        raise ValidationError(batch.message or "批量下载生成失败")
    return {"message": batch.message, "batch": batch.pk}
