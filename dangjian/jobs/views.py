"""A background job's page: its progress polled with htmx, its outcome, its file."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from dangjian.lib.web import is_htmx
from dangjian.orgs.scoping import get_visible_or_404

from .lease import check_job
from .models import Job, WorkerProcess


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _context(job: Job) -> dict:
    waiting = job.status == "pending" and not WorkerProcess.objects.filter(stopped_at__isnull=True).exists()
    return {"job": job, "no_worker": waiting}


@login_required
def job_detail(request, pk):
    return render(request, "jobs/detail.html", _context(check_job(get_visible_or_404(Job.objects.select_related("org"), request, pk))))


@login_required
def job_status(request, pk):
    job = check_job(get_visible_or_404(Job.objects.select_related("org"), request, pk))
    response = render(request, "jobs/_status.html", _context(job))
    if job.is_finished and is_htmx(request) and job.result.get("refresh"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_download(request, pk):
    job = check_job(get_visible_or_404(Job.objects.select_related("org"), request, pk))
    if job.status != "done" or not job.file:
        raise Http404("文件尚未生成")
    path = export_dir() / Path(job.file).name
    if not path.exists():
        raise Http404("文件已被清理，请重新生成")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename") or path.name)
    response["Cache-Control"] = "no-store"  # exports hold personal data
    return response
