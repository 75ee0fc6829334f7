import io
import zipfile

from django.urls import reverse

from dangjian.reports.batch import batch_run, batch_start
from dangjian.reports.models import ReportBatch
from dangjian.reports.services import report_finalise

from .conftest import Q3, write_placeholders


def test_it_shows_which_communities_finalised(client_for, world, report, other_report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    html = client_for(world.street_admin).get(reverse("street_view") + f"?org={world.street.pk}&period=2023Q3").content.decode()
    assert "已定稿 1 / 2 个社区" in html


def test_it_zips_every_finalised_report_with_a_listing(world, report, other_report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    batch = batch_start(org=world.street, period=Q3, user=world.street_admin, run=lambda pk: None)
    batch_run(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ReportBatch.Status.DONE and (batch.done, batch.total) == (1, 1)


def test_it_downloads_the_zip(client_for, world, report, other_report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    batch = batch_start(org=world.street, period=Q3, user=world.street_admin, run=lambda pk: None)
    batch_run(batch.pk)
    response = client_for(world.street_admin).get(reverse("report_batch_download", args=[batch.pk]))
    z = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "和平社区2023年第三季度述职报告.docx" in z.namelist()
    listing = z.read("清单.txt").decode()
    assert "和平社区党总支\t已定稿" in listing and "光明社区党总支\t草稿未定稿" in listing


def test_it_reports_progress_to_the_polling_page(client_for, world, report):
    batch = batch_start(org=world.street, period=Q3, user=world.street_admin, run=lambda pk: None)
    html = client_for(world.street_admin).get(reverse("report_batch_status", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    batch_run(batch.pk)
    html = client_for(world.street_admin).get(reverse("report_batch_status", args=[batch.pk])).content.decode()
    assert "every 1s" not in html and "下载压缩包" in html


def test_it_builds_the_zip_in_a_thread_after_commit(client_for, world, report, django_capture_on_commit_callbacks):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        batch_start(org=world.street, period=Q3, user=world.street_admin, run=ran.append)
    assert len(ran) == 1


def test_it_builds_the_zip_without_a_query_per_report_beyond_its_progress_update(world, report, other_report, django_assert_max_num_queries):
    from dangjian.reports.services import report_finalise as finalise

    write_placeholders(report, world.secretary)
    write_placeholders(other_report, world.street_admin)
    finalise(report=report, user=world.secretary)
    finalise(report=other_report, user=world.street_admin)
    batch = batch_start(org=world.street, period=Q3, user=world.street_admin, run=lambda pk: None)
    with django_assert_max_num_queries(12):
        batch_run(batch.pk)
