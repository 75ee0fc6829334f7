"""The street drafts its communities' reports and finalises the completed drafts as background
tasks, one a community (several workers share them)."""

from django.urls import reverse

from dangjian.jobs.models import Job, JobStatus
from dangjian.jobs.worker import run_pending
from dangjian.reports.batch import street_draft_start, street_finalise_start
from dangjian.reports.models import Report

from .conftest import Q3, write_placeholders


def test_it_queues_one_draft_per_community_without_a_report(world, report):
    jobs = street_draft_start(org=world.street, period=Q3, user=world.street_admin)
    assert [j.org for j in jobs] == [world.other_community]


def test_it_drafts_the_queued_communities_in_a_worker(world):
    street_draft_start(org=world.street, period=Q3, user=world.street_admin)
    assert run_pending() == 2
    assert set(Report.objects.filter(period=str(Q3)).values_list("org", flat=True)) == {
        world.community.pk, world.other_community.pk}


def test_it_finalises_only_the_drafts_with_nothing_left_to_write(world, report, other_report):
    write_placeholders(report, world.secretary)
    jobs = street_finalise_start(org=world.street, period=Q3, user=world.street_admin)
    assert [j.org for j in jobs] == [world.community]
    run_pending()
    assert report.current_version().is_final and other_report.current_version().is_draft


def test_it_records_each_finalised_report_on_its_job(world, report):
    write_placeholders(report, world.secretary)
    street_finalise_start(org=world.street, period=Q3, user=world.street_admin)
    run_pending()
    job = Job.objects.get(kind="report_finalise")
    assert job.status == JobStatus.DONE and job.result["report"] == report.pk


def test_it_queues_from_the_street_page(client_for, world):
    client = client_for(world.street_admin)
    client.post(reverse("report_street_draft"), {"org": world.street.pk, "period": str(Q3)})
    html = client.get(reverse("street_view") + f"?org={world.street.pk}&period={Q3}").content.decode()
    assert Job.objects.filter(kind="report_draft").count() == 2 and "后台处理中：2 项" in html
