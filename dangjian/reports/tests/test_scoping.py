"""Every view: a secretary of another community gets 404 for 和平社区's report and its parts."""

import pytest
from django.urls import reverse

from dangjian.reports.batch import batch_run, batch_start
from dangjian.reports.models import Report
from dangjian.reports.services import report_finalise

from .conftest import Q3, write_placeholders


def _urls(report):
    p = report.current_version().paragraphs.first()
    r = report.pk
    return [
        ("get", reverse("report_detail", args=[r])), ("get", reverse("report_stale", args=[r])),
        ("post", reverse("report_meta", args=[r])), ("post", reverse("report_regenerate", args=[r])),
        ("post", reverse("report_finalise", args=[r])), ("post", reverse("report_new_version", args=[r])),
        ("get", reverse("report_diff", args=[r])), ("get", reverse("report_download", args=[r, "docx"])),
        ("get", reverse("report_download", args=[r, "json"])), ("get", reverse("report_download", args=[r, "pdf"])),
        ("post", reverse("report_download_protected", args=[r])),
        ("get", reverse("report_paragraph", args=[p.pk])), ("get", reverse("report_paragraph_edit", args=[p.pk])),
        ("post", reverse("report_paragraph_edit", args=[p.pk])), ("post", reverse("report_paragraph_reset", args=[p.pk])),
    ]


@pytest.mark.parametrize("i", range(15))
def test_it_hides_each_report_view_from_another_community(client_for, world, report, i):
    method, url = _urls(report)[i]
    response = getattr(client_for(world.outsider), method)(url)
    assert response.status_code == 404, url


def test_it_hides_a_branch_workers_view_of_another_branchs_report(client_for, world):
    from dangjian.reports.services import report_draft

    report = report_draft(org=world.branch_b, period=Q3, reporter_name="李书记", user=world.worker)
    assert client_for(world.worker_a).get(reverse("report_detail", args=[report.pk])).status_code == 404
    assert client_for(world.worker_b).get(reverse("report_detail", args=[report.pk])).status_code == 200


def test_it_lists_only_reports_in_the_users_subtree(client_for, world, report, other_report):
    html = client_for(world.outsider).get(reverse("report_list")).content.decode()
    assert "光明社区" in html and "和平社区2023" not in html


def test_it_refuses_drafting_for_an_org_outside_the_subtree(client_for, world):
    client_for(world.outsider).post(reverse("report_create"), {
        "org": world.community.pk, "period": "2023Q3", "reporter_name": "某人"})
    assert not Report.objects.filter(org=world.community).exists()


def test_it_keeps_members_out_of_reports(client_for, world, report):
    assert client_for(world.member_user).get(reverse("report_list")).status_code == 403


def test_it_hides_the_street_view_and_batches_of_another_subtree(client_for, world, report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    batch = batch_start(org=world.street, period=Q3, user=world.street_admin, run=lambda pk: None)
    batch_run(batch.pk)
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("street_view") + f"?org={world.street.pk}").status_code == 404
    assert outsider.get(reverse("report_batch_status", args=[batch.pk])).status_code == 404
    assert outsider.get(reverse("report_batch_download", args=[batch.pk])).status_code == 404
    assert outsider.post(reverse("report_batch_create"), {"org": world.street.pk, "period": "2023Q3"}).status_code == 404
