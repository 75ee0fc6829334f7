"""A large roster export is built by a worker; the file is downloaded from the job's page."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.jobs.models import Job
from dangjian.jobs.worker import run_pending


def test_a_large_export_is_built_by_a_worker_and_downloaded_from_its_page(world, client_for, settings):
    settings.DANGJIAN_BACKGROUND_ROWS = 2
    client = client_for(world.secretary)
    response = client.get(reverse("member_export"))
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    run_pending()
    download = client.get(reverse("job_download", args=[job.pk]))
    names = {row[0] for row in load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(
        values_only=True)}
    assert {"张三", "李四"} <= names and "王五" not in names and "no-store" in download["Cache-Control"]


def test_nobody_outside_the_org_sees_the_export_job(world, client_for, settings):
    settings.DANGJIAN_BACKGROUND_ROWS = 2
    client_for(world.secretary).get(reverse("member_export"))
    job = Job.objects.get()
    run_pending()
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert outsider.get(reverse("job_download", args=[job.pk])).status_code == 404
