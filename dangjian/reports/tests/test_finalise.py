from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.reports.models import ReportVersion
from dangjian.reports.rendering import docx_text
from dangjian.reports.services import paragraph_save, report_finalise, report_new_version, version_docx
from dangjian.testing.factories import MemberFactory

from .conftest import write_placeholders


def test_it_lets_only_the_community_secretary_finalise(client_for, world, report):
    response = client_for(world.worker).post(reverse("report_finalise", args=[report.pk]))
    assert response.status_code == 403
    write_placeholders(report, world.secretary)
    client_for(world.secretary).post(reverse("report_finalise", args=[report.pk]))
    assert report.current_version().status == ReportVersion.Status.FINAL


def test_it_refuses_finalising_in_the_service_too(world, report):
    with pytest.raises(PermissionDenied):
        report_finalise(report=report, user=world.worker)


def test_it_freezes_figures_against_later_record_changes(world, report):
    write_placeholders(report, world.secretary)
    version = report_finalise(report=report, user=world.secretary)
    before = docx_text(version_docx(version))
    MemberFactory(name="新党员", org=world.branch_b, joined_on=date(2023, 1, 1), confirmed_on=date(2023, 2, 1))
    version.refresh_from_db()
    assert docx_text(version_docx(version)) == before
    assert version.figures["figures"]["members.total"]["value"] == 2 and "frozen_at" in version.figures


def test_it_refuses_edits_after_finalising(world, report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    p = report.current_version().paragraphs.first()
    with pytest.raises(ValidationError):
        paragraph_save(paragraph=p, text="偷偷改", user=world.worker)


def test_it_starts_a_new_draft_version_after_finalising(world, report):
    write_placeholders(report, world.secretary)
    final = report_finalise(report=report, user=world.secretary)
    v2 = report_new_version(report=report, user=world.worker)
    assert v2.number == final.number + 1 and v2.is_draft
    assert [p.source for p in v2.paragraphs.all()] == [p.source for p in final.paragraphs.all()]
    assert report.final_version() == final


def test_it_offers_the_protected_download_of_a_final_version(client_for, world, report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    response = client_for(world.secretary).post(reverse("report_download_protected", args=[report.pk]), {"password": "abc123"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
