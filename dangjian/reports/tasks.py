"""Background tasks of reports: the street's batch download (every final report, PDFs included)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from dangjian.jobs.models import Job

from .batch import batch_run
from .models import Report, ReportBatch


@task()
def report_batch(job_id: int, batch_id: int) -> dict:
    job = Job.objects.get(pk=job_id)
    batch_run(batch_id, on_progress=job.report)
    batch = ReportBatch.objects.get(pk=batch_id)
    if batch.status == ReportBatch.Status.FAILED:
        raise ValidationError(batch.message or "批量下载生成失败")
    return {"message": batch.message, "batch": batch.pk}


@task()
def report_draft_one(job_id: int, org_id: int, period: str, user_id: int) -> dict:
    """One community's draft, as the street's 批量起草 queued it (one task a community, so that
    several workers share a street's drafts)."""
    from django.contrib.auth import get_user_model

    from dangjian.lib.periods import Period
    from dangjian.orgs.models import Org

    from .services import default_reporter_title, report_draft

    org = Org.objects.get(pk=org_id)
    user = get_user_model().objects.get(pk=user_id)
    report = report_draft(org=org, period=Period.parse(period), reporter_name=org.secretary or user.get_full_name() or user.username,
                          reporter_title=default_reporter_title(org), user=user)
    return {"message": f"已起草{report}", "report": report.pk}


@task()
def report_finalise_one(job_id: int, report_id: int, user_id: int) -> dict:
    """One community's draft finalised, as the street's 批量定稿 queued it."""
    from django.contrib.auth import get_user_model

    from .services import report_finalise

    report = Report.objects.select_related("org").get(pk=report_id)
    version = report_finalise(report=report, user=get_user_model().objects.get(pk=user_id))
    return {"message": f"{report}第{version.number}版已定稿", "report": report.pk}
