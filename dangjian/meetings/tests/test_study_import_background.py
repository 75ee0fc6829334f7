"""A large self-study file is confirmed into a worker: written in short batches, shown all at once."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.jobs import lease
from dangjian.jobs.models import Job
from dangjian.jobs.worker import run_pending
from dangjian.meetings import importing
from dangjian.meetings.models import SelfStudy

from .test_study_import import xlsx

pytestmark = pytest.mark.django_db
ROWS = [["张三", "", date(2023, 7, d), "学习强国", f"第{d}课", 1, 30] for d in range(1, 8)]


@pytest.fixture
def small_background(settings, monkeypatch):
    settings.DANGJIAN_BACKGROUND_ROWS = 5  # these seven rows are "large"
    monkeypatch.setattr(importing, "BATCH", 3)  # and written three at a time


def confirm(world, client_for):
    client = client_for(world.worker_a)
    upload = SimpleUploadedFile("自学.xlsx", xlsx(ROWS))
    preview = client.post(reverse("study_import"), {"file": upload, "org": world.branch_a.pk})
    response = client.post(reverse("study_import"), {"token": preview.context["token"], "org": world.branch_a.pk})
    return client, response


def test_it_hands_a_large_confirmed_file_to_a_worker(world, client_for, small_background):
    client, response = confirm(world, client_for)
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk]) and not SelfStudy.objects.exists()
    run_pending()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 7, 7) and SelfStudy.objects.count() == 7
    assert "新增7条" in client.get(reverse("job_status", args=[job.pk])).content.decode()


def test_rows_written_so_far_stay_hidden_until_the_job_is_done(world, client_for, small_background):
    confirm(world, client_for)
    job = Job.objects.get()
    run_pending()
    Job.objects.filter(pk=job.pk).update(status="running")  # as seen between two batches
    assert SelfStudy.objects.count() == 0 and SelfStudy._base_manager.count() == 7


def test_a_failed_import_shows_nothing_and_its_rows_are_purged_by_the_next(world, client_for, small_background):
    confirm(world, client_for)
    job = Job.objects.get()
    run_pending()
    Job.objects.filter(pk=job.pk).update(status="failed", message=lease.LOST)  # its worker was killed
    assert SelfStudy.objects.count() == 0
    assert importing.purge_failed_imports() == 7 and SelfStudy._base_manager.count() == 0
    assert not SelfStudy.history.exists()


def test_a_small_file_is_still_written_in_the_request(world, client_for):
    confirm(world, client_for)
    assert SelfStudy.objects.count() == 7 and not Job.objects.exists()
